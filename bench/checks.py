"""Phase 4: after the run, the registry's invariants, each in one SQL query.

Units never vanish and are never created outside an issuance: the units in all blocks (every
account, the mechanism's included) equal the units issued, and equal the serials handed out.
Serial ranges never overlap within an activity and vintage, and none lies beyond its counter.
The event chains are recomputed stream by stream (what `manage.py verify_events` does).
"""
import time

from django.db import connection

from pacm.events.models import Event
from pacm.events.services import chain_verify

SQL = {
    "units_in_blocks": "SELECT COALESCE(SUM(serial_end - serial_start + 1), 0), COUNT(*) FROM registry_unitblock",
    "units_issued": "SELECT COALESCE(SUM(gross), 0), COUNT(*) FROM projects_issuancerequest WHERE issued_at IS NOT NULL",
    "serials_handed_out": "SELECT COALESCE(SUM(next_serial - 1), 0) FROM registry_serialcounter",
    "overlapping_ranges": """
        SELECT COUNT(*) FROM (
            SELECT serial_start,
                   LAG(serial_end) OVER (PARTITION BY activity_id, vintage ORDER BY serial_start) AS previous_end
            FROM registry_unitblock) ranges
        WHERE serial_start <= previous_end""",
    "ranges_beyond_counter": """
        SELECT COUNT(*) FROM registry_unitblock b JOIN registry_serialcounter c
          ON c.activity_id = b.activity_id AND c.vintage = b.vintage
        WHERE b.serial_end >= c.next_serial""",
}


def _one(sql):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()


def checks_run(*, chains=True):
    started = time.perf_counter()
    units, blocks = _one(SQL["units_in_blocks"])
    issued, issuances = _one(SQL["units_issued"])
    (serials,) = _one(SQL["serials_handed_out"])
    (overlaps,) = _one(SQL["overlapping_ranges"])
    (beyond,) = _one(SQL["ranges_beyond_counter"])
    result = {
        "units_in_blocks": int(units), "blocks": int(blocks), "units_issued": int(issued),
        "issuances_executed": int(issuances), "serials_handed_out": int(serials),
        "overlapping_ranges": int(overlaps), "ranges_beyond_counter": int(beyond),
        "units_conserved": int(units) == int(issued) == int(serials),
        "queries_seconds": round(time.perf_counter() - started, 2),
    }
    if chains:
        t0 = time.perf_counter()
        streams = list(Event.objects.order_by("stream").values_list("stream", flat=True).distinct())
        problems = [p for s in streams for p in chain_verify(s)]
        result.update({"event_streams": len(streams), "events": Event.objects.count(),
                       "event_chain_problems": len(problems), "event_chain_examples": problems[:5],
                       "chains_seconds": round(time.perf_counter() - t0, 1)})
    result["ok"] = (result["units_conserved"] and overlaps == 0 and beyond == 0
                    and result.get("event_chain_problems", 0) == 0)
    return result

"""The public lookup of a serial number or range (pacm issue 9; PROC-REGS-001 v02.1 paras 13-18, 73-74).

Serial numbers are unique within one activity and vintage, and a block's range never overlaps
another's (rules.md §5.3), so the block holding serial `s` is the one of that activity and vintage
with the greatest `serial_start <= s`: one seek on the index (activity, vintage, serial_start).
The blocks after it up to the range's end are read from the same index, at most LOOKUP_BLOCKS of
them. A lookup costs a fixed number of queries however many blocks the registry holds.
"""
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .models import UnitBlock
from .selectors import public_holder, public_row
from .serials import SerialUnreadable, serial_parse

# The most blocks one lookup shows; a wider range says how to see the rest (a narrower range).
LOOKUP_BLOCKS = 100
LOOKUP_FIELDS = (
    "pk", "issuance_id", "activity_id", "activity__reference", "activity__title", "host_party__iso2", "vintage",
    "serial_start", "serial_end", "authorization_status", "first_transfer_definition", "first_transferred",
    "first_transferred_at", "negligible_risk", "account__kind", "holder",
)


@dataclass
class Lookup:
    """What a lookup found: the query read, the blocks, the parts of the range no block holds."""

    text: str
    query: object = None
    activity: dict = None
    blocks: list = field(default_factory=list)
    gaps: list = field(default_factory=list)  # [(first, last)] of the range that no block holds
    more: bool = False  # the range holds more than LOOKUP_BLOCKS blocks
    error: str = ""
    unreadable: bool = False  # the text is no serial at all (`error` says what was expected)

    @property
    def units(self):
        return sum(row["quantity"] for row in self.blocks)


def _activities(readings):
    """{upper-case reference: activity row} of the readings' activities that have blocks (public ones)."""
    from django.db.models import Exists, OuterRef, Q

    # Projects and programmes alike (the default manager shows projects only); pacm/ never imports projects/.
    activities = UnitBlock._meta.get_field("activity").related_model._base_manager
    condition = Q()
    for reading in readings:
        condition |= Q(reference__iexact=reading.activity_reference)
    rows = (activities.filter(condition).filter(Exists(UnitBlock.objects.filter(activity=OuterRef("pk"))))
            .values("pk", "reference", "title", "host_party__iso2"))
    return {row["reference"].upper(): row for row in rows}


def _gaps(query, blocks):
    gaps, cursor = [], query.serial_start
    for row in blocks:
        if row["serial_start"] > cursor:
            gaps.append((cursor, row["serial_start"] - 1))
        cursor = max(cursor, row["serial_end"] + 1)
    return gaps, cursor


def lookup_queries(*, activity_id, query):
    """(the block holding the first serial, the blocks after it in the range): the greatest start at
    or before the first serial, then the starts after it up to the last, both on the index
    (activity, vintage, serial_start)."""
    rows = UnitBlock.objects.annotate(holder=public_holder()).filter(activity_id=activity_id, vintage=query.vintage)
    first = rows.filter(serial_start__lte=query.serial_start).order_by("-serial_start").values(*LOOKUP_FIELDS)[:1]
    after = (rows.filter(serial_start__gt=query.serial_start, serial_start__lte=query.serial_end)
             .order_by("serial_start").values(*LOOKUP_FIELDS))
    return first, after


def serial_lookup(text):
    """Look `text` up: a Lookup with the blocks holding the serials, or the reason none is shown.

    Queries: the activity (1), the block holding the first serial (1), the blocks after it in the
    range (1). A bad serial is a message, never an exception.
    """
    result = Lookup(text=text or "")
    try:
        readings = serial_parse(text)
    except SerialUnreadable as error:
        result.error, result.unreadable = str(error), True
        return result
    activities = _activities(readings)
    reading = next((r for r in readings if r.activity_reference in activities), None)
    if reading is None:
        params = {"reference": readings[0].activity_reference}
        result.error = _("No activity with units in the registry has the reference %(reference)s.") % params
        return result
    activity = activities[reading.activity_reference]
    result.query, result.activity = reading, activity
    if activity["host_party__iso2"].upper() != reading.host_iso2:
        params = {"reference": activity["reference"], "host": activity["host_party__iso2"], "given": reading.host_iso2}
        result.error = _("The units of %(reference)s carry the host Party code %(host)s, not %(given)s.") % params
        return result
    first_query, after_query = lookup_queries(activity_id=activity["pk"], query=reading)
    first = [row for row in first_query if row["serial_end"] >= reading.serial_start]
    after = list(after_query[: LOOKUP_BLOCKS + 1 - len(first)])
    blocks = first + after
    result.more = len(blocks) > LOOKUP_BLOCKS
    blocks = blocks[:LOOKUP_BLOCKS]
    result.blocks = [public_row(row) for row in blocks]
    if not result.more:
        gaps, cursor = _gaps(reading, blocks)
        if cursor <= reading.serial_end:
            gaps.append((cursor, reading.serial_end))
        result.gaps = gaps
    if not result.blocks:
        params = {"reference": activity["reference"], "vintage": reading.vintage}
        result.error = _("No unit of %(reference)s, vintage %(vintage)s, has this serial number: it has not been "
                         "issued.") % params
    return result

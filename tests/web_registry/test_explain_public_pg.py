"""pacm issue 9: the public registry's lookup and filtered lists read their indexes (EXPLAIN on
PostgreSQL; skipped on SQLite; sequential scans, sorts and bitmap scans off, so the plan shows
whether an index gives the rows in order)."""
import pytest
from django.db import connection

from pacm.registry.lookup import LOOKUP_BLOCKS, lookup_queries
from pacm.registry.models import UnitBlock
from pacm.registry.serials import SerialQuery

from .test_explain_pg import assert_index, issued  # noqa: F401 (the fixture)

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN plans are PostgreSQL's")


def ordered_plan(queryset):
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        for setting in ("enable_seqscan", "enable_sort", "enable_bitmapscan"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_lookup_seeks_the_activity_vintage_serial_index(world, issued):  # noqa: F811
    block = UnitBlock.objects.filter(activity=issued.activity).order_by("serial_start").first()
    query = SerialQuery("GH", issued.activity.reference, block.vintage, 5, 900)
    first, after = lookup_queries(activity_id=issued.activity_id, query=query)
    for queryset in (first, after[:LOOKUP_BLOCKS]):
        text = ordered_plan(queryset)
        assert_index(text, "registry_un_activit")
        assert "Sort" not in text, text


@pytest.mark.parametrize("filters, index", [
    ({"host_party": 1}, "block_host_id"), ({"vintage": 2024}, "block_vintage_id"),
    ({"authorization_status": "ndc"}, "block_status_id"),
])
def test_each_block_filter_pages_by_its_own_index(world, issued, filters, index):  # noqa: F811
    text = ordered_plan(UnitBlock.objects.filter(**filters, pk__lt=10**9).order_by("-pk").values("pk")[:51])
    assert_index(text, index)
    assert "Sort" not in text, text

"""pacm issue 8 (`make bench-pages`): the queries fixed after the page benchmark use their indexes
(EXPLAIN on PostgreSQL; skipped on SQLite; sequential scans off, as in test_explain_pg)."""

import pytest
from django.db import connection

from pacm.registry import selectors
from pacm.registry.models import LedgerTransaction

from .test_explain_pg import assert_index, issued, plan  # noqa: F401 (the fixture)

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN plans are PostgreSQL's")


def test_each_side_of_a_statement_reads_its_own_index(world, issued):  # noqa: F811
    """The statement page reads a page of keys from each side (paging.keyset_union_page), newest first:
    each an index scan of (from_account, id) or (to_account, id), no sort of the account's rows."""
    account = world.acct
    for side, index in zip(selectors.statement_sides(account), ("txn_from_account_id", "txn_to_account_id"),
                           strict=True):
        text = plan(LedgerTransaction.objects.filter(side, pk__lt=10**9).order_by("-pk").values_list("pk")[:26])
        assert_index(text, index)
        assert "Sort" not in text, text


def test_public_registry_finds_the_activity_by_reference_then_its_blocks(world, issued):  # noqa: F811
    """block_activity: the activity row, then EXISTS over its blocks through the (activity, ...) index;
    never a walk over the blocks of other activities."""
    from pacm.registry.models import UnitBlock

    Activity = UnitBlock._meta.get_field("activity").related_model
    from django.db.models import Exists, OuterRef

    query = (Activity.objects.filter(reference__iexact=issued.activity.reference)
             .filter(Exists(UnitBlock.objects.filter(activity=OuterRef("pk")))).order_by("pk").values("pk")[:1])
    text = plan(query)
    # Any index led by the activity serves it (the (activity, vintage, serial) one, the no-overlap one).
    assert "Index Cond: (activity_id = projects_activity.id)" in text and "Seq Scan" not in text, text
    assert selectors.block_activity(issued.activity.reference.lower())["pk"] == issued.activity_id


def test_one_activity_blocks_page_reads_the_activity_index_in_order(world, issued):  # noqa: F811
    """The public registry filtered on an activity pages its blocks in the order of the index
    (activity, vintage, serial_start): no sort of all the activity's blocks before the first 50."""
    # A few test rows: sorts and bitmap scans off too, so the plan shows whether an index gives the order.
    sql, params = selectors.public_blocks(activity=issued.activity_id).queryset[:50].query.sql_with_params()
    with connection.cursor() as cursor:
        for setting in ("enable_seqscan", "enable_sort", "enable_bitmapscan"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        text = "\n".join(row[0] for row in cursor.fetchall())
    assert_index(text, "registry_un_activit")
    assert "Sort" not in text, text

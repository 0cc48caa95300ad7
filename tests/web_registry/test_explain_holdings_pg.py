"""pacm issue 8: the account page's holdings list reads the maintained holding groups a page at a time
through their index, and a period page's timeline reads the stream's events of that period through
the expression index on the payload's period number (EXPLAIN on PostgreSQL; skipped on SQLite)."""

import pytest
from django.db import connection

from pacm.common.paging import after_q
from pacm.registry import selectors
from projects.selectors import period_timeline

from .test_explain_pg import assert_index, issued, plan  # noqa: F401 (the fixture)

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN plans are PostgreSQL's")


def _plan_no_sort(queryset):
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        for setting in ("enable_seqscan", "enable_sort", "enable_bitmapscan"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_holdings_list_reads_its_groups_in_the_order_of_their_index(world, issued):  # noqa: F811
    account = world.acct
    first = selectors.holdings(account)[:51]
    text = _plan_no_sort(first)
    assert_index(text, "account_holding_held")
    assert "Sort" not in text, text
    # The next page: after the last row's (activity, vintage, id), still the index, still no sort.
    row = selectors.holdings(account).first()
    text = _plan_no_sort(selectors.holdings(account).filter(after_q(selectors.HOLDINGS_ORDER, row))[:51])
    assert_index(text, "account_holding_held")
    assert "Sort" not in text, text


def test_a_period_timeline_reads_the_expression_index(world, issued):  # noqa: F811
    text = plan(period_timeline(issued)[:51])
    assert_index(text, "event_stream_period_seq")

"""pacm issue 8: the worst queries of the measured pages can be served by an index, in the order
they are shown (EXPLAIN on PostgreSQL; skipped on SQLite). Sequential scans are disabled so the
plan shows whether an index serves the query at all, whatever the size of these test tables."""

import pytest
from django.db import connection

from pacm.events.models import Event
from pacm.registry import selectors
from pacm.registry.models import LedgerTransaction, TransactionKind, UnitBlock
from projects.selectors import activities_visible_to

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN plans are PostgreSQL's")


@pytest.fixture
def issued(world, registered, submit, drive):
    from projects.cycle import PeriodState

    return drive(submit(registered), PeriodState.ISSUED)


def plan(queryset):
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        text = "\n".join(row[0] for row in cursor.fetchall())
    return text


def assert_index(text, *names):
    assert "Seq Scan" not in text, text
    assert any(name in text for name in names), text


def test_paged_lists_use_their_indexes(world, issued):
    account = world.acct2
    assert_index(plan(UnitBlock.objects.filter(account=account).order_by("pk")[:51]), "block_account_id")
    assert_index(plan(selectors.statement(account)[:26]), "txn_from_account_id", "txn_to_account_id", "pkey")
    assert_index(plan(selectors.public_issuances()[:21]), "txn_kind_id")
    stream = issued.activity.stream
    assert_index(plan(Event.objects.filter(stream=stream).order_by("-sequence")[:51]), "event_stream_sequence_unique")
    assert_index(plan(LedgerTransaction.objects.filter(kind=TransactionKind.ISSUANCE).order_by("-pk")[:21]),
                 "txn_kind_id")


def test_doe_visibility_is_served_by_indexes(world, issued):
    """The DOE's visibility (EXISTS per tie, pacm.parties.roles.tie_q): each tie is a subplan served by
    indexes; only the activities themselves are read in full (every public one is visible anyway),
    and no join multiplies rows across the ties (the 580,168 intermediate rows of issue 8)."""
    text = plan(activities_visible_to(world.dora))
    scans = [line for line in text.splitlines() if "Seq Scan" in line]
    assert all("on projects_activity " in line for line in scans), text
    assert text.count("SubPlan") >= 4 and "Index" in text, text
    assert "Hash Join" not in text and "Merge Join" not in text, text


def test_the_period_page_reads_its_period_through_its_key(world, issued):
    """The period page's period is read through the (activity, number) key once its activity is known
    by its reference; filtered on the joined reference and the visible set, PostgreSQL walked every
    period of the full world in key order (266 ms, docs/benchmarks.md "Pages")."""
    from django.test.utils import CaptureQueriesContext

    from projects.selectors import period_page_get

    with CaptureQueriesContext(connection) as ctx:
        period = period_page_get(user=world.dora, reference=issued.activity.reference, number=issued.number)
    assert period.pk == issued.pk
    sql = next(q["sql"] for q in ctx.captured_queries if q["sql"].startswith('SELECT "projects_monitoringperiod"."id"'))
    where = sql.split(" WHERE ", 1)[1]
    assert f'"projects_monitoringperiod"."activity_id" = {issued.activity_id}' in where, sql
    assert '"projects_activity"."reference"' not in where and "SubPlan" not in where, sql
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        text = "\n".join(row[0] for row in cursor.fetchall())
    assert "period_number_unique" in text, text

"""The statements of pacm's issuance and transfer on PostgreSQL, where the writes are folded into
writing CTEs (pacm issue 8; pacm.common.ctes; docs/benchmarks.md "Write path against the floor").

Counted as `bench.against_floor` counts them (every statement the connection runs), from the world
`bench/tests/test_floor.py` compares rows on. SQLite keeps the ORM path (tests/registry).
"""
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.tests.test_floor import snapshot  # noqa: F401 (the fixture)
from pacm.events.models import Event
from pacm.events.services import chain_verify
from pacm.registry.models import Account, AccountKind, UnitBlock
from pacm.registry.services import units_transfer
from projects.services.issuance import issuance_process

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the folds are PostgreSQL's (DATABASE_URL)"),
]


def _statements(call):
    with CaptureQueriesContext(connection) as ctx:
        call()
    return [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]


def test_an_issuance_writes_in_one_statement_after_its_reads(snapshot):  # noqa: F811
    """Locks and reads (activity; period with request; lines with accounts; authorization statement;
    claims; the host approval where the exemption depends on it; the suspension check), the serial
    counters with the stream's last event, ONE statement for blocks, children, transactions, entries,
    totals and the request, the documents, ONE statement for the period and both events."""
    counts = []
    for period_id in snapshot[:4]:
        statements = _statements(lambda period_id=period_id: issuance_process(period_id=period_id))
        writes = [s for s in statements if not s.startswith("SELECT")]
        assert len(writes) == 3, writes  # counters, the units, the period with its events
        assert writes[1].startswith("WITH parents AS (INSERT INTO")
        assert '"events_event"' in writes[2] and '"projects_monitoringperiod"' in writes[2]
        counts.append(len(statements))
    assert max(counts) <= 11, counts
    streams = Event.objects.values_list("stream", flat=True).distinct()
    assert [p for stream in streams for p in chain_verify(stream)] == []


def test_a_transfer_is_five_statements(snapshot):  # noqa: F811
    """Lock both accounts; the actor's tie; the blocks (with the stream's last event, the suspensions
    excluded in the same statement); the whole moves and
    shrinks with the transaction; the blocks split off, entries, balances, holding groups and the event."""
    for period_id in snapshot:
        issuance_process(period_id=period_id)
    holding = list(Account.objects.filter(kind=AccountKind.HOLDING, organisation__isnull=False).order_by("pk"))
    source = next(a for a in holding if UnitBlock.objects.filter(account=a).exists())
    target = next(a for a in holding if a.pk != source.pk)
    user = get_user_model().objects.get(username=f"bench-ap-{source.organisation_id}")
    first = UnitBlock.objects.filter(account=source).order_by("activity_id", "vintage", "serial_start").first()
    for quantity in (1, first.quantity - 1, 1):
        statements = _statements(lambda quantity=quantity: units_transfer(
            user=user, from_account=source, to_account=target, quantity=quantity))
        assert len(statements) == 5, statements
    assert chain_verify(f"account:{source.number}") == []


def test_a_suspended_activity_is_refused_in_the_counters_statement(snapshot):  # noqa: F811
    """A6.4-STAN-METH-002 v01.0 paras 25, 44: the suspension read with the serial counters refuses the
    issuance as `suspension_check` does, and its transaction writes nothing (the counters roll back)."""
    from django.db import transaction

    from pacm.common.errors import ServiceError
    from pacm.registry.models import SerialCounter
    from pacm.registry.services.suspensions import suspension_start
    from projects.models import MonitoringPeriod

    period = MonitoringPeriod.objects.select_related("activity").get(pk=snapshot[0])
    suspension_start(activity=period.activity, reason="observed_event", detail="Fire", actor_label="sb")
    counters, events = list(SerialCounter.objects.values_list()), Event.objects.count()
    with pytest.raises(ServiceError) as error:
        with transaction.atomic():
            issuance_process(period_id=period.pk)
    assert error.value.code == "units_suspended" and period.activity.reference in error.value.message
    assert list(SerialCounter.objects.values_list()) == counters and Event.objects.count() == events
    assert not UnitBlock.objects.filter(issuance__period=period).exists()

"""Helpers for the tests that run one issuance more than once (GitHub issue 3).

A period is brought to ISSUING through the services with its task never sent (`dispatch_lost`),
so the test decides who runs `issuance_process` and when. `ledger_of` describes everything an
issuance wrote, for comparing two runs; `assert_issued_once` checks that exactly one issuance
is in the ledger (rules.md §4.5; units never vanish, serial ranges never overlap).
"""
import datetime
from contextlib import contextmanager
from unittest import mock

from django.utils import timezone

from pacm.events.models import Event, EventKind
from pacm.events.services import chain_verify
from pacm.registry.models import Account, AccountKind, LedgerTransaction, SerialCounter, TransactionKind, UnitBlock
from projects import services
from projects.cycle import PeriodState as P
from projects.models import IssuanceRequest, MonitoringPeriod
from projects.services import issuance as issuance_services
from tests import factories as f
from tests.issuance.conftest import jump_and_tick

UNITS = 30_000


@contextmanager
def dispatch_lost():
    """The issuance task is not sent on commit, as if the broker was down: yields the ids it lost."""
    lost = []
    with mock.patch.object(issuance_services, "_dispatch", lost.append):
        yield lost


def holding_account(org, number):
    account, _ = Account.objects.get_or_create(
        number=number, defaults={"kind": AccountKind.HOLDING, "name": f"{org.name} holding", "organisation": org}
    )
    return account


def period_issuing(*, world, activity):
    """A first monitoring period of the registered `activity`, approved and ISSUING, its task not sent.

    The same steps as `drive` in tests/issuance/conftest.py, for tests outside that folder.
    """
    services.activity_engage_doe(activity=activity, user=world.ama, doe=world.orgs["doe"], stage="verification")
    account = holding_account(world.orgs["dev"], "PACM-H-DEV-1")
    # The period ends yesterday: a report covers reductions already achieved (RMP 50-51). The clock
    # is not moved, as real workers in other processes read the real one.
    start = activity.crediting_start
    end = timezone.localdate() - datetime.timedelta(days=1)
    period = services.period_submit(activity=activity, user=world.ama, start=start, end=end,
                                    claims={start.year: UNITS}, report=f.pdf("monitoring.pdf"))
    services.period_start_verification(period=period, user=world.dora)
    services.document_upload(activity=activity, user=world.dora, kind="verification_report",
                             uploaded=f.pdf("ver.pdf"), period=period)
    services.period_certify(period=period, user=world.dora, verified={start.year: UNITS})
    services.period_request_issuance(period=period, user=world.dora, units_requested=UNITS,
                                     lines=[{"account": account, "percent": "100"}])
    f.issuance_confirm(period, world.ama)
    services.fee_record_payment(fee=period.fees.get(kind="issuance"), user=world.sam, reference="WIRE-ISS")
    services.period_start_issuance_checks(period=period, user=world.sam)
    services.period_pass_issuance_checks(period=period, user=world.sam)
    jump_and_tick(period)  # the review window closes: APPROVED
    return period_close_with_dispatch_lost(period)


def period_close_with_dispatch_lost(period):
    """Close the appeal window of an APPROVED period (ISSUING) without sending its task."""
    period = MonitoringPeriod.objects.get(pk=period.pk)
    assert period.state == P.APPROVED, period.state
    with dispatch_lost() as lost:
        jump_and_tick(period)
    period = MonitoringPeriod.objects.get(pk=period.pk)
    assert period.state == P.ISSUING and lost == [period.pk], (period.state, lost)
    return period


def nothing_issued(period):
    """What a run that did not finish must leave: the period ISSUING and no trace in the ledger."""
    request = IssuanceRequest.objects.get(period=period)
    return {
        "state": MonitoringPeriod.objects.get(pk=period.pk).state,
        "blocks": UnitBlock.objects.filter(activity=period.activity).count(),
        "transactions": LedgerTransaction.objects.filter(issuance=request).count(),
        "next_serials": sorted(SerialCounter.objects.filter(activity=period.activity)
                               .values_list("next_serial", flat=True).distinct()),
        "executed_events": Event.objects.filter(stream=period.activity.stream,
                                                kind=EventKind.ISSUANCE_EXECUTED).count(),
        "issued_at": request.issued_at,
    }


NOTHING_ISSUED = {"state": P.ISSUING, "blocks": 0, "transactions": 0, "next_serials": [1], "executed_events": 0,
                  "issued_at": None}


def ledger_of(period):
    """Everything the issuance of `period` wrote, without ids: two clean runs give equal values."""
    request = IssuanceRequest.objects.select_related("rule_set").get(period=period)
    prefix = f"issuance:{request.pk}:"
    moves = []
    for tx in LedgerTransaction.objects.filter(issuance=request).select_related("from_account", "to_account") \
            .prefetch_related("entries").order_by("pk"):
        assert tx.idempotency_key.startswith(prefix), tx.idempotency_key
        moves.append((
            tx.idempotency_key.removeprefix(prefix), tx.kind, tx.from_account.number if tx.from_account else None,
            tx.to_account.number, tx.quantity, tx.first_transfer, tx.corresponding_adjustment,
            sorted((e.vintage, e.serial_start, e.serial_end, e.first_transfer) for e in tx.entries.all()),
        ))
    blocks = sorted(
        (b.account.number, b.vintage, b.serial_start, b.serial_end, b.authorization_status,
         b.first_transfer_definition, b.first_transferred)
        for b in UnitBlock.objects.filter(activity=period.activity).select_related("account")
    )
    executed = Event.objects.filter(stream=period.activity.stream, kind=EventKind.ISSUANCE_EXECUTED)
    return {
        "split": (request.gross, request.share_of_proceeds, request.omge, request.buffer, request.net,
                  request.rule_set.version if request.rule_set else None),
        "blocks": blocks,
        "moves": moves,
        "next_serials": sorted(SerialCounter.objects.filter(activity=period.activity)
                               .values_list("vintage", "next_serial")),
        "executed_payloads": [e.payload for e in executed.order_by("sequence")],
    }


def assert_issued_once(period):
    """Exactly one issuance of `period` in the ledger, its blocks adding up to the gross."""
    period = MonitoringPeriod.objects.get(pk=period.pk)
    assert period.state == P.ISSUED
    request = IssuanceRequest.objects.get(period=period)
    assert request.gross == UNITS and request.issued_at is not None
    blocks = list(UnitBlock.objects.filter(activity=period.activity).order_by("vintage", "serial_start"))
    assert {b.issuance_id for b in blocks} == {request.pk}
    assert sum(b.quantity for b in blocks) == request.gross
    # One serial range per unit issued: 1..gross, contiguous, no overlap (one vintage claimed).
    spans = [(b.serial_start, b.serial_end) for b in blocks]
    assert spans[0][0] == 1 and spans[-1][1] == request.gross, spans
    assert all(a[1] + 1 == b[0] for a, b in zip(spans, spans[1:], strict=False)), spans
    assert list(SerialCounter.objects.filter(activity=period.activity).values_list("next_serial", flat=True)) == [
        request.gross + 1
    ]
    issue_rows = LedgerTransaction.objects.filter(issuance=request, kind=TransactionKind.ISSUANCE)
    assert [t.quantity for t in issue_rows] == [request.gross]
    assert not UnitBlock.objects.filter(activity=period.activity, account__kind=AccountKind.PENDING).exists()
    events = Event.objects.filter(stream=period.activity.stream)
    assert events.filter(kind=EventKind.ISSUANCE_EXECUTED).count() == 1
    assert events.filter(to_state=P.ISSUED).count() == 1
    assert chain_verify(period.activity.stream) == []
    return request

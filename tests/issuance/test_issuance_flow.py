"""From a verified period to units in the participants' accounts (rules.md §4.5, §5.4)."""
import datetime
from decimal import Decimal

import pytest

from pacm.common.errors import Refused, ServiceError
from pacm.events.models import Event
from pacm.events.services import chain_verify
from pacm.registry.models import Account, AccountKind, LedgerTransaction, UnitBlock
from projects import services
from projects.cycle import PeriodState as P
from projects.models import Fee, IssuanceRequest


def held(account):
    return sum(b.quantity for b in UnitBlock.objects.filter(account=account))


def mech(kind):
    return Account.objects.get(kind=kind)


def test_full_issuance_splits_and_forwards_exactly(world, registered, submit, drive):
    # 30,000 verified; SOP 5% floor = 1,500; OMGE 2% ceil = 600; reductions: no buffer.
    period = drive(submit(registered), P.ISSUED,
                   lines=[{"account": world.acct, "percent": "60"}, {"account": world.acct2, "percent": "40"}])
    request = IssuanceRequest.objects.get(period=period)
    assert (request.gross, request.share_of_proceeds, request.omge, request.buffer, request.net) == (
        30_000, 1_500, 600, 0, 27_900)
    assert held(world.acct) == 16_740 and held(world.acct2) == 11_160
    assert held(mech(AccountKind.SOP_ADAPTATION)) == 1_500
    assert held(mech(AccountKind.OMGE_MANDATORY)) == 600
    assert held(mech(AccountKind.PENDING)) == 0
    blocks = UnitBlock.objects.filter(issuance=request)
    assert sum(b.quantity for b in blocks) == 30_000
    # Serial ranges of the issuance partition 1..30000 exactly.
    ranges = sorted((b.serial_start, b.serial_end) for b in blocks)
    assert ranges[0][0] == 1 and ranges[-1][1] == 30_000
    assert all(a[1] + 1 == b[0] for a, b in zip(ranges, ranges[1:], strict=False))
    # NDC-authorized (conftest statement): SOP and OMGE moves are first transfers with a CA.
    sop_tx = LedgerTransaction.objects.get(issuance=request, kind="share_of_proceeds")
    omge_tx = LedgerTransaction.objects.get(issuance=request, kind="omge_cancellation")
    assert sop_tx.first_transfer and sop_tx.corresponding_adjustment
    assert omge_tx.first_transfer and omge_tx.corresponding_adjustment
    # Forwarding to the host's own participant is not an international transfer.
    assert not LedgerTransaction.objects.filter(issuance=request, kind="forwarding", first_transfer=True).exists()
    events = list(Event.objects.filter(stream=registered.stream).order_by("sequence"))
    executed = [e for e in events if e.kind == "issuance.executed"]
    assert len(executed) == 1 and executed[0].actor_label == "timer:issuance"
    assert executed[0].payload["distribution"] == [["PACM-H-DEV-1", 16_740], ["PACM-H-DEV-2", 11_160]]
    assert events[-1].to_state == P.ISSUED
    assert chain_verify(registered.stream) == []


def test_issuance_fee_is_on_units_requested_and_blocks_checks(world, registered, submit, drive):
    period = drive(submit(registered), P.ISSUANCE_REQUESTED, units=20_000)
    fee = period.fees.get(kind=Fee.Kind.ISSUANCE)
    assert fee.amount_usd == Decimal("3000.00") and fee.status == Fee.Status.DUE  # SB level 0.15 x 20,000 (PROC-AC-002 App.1 para 13)
    with pytest.raises(ServiceError, match="issuance fee"):
        services.period_start_issuance_checks(period=period, user=world.sam)
    period.refresh_from_db()
    assert period.state == P.ISSUANCE_REQUESTED


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"units_requested": 30_001}, "between 1 and"),
        ({"units_requested": 0}, "between 1 and"),
        ({"omge_rate": "0.01"}, "minimum|below"),
        ({"lines": [{"account": "PACM-H-SAV-1", "percent": "100"}]}, "neither a holding account of this activity"),
        ({"lines": [{"account": "NO-SUCH", "percent": "100"}]}, "Unknown receiving account"),
        ({"lines": [{"account": "PACM-H-DEV-1", "percent": "60"}]}, "100"),
        ({"lines": [{"account": "PACM-H-DEV-1", "units": 10}]}, "add up|net"),
        ({"lines": [{"account": "PACM-H-DEV-1", "units": 10, "percent": "5"}]}, "either whole units or a percentage"),
    ],
)
def test_bad_issuance_requests_change_nothing(world, registered, submit, drive, kwargs, message):
    period = drive(submit(registered), P.VERIFIED)
    args = {"units_requested": 30_000, "lines": [{"account": world.acct, "percent": "100"}], **kwargs}
    with pytest.raises(ServiceError, match=message):
        services.period_request_issuance(period=period, user=world.dora, **args)
    period.refresh_from_db()
    assert period.state == P.VERIFIED
    assert not IssuanceRequest.objects.exists() and not Fee.objects.filter(kind="issuance").exists()


def test_only_the_verification_doe_requests_issuance(world, registered, submit, drive):
    period = drive(submit(registered), P.VERIFIED)
    for person in (world.ama, world.otto, world.sam, world.sofia, world.dina):
        with pytest.raises(Refused):
            services.period_request_issuance(period=period, user=person, units_requested=10,
                                             lines=[{"account": world.acct, "percent": "100"}])
    assert not IssuanceRequest.objects.exists()


def test_issuance_process_is_idempotent(world, registered, submit, drive):
    period = drive(submit(registered), P.ISSUED)
    before = (UnitBlock.objects.count(), LedgerTransaction.objects.count(), Event.objects.count())
    assert services.issuance_process(period_id=period.pk) == "already issued"
    assert (UnitBlock.objects.count(), LedgerTransaction.objects.count(), Event.objects.count()) == before


def test_sweeper_redispatches_an_issuance_left_issuing(world, registered, submit, drive, django_capture_on_commit_callbacks):
    import time_machine

    from .conftest import jump_and_tick

    period = drive(submit(registered), P.APPROVED)
    jump_and_tick(period)  # the callback that would dispatch the task is dropped: a broker that was down
    period.refresh_from_db()
    assert period.state == P.ISSUING and not UnitBlock.objects.exists()
    assert services.issuances_sweep(older_than=datetime.timedelta(days=365)) == []
    with time_machine.travel(period.state_entered_at + datetime.timedelta(hours=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            swept = services.issuances_sweep()
    assert swept == [period.pk]
    period.refresh_from_db()
    assert period.state == P.ISSUED and sum(b.quantity for b in UnitBlock.objects.all()) == 30_000


def test_ldc_host_is_exempt_from_share_of_proceeds(world, registered, submit, drive):
    from pacm.parties.models import PartyStatus

    PartyStatus.objects.create(party=world.host, kind="ldc", valid_from=datetime.date(2000, 1, 1))
    period = drive(submit(registered), P.ISSUED)
    request = IssuanceRequest.objects.get(period=period)
    assert (request.share_of_proceeds, request.omge, request.net) == (0, 600, 29_400)
    assert held(mech(AccountKind.SOP_ADAPTATION)) == 0


def test_mitigation_contribution_units_are_never_first_transferred(world, registered, submit, drive):
    services.authorization_statement_issue(activity=registered, user=world.dina, uses="mc",
                                           effective_from=datetime.date.today())
    period = drive(submit(registered), P.ISSUED)
    assert set(UnitBlock.objects.values_list("authorization_status", flat=True)) == {"mc"}
    assert not LedgerTransaction.objects.filter(first_transfer=True).exists()
    assert not period.issuance.transactions.filter(corresponding_adjustment=True).exists()


def test_partial_authorization_cap_issues_the_rest_as_mitigation_contribution(world, registered, submit, drive):
    services.authorization_statement_issue(activity=registered, user=world.dina, uses="ndc", quantity_cap=10_000,
                                           effective_from=datetime.date.today())
    drive(submit(registered), P.ISSUED)
    by_status = {}
    for b in UnitBlock.objects.all():
        by_status[b.authorization_status] = by_status.get(b.authorization_status, 0) + b.quantity
    assert by_status == {"ndc": 10_000, "mc": 20_000}


def test_removals_activity_contributes_to_the_buffer(world, registered, submit, drive):
    from projects.models import Activity

    Activity.objects.filter(pk=registered.pk).update(risk_rating_percent=20)  # set-up: the validated rating
    m = registered.methodology_version.methodology
    m.kind = "removals"
    m.save()
    period = drive(submit(registered), P.ISSUED)
    request = IssuanceRequest.objects.get(period=period)
    # buffer 20% of gross, rounded up (policy.md §1-2)
    assert (request.share_of_proceeds, request.omge, request.buffer, request.net) == (1_500, 600, 6_000, 21_900)
    assert held(mech(AccountKind.BUFFER)) == 6_000


def test_a_broker_down_at_commit_loses_nothing(world, registered, submit, drive, django_capture_on_commit_callbacks,
                                               monkeypatch):
    """The dispatch fails after the change committed: no error reaches the person or the timer
    pass, the period stays issuing, and the sweeper issues it once the broker is back."""
    import time_machine
    from kombu.exceptions import OperationalError

    from pacm.engine import tasks as engine_tasks
    from projects import tasks

    from .conftest import jump_and_tick

    period = drive(submit(registered), P.APPROVED)

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with monkeypatch.context() as m:
        m.setattr(tasks.issuance_run, "delay", broker_down)
        m.setattr(engine_tasks.notify_write, "delay", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            fired = jump_and_tick(period)
    assert [name for _, name in fired] == ["close_appeal_window"]
    period.refresh_from_db()
    assert period.state == P.ISSUING and not UnitBlock.objects.exists()
    with time_machine.travel(period.state_entered_at + datetime.timedelta(hours=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.issuances_sweep() == [period.pk]
    period.refresh_from_db()
    assert period.state == P.ISSUED and held(world.acct) == 27_900

"""The review of an erroneous inclusion after a CP's first issuance, and the validating DOE's liability
(A6.4-PROC-AC-003 v03.0 paras 128, 132(b), 139): recorded on the exclusion with the units issued for
the CP and its due date (rule set cp_liability_days), settled by the DOE's cancellation of that many
units from its own holding account, or marked overdue by the timer, which tells the DOE."""
import datetime

import pytest
import time_machine

from pacm.common.errors import Refused, ServiceError
from pacm.engine.timers import timers_run
from pacm.events.models import Event
from pacm.notifications.models import Notification
from pacm.registry.models import Account, AccountKind, LedgerTransaction, UnitBlock
from pacm.registry.services import units_transfer
from projects.cycle import PeriodState as P
from projects.poa import services as poa_services
from projects.poa.cycle import CPState as C
from projects.poa.cycle import LiabilityState as L
from projects.poa.liability import liability_settle
from projects.poa.models import ComponentProject, InclusionLiability

from .conftest import board
from .issuance_world import batch, drive, poa_world  # noqa: F401  (poa_world: the fixture pw)


@pytest.fixture
def issued(world, pw, django_capture_on_commit_callbacks):
    """CP0001 (Ghana, validated and included by otto's Orbis Assurance) issued 12,000 units."""
    drive(world, batch(world, pw, {"gh": {pw.y1: 10_000, pw.y2: 2_000}}), P.ISSUED, django_capture_on_commit_callbacks)
    return ComponentProject.objects.get(pk=pw.cps["gh"].pk)


def _events(poa, mark):
    return list(Event.objects.filter(stream=poa.stream, sequence__gt=mark).order_by("sequence"))


def _mark(poa):
    return Event.objects.filter(stream=poa.stream).order_by("-sequence").values_list("sequence", flat=True).first()


def _exclude(world, cp, *, doe_at_fault=True):
    poa_services.cp_request_inclusion_review(cp=cp, user=world.sofia, comment="The CP lies outside the boundary.")
    return poa_services.cp_exclude_erroneous(cp=cp, actor=board(world), comment="Erroneously included.",
                                             doe_at_fault=doe_at_fault)


def _doe_account(world, units=0, number="PACM-H-ORB-1"):
    doe = world.orgs["doe2"]
    doe.authorized_by_party = True  # RMP 45: it may receive a first transfer of authorized units
    doe.save(update_fields=["authorized_by_party"])
    account = Account.objects.create(number=number, kind=AccountKind.HOLDING, name="Orbis holding", organisation=doe)
    if units:
        units_transfer(user=world.ama, from_account="PACM-H-CME-1", to_account=account.number, quantity=units)
    return account


def test_the_review_is_open_180_days_after_the_first_issuance(world, pw, issued):
    """Para 128: more than a year after the inclusion, the first issuance opens 180 more days (rule set)."""
    included = issued.included_at.date()
    assert datetime.date.today() > included + datetime.timedelta(days=365)
    poa_services.cp_request_inclusion_review(cp=issued, user=world.dina, comment="Eligibility doubtful.")
    poa_services.cp_confirm_inclusion(cp=issued, actor=board(world), comment="Confirmed.")
    with time_machine.travel(datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=181), tick=False):
        with pytest.raises(ServiceError) as error:
            poa_services.cp_request_inclusion_review(cp=issued, user=world.dina, comment="Again.")
        assert error.value.code == "inclusion_review_in_time"


def test_the_exclusion_records_the_does_liability(world, pw, issued):
    """Para 139: the SB finds the validating DOE at fault; it owes the 12,000 units issued for the CP
    (levies included) within 30 days of the exclusion."""
    mark = _mark(pw.poa)
    _exclude(world, issued)
    liability = InclusionLiability.objects.get(component=issued)
    today = datetime.date.today()
    assert (liability.doe, liability.units, liability.state, liability.due_on) == (
        world.orgs["doe2"], 12_000, L.OPEN, today + datetime.timedelta(days=30))
    assert liability.rule_set.cp_liability_days == 30
    events = _events(pw.poa, mark)
    assert [(e.kind, e.actor_label, e.from_state, e.to_state) for e in events] == [
        ("cp.transitioned", "sofia", C.INCLUDED, C.UNDER_INCLUSION_REVIEW),
        ("cp.transitioned", "board:test", C.UNDER_INCLUSION_REVIEW, C.EXCLUDED_ERRONEOUS),
    ]
    assert {k: events[1].payload[k] for k in ("transition", "component", "doe_at_fault", "liability_units",
                                              "liability_due_on", "liability_doe")} == {
        "transition": "exclude_erroneous", "component": issued.reference, "doe_at_fault": True,
        "liability_units": 12_000, "liability_due_on": str(liability.due_on), "liability_doe": "Orbis Assurance"}
    # Excluded with immediate effect: the CP claims nothing more (para 132(b)).
    with pytest.raises(ServiceError) as error:
        batch(world, pw, {"gh": {pw.y2: 1}}, period=2)
    assert error.value.code == "cp_not_claiming"


def test_no_liability_when_the_doe_is_not_at_fault(world, pw, issued):
    _exclude(world, issued, doe_at_fault=False)
    assert not InclusionLiability.objects.exists()
    assert Event.objects.filter(stream=pw.poa.stream).latest("sequence").payload["doe_at_fault"] is False


def test_the_doe_settles_by_cancelling_from_its_own_account(world, pw, issued):
    _exclude(world, issued)
    liability = InclusionLiability.objects.get(component=issued)
    account = _doe_account(world, units=11_160)
    # The guard: 11,160 held, 12,000 owed.
    with pytest.raises(ServiceError) as error:
        liability_settle(liability=liability, user=world.otto, from_account=account.number)
    assert error.value.code == "liability_units_held"
    assert error.value.params == {"held": 11_160, "units": 12_000}
    assert InclusionLiability.objects.get(pk=liability.pk).state == L.OPEN
    # Another DOE, the CME, the secretariat: not theirs to settle.
    for user in (world.dora, world.ama, world.sam):
        with pytest.raises(Refused):
            liability_settle(liability=liability, user=user, from_account=account.number)
    assert InclusionLiability.objects.get(pk=liability.pk).state == L.OPEN


def test_settlement_cancels_the_units_and_closes_the_record(world, pw, issued, django_capture_on_commit_callbacks):
    drive(world, batch(world, pw, {"ke": {pw.y1: 8_000}}), P.ISSUED, django_capture_on_commit_callbacks)
    _exclude(world, issued)
    liability = InclusionLiability.objects.get(component=issued)
    account = _doe_account(world, units=12_000)
    cancellation = Account.objects.get(kind=AccountKind.VOLUNTARY_CANCELLATION)
    before = sum(b.quantity for b in UnitBlock.objects.filter(account=cancellation))
    # Not from the CME's account, even by a DOE auditor.
    with pytest.raises((Refused, ServiceError)):
        liability_settle(liability=liability, user=world.otto, from_account="PACM-H-CME-1")
    mark = _mark(pw.poa)
    liability_settle(liability=liability, user=world.otto, from_account=account.number)
    liability = InclusionLiability.objects.get(pk=liability.pk)
    row = LedgerTransaction.objects.get(pk=liability.settlement_id)
    assert (liability.state, row.kind, row.quantity, row.from_account_id, row.to_account_id) == (
        L.SETTLED, "voluntary_cancellation", 12_000, account.pk, cancellation.pk)
    assert "para 139" in row.purpose and issued.reference in row.purpose
    assert sum(b.quantity for b in UnitBlock.objects.filter(account=cancellation)) == before + 12_000
    assert not UnitBlock.objects.filter(account=account).exists()
    events = _events(pw.poa, mark)
    assert [(e.kind, e.actor_label, e.from_state, e.to_state) for e in events] == [
        ("poa.liability_transitioned", "otto", L.OPEN, L.SETTLED)]
    assert events[0].payload == {"transition": "settle", "documents": [], "component": issued.reference,
                                 "units": 12_000, "due_on": str(liability.due_on), "account": account.number,
                                 "transaction": row.pk}
    with pytest.raises(Refused):
        liability_settle(liability=liability, user=world.otto, from_account=account.number)


def test_an_unsettled_liability_goes_overdue_by_timer_and_tells_the_doe(world, pw, issued,
                                                                       django_capture_on_commit_callbacks):
    drive(world, batch(world, pw, {"ke": {pw.y1: 8_000}}), P.ISSUED, django_capture_on_commit_callbacks)
    _exclude(world, issued)
    liability = InclusionLiability.objects.get(component=issued)
    with time_machine.travel(liability.due_at - datetime.timedelta(seconds=1), tick=False):
        assert timers_run() == []
    mark = _mark(pw.poa)
    with time_machine.travel(liability.due_at + datetime.timedelta(seconds=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            fired = timers_run()
    assert fired == [(f"the liability for {issued.reference}", "mark_overdue")]
    liability = InclusionLiability.objects.get(pk=liability.pk)
    assert liability.state == L.OVERDUE
    events = _events(pw.poa, mark)
    assert [(e.kind, e.actor_label, e.from_state, e.to_state) for e in events] == [
        ("poa.liability_transitioned", "timer:mark_overdue", L.OPEN, L.OVERDUE)]
    # The DOE is the one awaited (settle); the CME is the machine's audience.
    told = set(Notification.objects.filter(machine="liability", subject_pk=liability.pk, write="mark_overdue")
               .values_list("recipient__username", flat=True))
    assert told == {"otto", "ama"}
    # Overdue, it is still owed, and settled the same way.
    account = _doe_account(world, units=12_000)
    liability_settle(liability=liability, user=world.otto, from_account=account.number)
    assert InclusionLiability.objects.get(pk=liability.pk).state == L.SETTLED

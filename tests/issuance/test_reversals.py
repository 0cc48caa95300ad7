"""An observed event, step by step (A6.4-STAN-METH-002 v01.0 paras 43-58; projects.reversals).

Replaces the policy.md §2 placeholder tests (buffer for unavoidable reversals, the participants'
own units cancelled for avoidable ones): under the standard the buffer pool remediates both, and
for an avoidable reversal the participants replenish the pool (para 58).
"""
import datetime

import pytest
import time_machine
from django.utils import timezone

from pacm.common.errors import Refused, ServiceError
from pacm.events.models import Event, EventKind
from pacm.registry.models import Account, AccountKind, LedgerTransaction, Suspension, TransactionKind, UnitBlock
from pacm.registry.services import units_transfer, units_use
from projects import services
from projects.cycle import PeriodState as P
from projects.models import Activity
from projects.reversals import services as rev
from projects.reversals.cycle import EventState as E
from projects.reversals.models import ObservedEvent
from projects.timers import timers_run
from tests import factories as f


def held(account, **filters):
    return sum(b.quantity for b in UnitBlock.objects.filter(account=account, **filters))


@pytest.fixture
def removals(world, registered):
    m = registered.methodology_version.methodology
    m.kind = "removals"
    m.save()
    Activity.objects.filter(pk=registered.pk).update(risk_rating_percent=10)
    return Activity.objects.get(pk=registered.pk)


@pytest.fixture
def issued(removals, submit, drive):
    drive(submit(removals), P.ISSUED)  # 30,000 issued; the buffer holds 10% = 3,000 (low risk)
    return Activity.objects.get(pk=removals.pk)


def notify(world, activity, *, aware_days_ago=5, ended=True, user=None):
    today = timezone.localdate()
    return rev.observed_event_notify(
        activity=activity, user=user or world.ama, description="Wildfire in compartment 4", location="Compartment 4",
        occurred_from=today - datetime.timedelta(days=aware_days_ago + 2),
        occurred_to=(today - datetime.timedelta(days=aware_days_ago)) if ended else None,
        aware_on=today - datetime.timedelta(days=aware_days_ago),
    )


def kinds(activity, since):
    return [e.kind for e in Event.objects.filter(stream=activity.stream, sequence__gt=since).order_by("sequence")]


def last_seq(activity):
    return Event.objects.filter(stream=activity.stream).order_by("-sequence").values_list("sequence", flat=True)[0]


def test_notice_needs_a_reversal_risk_methodology(world, registered):
    with pytest.raises(ServiceError, match="no reversal risk"):
        notify(world, registered)
    assert not ObservedEvent.objects.exists()


def test_notice_within_30_days_and_a_late_one(world, issued):
    """Para 43: within RuleSet.observed_event_notice_days (30) of becoming aware; later is recorded late."""
    for refused in (world.kofi, world.dora, world.sam, world.sofia):
        with pytest.raises(Refused):
            notify(world, issued, user=refused)
    seq = last_seq(issued)
    event = notify(world, issued, aware_days_ago=30)
    assert (event.number, event.state, event.late) == (1, E.NOTIFIED, False)
    assert kinds(issued, seq) == [EventKind.OBSERVED_EVENT_NOTIFIED]
    late = notify(world, issued, aware_days_ago=31)
    assert late.late is True and late.number == 2
    payload = Event.objects.filter(stream=issued.stream).order_by("-sequence")[0].payload
    assert payload["late"] is True and payload["observed_event"] == 2


def test_the_sb_suspends_every_unit_of_the_activity_wherever_held(world, issued, submit, drive):
    event = notify(world, issued)
    for refused in (world.ama, world.dora, world.sam):
        with pytest.raises(Refused):
            rev.event_suspend_units(event=event, user=refused, comment="Suspend")
    seq = last_seq(issued)
    event = rev.event_suspend_units(event=event, user=world.sofia, comment="Para 44")
    assert event.state == E.ASSESSMENT and event.suspension.is_open
    assert kinds(issued, seq) == [EventKind.OBSERVED_EVENT_TRANSITIONED]
    assert Event.objects.filter(stream=issued.stream).order_by("-sequence")[0].payload["suspension"] == event.suspension_id
    # Transfer, use and voluntary cancellation of its units refused, with the reason.
    with pytest.raises(ServiceError) as error:
        units_transfer(user=world.ama, from_account=world.acct, to_account=world.acct2, quantity=1)
    assert error.value.code == "units_suspended" and issued.reference in error.value.message
    with pytest.raises(ServiceError, match="suspended"):
        units_use(user=world.ama, from_account=world.acct, quantity=1, purpose="Claim", beneficiary="", use="voluntary")
    assert held(world.acct2) == 0


def suspended(world, activity, **kw):
    event = notify(world, activity, **kw)
    return rev.event_suspend_units(event=event, user=world.sofia, comment="Para 44")


def full_verified(world, event):
    event = rev.event_conclude_reversal(event=event, user=world.ama, comment="Biomass lost in compartment 4")
    event = rev.event_submit_full_report(event=event, user=world.ama, report=f.pdf("event-report.pdf"))
    return rev.event_verify_full_report(event=event, user=world.dora, comment="Verified on site")


def test_no_reversal_the_sb_approves_and_the_units_move_again(world, issued):
    event = suspended(world, issued)
    with pytest.raises(ServiceError) as error:
        rev.event_submit_preliminary(event=event, user=world.ama)
    assert error.value.code == "report_required"
    for refused in (world.kofi, world.dora, world.sofia):
        with pytest.raises(Refused):
            rev.event_submit_preliminary(event=event, user=refused, report=f.pdf("pre.pdf"))
    event = rev.event_submit_preliminary(event=event, user=world.ama, report=f.pdf("pre.pdf"))
    assert event.state == E.PRELIMINARY_SUBMITTED and event.preliminary.sha256
    for refused in (world.ama, world.otto, world.sofia):
        with pytest.raises(Refused):
            rev.event_verify_preliminary(event=event, user=refused, comment="ok")
    event = rev.event_verify_preliminary(event=event, user=world.dora, comment="Verified: no release of storage")
    for refused in (world.ama, world.dora, world.sam):
        with pytest.raises(Refused):
            rev.event_approve_preliminary(event=event, user=refused, comment="ok")
    seq = last_seq(issued)
    event = rev.event_approve_preliminary(event=event, user=world.sofia, comment="Para 46: approved")
    assert event.state == E.NO_REVERSAL
    suspension = Suspension.objects.get(pk=event.suspension_id)
    assert suspension.lifted_at is not None and suspension.lifted_by
    assert kinds(issued, seq) == [EventKind.OBSERVED_EVENT_TRANSITIONED]
    assert Event.objects.filter(stream=issued.stream).order_by("-sequence")[0].payload["lifted"] == suspension.pk
    units_transfer(user=world.ama, from_account=world.acct, to_account=world.acct2, quantity=10)
    assert held(world.acct2) == 10


def test_preliminary_window_and_its_reminder_run_on_the_rule_set(world, issued):
    """Para 46: 90 days after the event's end (RuleSet.preliminary_assessment_days); reminded
    RuleSet.deadline_reminder_days (14) before; then the monitoring report is due (para 47: 365 days)."""
    from pacm.notifications.models import Notification

    event = suspended(world, issued, ended=False)
    assert event.due_at is None  # ongoing: no deadline yet (para 45)
    with pytest.raises(ServiceError) as error:
        rev.event_submit_preliminary(event=event, user=world.ama, report=f.pdf("pre.pdf"))
    assert error.value.code == "event_ongoing"
    end = timezone.localdate() - datetime.timedelta(days=1)
    with pytest.raises(Refused):
        rev.event_record_end(event=event, user=world.sofia, occurred_to=end)
    event = rev.event_record_end(event=event, user=world.ama, occurred_to=end)
    deadline = rev.day_end(end + datetime.timedelta(days=90))
    assert event.due_at == deadline
    with time_machine.travel(deadline - datetime.timedelta(days=15), tick=False):
        timers_run()
        assert not Notification.objects.filter(write="reminder").exists()
    with time_machine.travel(deadline - datetime.timedelta(days=13), tick=False):
        timers_run()
        timers_run()  # reminded once
        assert Notification.objects.filter(write="reminder", recipient=world.ama).count() == 1
    with time_machine.travel(deadline - datetime.timedelta(seconds=1), tick=False):
        timers_run()
    event.refresh_from_db()
    assert event.state == E.ASSESSMENT
    with time_machine.travel(deadline + datetime.timedelta(seconds=1), tick=False):
        timers_run()
    event.refresh_from_db()
    assert event.state == E.FULL_REPORT
    assert event.due_at == rev.day_end(end + datetime.timedelta(days=365))
    last = Event.objects.filter(stream=issued.stream).order_by("-sequence")[0]
    assert (last.actor_label, last.payload["transition"]) == ("timer:preliminary_lapse", "preliminary_lapse")
    with time_machine.travel(event.due_at + datetime.timedelta(seconds=1), tick=False):
        timers_run()
    event.refresh_from_db()
    assert event.state == E.FULL_REPORT_OVERDUE and Suspension.objects.get(pk=event.suspension_id).is_open


def test_unavoidable_reversal_is_remediated_from_the_pool_same_status(world, issued):
    """Paras 53, 56-57: buffer units equal to the reversal, same authorization status, purpose
    "remediation of reversals"; the SB lifts the suspension afterwards."""
    buffer = Account.objects.get(kind=AccountKind.BUFFER)
    admin = Account.objects.get(kind=AccountKind.ADMIN_CANCELLATION)
    statuses = set(UnitBlock.objects.filter(account=buffer).values_list("authorization_status", flat=True))
    event = full_verified(world, suspended(world, issued))
    for refused in (world.ama, world.dora, world.sam):
        with pytest.raises(Refused):
            rev.event_determine_reversal(event=event, user=refused, authorized=1_200, contribution=0, avoidable=False,
                                         comment="x")
    with pytest.raises(ServiceError) as error:
        rev.event_determine_reversal(event=event, user=world.sofia, authorized=30_001, contribution=0,
                                     avoidable=False, comment="Too much")
    assert error.value.code == "reversal_above_issued"
    authorized, contribution = (1_200, 0) if statuses != {"mc"} else (0, 1_200)
    event = rev.event_determine_reversal(event=event, user=world.sofia, authorized=authorized,
                                         contribution=contribution, avoidable=False, comment="Para 48")
    assert event.state == E.REMEDIATION and event.magnitude == 1_200
    for refused in (world.ama, world.sofia, world.dora):
        with pytest.raises(Refused):
            rev.event_cancel_from_buffer(event=event, user=refused)
    before = {a.pk: held(a) for a in Account.objects.all()}
    event = rev.event_cancel_from_buffer(event=event, user=world.sam)
    assert event.state == E.REMEDIATED and event.cancelled == 1_200 and event.shortfall == 0
    after = {a.pk: held(a) for a in Account.objects.all()}
    assert sum(after.values()) == sum(before.values())  # units never vanish
    assert before[buffer.pk] - after[buffer.pk] == 1_200 and after[admin.pk] - before[admin.pk] == 1_200
    row = LedgerTransaction.objects.get(kind=TransactionKind.REVERSAL_REMEDIATION)
    assert row.purpose == f"Remediation of reversals: {issued.reference} observed event 1"
    cancelled = set(row.entries.values_list("block__authorization_status", flat=True))
    assert cancelled <= ({"ndc", "oimp", "both"} if authorized else {"mc"})
    assert event.replenishment_owed == 0 and event.replenish_due_on is None
    with pytest.raises(ServiceError, match="suspended"):
        units_transfer(user=world.ama, from_account=world.acct, to_account=world.acct2, quantity=1)
    with pytest.raises(Refused):
        rev.event_lift_suspension(event=event, user=world.sam, comment="x")
    event = rev.event_lift_suspension(event=event, user=world.sofia, comment="Remediated")
    assert event.state == E.CLOSED
    units_transfer(user=world.ama, from_account=world.acct, to_account=world.acct2, quantity=1)


def test_suspension_holds_back_issuance_and_avoidable_needs_replenishment(world, issued, submit, drive):
    """Paras 44, 58: no issuance while suspended; an avoidable reversal is replenished by the
    participants, same amount and type, before the activity is issued again."""
    second = drive(submit(issued, number=2, claims={issued.crediting_start.year + 1: 1_000}), P.VERIFIED)
    event = full_verified(world, suspended(world, issued))
    with pytest.raises(ServiceError) as error:
        services.period_request_issuance(period=second, user=world.dora, units_requested=1_000,
                                         lines=[{"account": world.acct, "percent": "100"}])
    assert error.value.code == "units_suspended"
    buffer = Account.objects.get(kind=AccountKind.BUFFER)
    status = UnitBlock.objects.filter(account=buffer).values_list("authorization_status", flat=True).first()
    unit_type = "mc" if status == "mc" else "authorized"
    event = rev.event_determine_reversal(event=event, user=world.sofia, authorized=500 if unit_type != "mc" else 0,
                                         contribution=500 if unit_type == "mc" else 0, avoidable=True,
                                         comment="Unauthorised harvest: avoidable")
    event = rev.event_cancel_from_buffer(event=event, user=world.sam)
    assert event.replenishment_owed == 500
    assert event.replenish_due_on == timezone.localdate() + datetime.timedelta(days=365)
    # While suspended, the participants' units of this activity cannot go to the pool either.
    with pytest.raises(ServiceError) as error:
        rev.event_replenish_buffer(event=event, user=world.ama, from_account=world.acct, unit_type=unit_type,
                                   quantity=500)
    assert error.value.code == "units_suspended"
    event = rev.event_lift_suspension(event=event, user=world.sofia, comment="Remediated; replenishment owed")
    with pytest.raises(ServiceError) as error:
        services.period_request_issuance(period=second, user=world.dora, units_requested=1_000,
                                         lines=[{"account": world.acct, "percent": "100"}])
    assert error.value.code == "replenishment_owed"
    with pytest.raises(Refused):
        rev.event_replenish_buffer(event=event, user=world.kofi, from_account=world.foreign, unit_type=unit_type,
                                   quantity=500)
    with pytest.raises(ServiceError) as error:
        rev.event_replenish_buffer(event=event, user=world.ama, from_account=world.acct, unit_type=unit_type,
                                   quantity=501)
    assert error.value.code == "replenishment_out_of_range"
    pool = held(buffer)
    seq = last_seq(issued)
    event = rev.event_replenish_buffer(event=event, user=world.ama, from_account=world.acct, unit_type=unit_type,
                                       quantity=500)
    assert event.replenishment_owed == 0 and held(buffer) == pool + 500
    assert kinds(issued, seq) == [EventKind.BUFFER_REPLENISHED]
    second = services.period_request_issuance(period=second, user=world.dora, units_requested=1_000,
                                              lines=[{"account": world.acct, "percent": "100"}])
    assert second.state == P.ISSUANCE_REQUESTED


def test_a_pool_that_cannot_cover_leaves_a_shortfall(world, issued):
    event = full_verified(world, suspended(world, issued))
    buffer = Account.objects.get(kind=AccountKind.BUFFER)
    pool = held(buffer)
    status = UnitBlock.objects.filter(account=buffer).values_list("authorization_status", flat=True).first()
    big = pool + 2_000
    kw = {"authorized": big, "contribution": 0} if status != "mc" else {"authorized": 0, "contribution": big}
    event = rev.event_determine_reversal(event=event, user=world.sofia, avoidable=False, comment="Storm", **kw)
    event = rev.event_cancel_from_buffer(event=event, user=world.sam)
    assert event.cancelled == pool and event.shortfall == 2_000 and held(buffer) == 0
    last = Event.objects.filter(stream=issued.stream).order_by("-sequence")[0]
    assert last.payload["shortfall"] == 2_000
    with pytest.raises(ServiceError) as error:
        rev.event_cover_shortfall(event=event, user=world.sam)
    assert error.value.code == "buffer_empty"

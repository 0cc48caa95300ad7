"""The Board fires the SB's decisions; no member does alone (RMP para 22). Review stays an
individual right of any member or alternate and of the host Party's DNA (A6.4-PROC-AC-002 v03.0
paras 85, 194)."""
import datetime

import pytest

from methodologies.models import RuleSet
from pacm.common.errors import Refused
from pacm.engine.offers import available_actions
from pacm.events.models import Event, EventKind
from pacm.events.services import chain_verify
from pacm.parties.roles import Role
from projects import services
from projects.board.models import Decision, Vote
from projects.board.services import board_decisions_close_due
from projects.cycle import ActivityState as A
from projects.cycle import PeriodState as P
from projects.models import Activity, MonitoringPeriod
from tests import factories as f
from tests.projects.support import PERSONAS, last_sequence, new_events, snapshot

from .conftest import after_the_window, votes


def _check_board_events(events, decision, *, recorder, to_state, comment):
    """Exactly the decision's event, then the transition's, fired as the Board naming the decision."""
    assert [e.kind for e in events] == [EventKind.BOARD_DECIDED, EventKind.ACTIVITY_TRANSITIONED]
    decided, fired = events
    assert (decided.actor, decided.payload["decision"], decided.payload["outcome"]) == (
        recorder, decision.pk, "adopted")
    assert (fired.actor, fired.actor_label, fired.role) == (None, f"board:{decision.pk}", str(Role.BOARD))
    assert fired.organisation.kind == "sb"
    assert (fired.to_state, fired.comment) == (to_state, comment)


def test_a_meeting_decision_fires_with_one_decision_event_and_the_transition_event(world, under_review):
    since = last_sequence(under_review)
    decision = f.board_decide(world, under_review, "register", "Meets the requirements (RMP 49).")
    events = new_events(under_review, since)
    _check_board_events(events, decision, recorder=world.sam, to_state=A.REGISTRATION_APPROVED,
                        comment="Meets the requirements (RMP 49).")
    assert (events[0].payload["meeting"], events[0].payload["agenda_item"], events[0].payload["basis"]) == (
        "SBM019", "4.2", "consensus")
    assert chain_verify(under_review.stream) == []


def test_an_electronic_decision_fires_with_one_decision_event_and_the_transition_event(
    world, board, under_review, electronic
):
    decision = electronic(under_review, comment="Registration: the validation is sound.")
    votes(decision, board.members[:9], Vote.Choice.YES)
    votes(decision, board.members[9:10], Vote.Choice.NO)
    since = last_sequence(under_review)
    with after_the_window(decision):
        board_decisions_close_due()
        board_decisions_close_due()  # a second pass finds nothing left
    events = new_events(under_review, since)
    _check_board_events(events, decision, recorder=None, to_state=A.REGISTRATION_APPROVED,
                        comment="Registration: the validation is sound.")
    assert events[0].actor_label == f"board:{decision.pk}"
    assert {k: events[0].payload[k] for k in ("yes", "no", "abstain", "present", "quorum", "basis")} == {
        "yes": 9, "no": 1, "abstain": 0, "present": 10, "quorum": 9, "basis": "majority"}
    assert "sofia" not in str(events[0].payload)  # the tally, not who voted what
    assert chain_verify(under_review.stream) == []


@pytest.mark.parametrize("name", ["register", "reject"])
def test_an_individual_sb_member_is_refused_on_register_and_reject(world, board, under_review, name):
    before = snapshot(under_review)
    for user in [world.people[p] for p in PERSONAS] + [board.members[3], board.alternates[0]]:
        with pytest.raises(Refused):
            getattr(services, f"activity_{name}")(activity=under_review, user=user, comment="Alone.")
        assert snapshot(under_review) == before
    assert not Decision.objects.exists()


def test_an_individual_sb_member_is_refused_on_deregister(world, activity, advance_to):
    activity = advance_to(activity, A.REGISTERED)
    before = snapshot(activity)
    with pytest.raises(Refused):
        services.activity_deregister(activity=activity, user=world.sofia, comment="Alone.")
    assert snapshot(activity) == before


def test_no_person_is_offered_the_boards_transitions(world, under_review):
    for persona in PERSONAS:
        offered = available_actions(world.people[persona], under_review).names
        assert not offered & {"register", "reject"}, persona


@pytest.mark.parametrize("name", ["approve_issuance", "reject_issuance"])
def test_an_individual_sb_member_is_refused_on_issuance_decisions(world, period_under_review, name):
    for persona in PERSONAS:
        with pytest.raises(Refused):
            getattr(services, f"period_{name}")(period=period_under_review, user=world.people[persona],
                                                comment="Alone.")
    assert MonitoringPeriod.objects.get(pk=period_under_review.pk).state == P.ISSUANCE_UNDER_SB_REVIEW


def test_the_board_approves_an_issuance_electronically(world, board, period_under_review, electronic):
    """A6.4-PROC-AC-002 v03.0 para 213; the appeal window (RuleSet.appeal_days) starts at the decision."""
    period = period_under_review
    decision = electronic(period, transition="approve_issuance", comment="Leakage is accounted for.")
    votes(decision, board.members, Vote.Choice.YES)  # the last member's vote decides
    period = MonitoringPeriod.objects.get(pk=period.pk)
    assert period.state == P.APPROVED
    days = RuleSet.objects.in_force().appeal_days
    assert period.due_at == period.state_entered_at + datetime.timedelta(days=days)
    decided = Event.objects.get(stream=period.activity.stream, kind=EventKind.BOARD_DECIDED)
    fired = Event.objects.filter(stream=period.activity.stream, kind=EventKind.MONITORING_TRANSITIONED).last()
    assert (decided.payload["monitoring_period"], decided.payload["subject"]) == (period.number, "period")
    assert (fired.actor_label, fired.to_state, fired.payload["monitoring_period"]) == (
        f"board:{decision.pk}", P.APPROVED, period.number)


def test_the_board_rejects_an_issuance_at_a_meeting(world, period_under_review):
    f.board_decide(world, period_under_review, "reject_issuance", "Over-estimated leakage.")
    assert MonitoringPeriod.objects.get(pk=period_under_review.pk).state == P.REJECTED


def test_the_host_dna_may_request_review(world, activity, advance_to):
    """A6.4-PROC-AC-002 v03.0 para 85: the host Party, through its DNA; another Party's DNA may not."""
    activity = advance_to(activity, A.REVIEW_WINDOW)
    with pytest.raises(Refused):
        services.activity_request_review(activity=activity, user=world.nils, comment="Not our activity.")
    services.activity_request_review(activity=activity, user=world.dina, comment="The baseline is too high.")
    activity = Activity.objects.get(pk=activity.pk)
    assert activity.state == A.UNDER_SB_REVIEW
    event = activity.events.order_by("-sequence").first()
    assert (event.actor, event.role) == (world.dina, str(Role.DNA))


def test_the_host_dna_may_request_an_issuance_review(world, registered, submit, drive):
    """A6.4-PROC-AC-002 v03.0 para 194."""
    period = drive(submit(registered), P.ISSUANCE_REVIEW_WINDOW)
    services.period_request_issuance_review(period=period, user=world.dina, comment="Vintages look wrong.")
    assert MonitoringPeriod.objects.get(pk=period.pk).state == P.ISSUANCE_UNDER_SB_REVIEW


def test_an_alternate_member_may_request_review(world, board, activity, advance_to):
    """A6.4-PROC-AC-002 v03.0 para 85: any member or alternate member."""
    activity = advance_to(activity, A.REVIEW_WINDOW)
    services.activity_request_review(activity=activity, user=board.alternates[4], comment="Check the leakage.")
    assert Activity.objects.get(pk=activity.pk).state == A.UNDER_SB_REVIEW

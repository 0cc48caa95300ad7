"""Electronic decisions of the Supervisory Body (RoP rule 67, as A6.4-SBM017 v01.0 para 36 applies it):
the quorum of RMP para 17, consensus or the three-fourths majority of RMP para 22, one vote per
person within the window, alternates voting only in their member's absence.

Readings (docs/rules-coverage.md): "present" = the seats that voted yes, no or abstained; the
quorum is RuleSet.board_quorum_fraction of RuleSet.board_members (3/4 of 12 = 9); consensus =
at least one yes and no objection; the majority is yes / (yes + no), abstentions not counted.
"""
import datetime

import pytest
import time_machine

from methodologies.models import RuleSet
from pacm.common.errors import Refused, ServiceError
from pacm.events.models import Event, EventKind
from projects import services
from projects.board.models import Decision, Vote
from projects.board.services import board_decision_close, board_decisions_close_due, board_vote_cast
from projects.cycle import ActivityState as A
from projects.models import Activity

from .conftest import after_the_window, votes


def state(activity):
    return Activity.objects.get(pk=activity.pk).state


def decided(decision):
    return Decision.objects.get(pk=decision.pk)


def board_events(activity, kind=EventKind.BOARD_DECIDED):
    return list(Event.objects.filter(stream=activity.stream, kind=kind).order_by("sequence"))


def test_the_window_and_the_quorum_come_from_the_rule_set(world, board, under_review, electronic):
    rule_set = RuleSet.objects.in_force()
    # The defaults: RMP paras 4, 17 and 22; the window is the reading of docs/rules-coverage.md.
    assert (rule_set.board_members, rule_set.board_quorum_numerator, rule_set.board_quorum_denominator,
            rule_set.board_majority_numerator, rule_set.board_majority_denominator,
            rule_set.board_electronic_days) == (12, 3, 4, 3, 4, 14)
    decision = electronic(under_review)
    assert decision.rule_set == rule_set
    assert decision.closes_at == decision.opened_at + datetime.timedelta(days=14)
    assert decision.quorum_needed == 9  # RMP para 17: three quarters of 12
    opened = board_events(under_review, EventKind.BOARD_DECISION_OPENED)
    assert [(e.actor, e.payload["decision"], e.payload["proposed"], e.payload["quorum"]) for e in opened] == [
        (world.sam, decision.pk, "register", 9)]


def test_quorum_missed(world, board, under_review, electronic):
    """RMP para 17: 8 of 12 seats voting is below the quorum of 9, even if all say yes."""
    decision = electronic(under_review)
    votes(decision, board.members[:8], Vote.Choice.YES)
    assert decided(decision).status == Decision.Status.OPEN
    with after_the_window(decision):
        assert board_decisions_close_due() == [(decision.pk, Decision.Status.NOT_ADOPTED)]
    decision = decided(decision)
    assert (decision.status, decision.basis, decision.present, decision.yes) == (
        Decision.Status.NOT_ADOPTED, Decision.Basis.QUORUM_MISSED, 8, 8)
    assert state(under_review) == A.UNDER_SB_REVIEW
    assert not Event.objects.filter(stream=under_review.stream, kind=EventKind.ACTIVITY_TRANSITIONED,
                                    to_state=A.REGISTERED).exists()
    assert [e.payload["outcome"] for e in board_events(under_review)] == ["not_adopted"]


def test_abstentions_count_for_the_quorum(world, board, under_review, electronic):
    """Present = voted yes, no or abstained: 8 yes and 1 abstention make the 9 of the quorum."""
    decision = electronic(under_review)
    votes(decision, board.members[:8], Vote.Choice.YES)
    votes(decision, board.members[8:9], Vote.Choice.ABSTAIN)
    with after_the_window(decision):
        board_decisions_close_due()
    decision = decided(decision)
    assert (decision.status, decision.basis, decision.present) == (Decision.Status.ADOPTED,
                                                                   Decision.Basis.CONSENSUS, 9)
    assert state(under_review) == A.REGISTRATION_APPROVED


def test_consensus_closes_on_the_last_vote(world, board, under_review, electronic):
    """Every member has voted, with no objection: adopted at once, without waiting for the window."""
    decision = electronic(under_review)
    votes(decision, board.members[:10], Vote.Choice.YES)
    votes(decision, board.members[10:11], Vote.Choice.ABSTAIN)
    assert decided(decision).status == Decision.Status.OPEN
    votes(decision, board.members[11:], Vote.Choice.YES)
    decision = decided(decision)
    assert (decision.status, decision.basis, decision.yes, decision.no, decision.abstain) == (
        Decision.Status.ADOPTED, Decision.Basis.CONSENSUS, 11, 0, 1)
    assert state(under_review) == A.REGISTRATION_APPROVED


def test_three_fourths_majority_reached(world, board, under_review, electronic):
    """RMP para 22: 9 yes, 3 no is exactly three fourths of those present and voting."""
    decision = electronic(under_review)
    votes(decision, board.members[:9], Vote.Choice.YES)
    votes(decision, board.members[9:], Vote.Choice.NO)
    decision = decided(decision)  # the last member voted: decided
    assert (decision.status, decision.basis, decision.yes, decision.no) == (
        Decision.Status.ADOPTED, Decision.Basis.MAJORITY, 9, 3)
    assert state(under_review) == A.REGISTRATION_APPROVED


def test_abstentions_are_not_votes_for_the_majority(world, board, under_review, electronic):
    """6 yes, 2 no, 4 abstaining: 6 of the 8 voting is three fourths (6 of 12 would not be)."""
    decision = electronic(under_review)
    votes(decision, board.members[:6], Vote.Choice.YES)
    votes(decision, board.members[6:8], Vote.Choice.NO)
    votes(decision, board.members[8:], Vote.Choice.ABSTAIN)
    decision = decided(decision)
    assert (decision.status, decision.basis) == (Decision.Status.ADOPTED, Decision.Basis.MAJORITY)
    assert state(under_review) == A.REGISTRATION_APPROVED


def test_three_fourths_majority_missed(world, board, under_review, electronic):
    """8 yes, 3 no (8/11 < 3/4) with a quorum present: not adopted, nothing fires."""
    decision = electronic(under_review)
    votes(decision, board.members[:8], Vote.Choice.YES)
    votes(decision, board.members[8:11], Vote.Choice.NO)
    with after_the_window(decision):
        board_decisions_close_due()
    decision = decided(decision)
    assert (decision.status, decision.basis, decision.present) == (
        Decision.Status.NOT_ADOPTED, Decision.Basis.MAJORITY_MISSED, 11)
    assert state(under_review) == A.UNDER_SB_REVIEW
    # Not adopted: the Board may be asked again, by a new decision.
    again = services_open_again(world, under_review)
    assert again.status == Decision.Status.OPEN


def services_open_again(world, activity):
    from projects.board.services import board_decision_open_electronic

    return board_decision_open_electronic(subject=activity, transition="reject", user=world.sam,
                                          comment="Additionality is not demonstrated.")


def test_the_fractions_and_the_window_are_rule_set_data(world, board, under_review, electronic):
    """A rule set with a two-thirds quorum and majority and a 7-day window: 8 seats present, 5 yes
    and 2 no (5/7 >= 2/3, below 3/4) adopt, where the defaults (quorum 9, 3/4) would not."""
    RuleSet.objects.create(version="board-2/3", effective_from=datetime.date(2025, 8, 8), board_electronic_days=7,
                           board_quorum_numerator=2, board_quorum_denominator=3,
                           board_majority_numerator=2, board_majority_denominator=3)
    decision = electronic(under_review)
    assert decision.quorum_needed == 8
    assert decision.closes_at == decision.opened_at + datetime.timedelta(days=7)
    votes(decision, board.members[:5], Vote.Choice.YES)
    votes(decision, board.members[5:7], Vote.Choice.NO)
    votes(decision, board.members[7:8], Vote.Choice.ABSTAIN)
    with after_the_window(decision):
        board_decisions_close_due()
    decision = decided(decision)
    assert (decision.status, decision.basis, decision.present) == (Decision.Status.ADOPTED,
                                                                   Decision.Basis.MAJORITY, 8)
    assert state(under_review) == A.REGISTRATION_APPROVED


def test_a_vote_after_the_window_is_refused(world, board, under_review, electronic):
    decision = electronic(under_review)
    with time_machine.travel(decision.closes_at, tick=False):
        with pytest.raises(Refused, match="closed on .*votes are no longer taken"):
            board_vote_cast(decision=decision, user=world.sofia, choice=Vote.Choice.YES)
    assert not Vote.objects.exists()
    with time_machine.travel(decision.closes_at - datetime.timedelta(seconds=1), tick=False):
        board_vote_cast(decision=decision, user=world.sofia, choice=Vote.Choice.YES)
    assert Vote.objects.get().voter == world.sofia


def test_a_member_voting_twice_is_refused(world, board, under_review, electronic):
    decision = electronic(under_review)
    board_vote_cast(decision=decision, user=world.sofia, choice=Vote.Choice.NO)
    for choice in (Vote.Choice.NO, Vote.Choice.YES):
        with pytest.raises(Refused, match="You already voted on decision .* \\(no, .*cannot be changed"):
            board_vote_cast(decision=decision, user=world.sofia, choice=choice)
    assert list(Vote.objects.values_list("voter__username", "choice")) == [("sofia", "no")]


def test_only_members_and_alternates_vote(world, board, under_review, electronic):
    decision = electronic(under_review)
    for persona in ("ama", "kofi", "dora", "otto", "dina", "nils", "sam"):
        with pytest.raises(Refused, match="Only members and alternate members"):
            board_vote_cast(decision=decision, user=world.people[persona], choice=Vote.Choice.YES)
    with pytest.raises(ServiceError, match="Vote yes, no or abstain"):
        board_vote_cast(decision=decision, user=world.sofia, choice="maybe")
    assert not Vote.objects.exists()


def test_an_alternates_vote_counts_when_the_member_does_not_vote(world, board, under_review, electronic):
    """sofia does not vote; her alternate's no is counted for her seat, and blocks consensus."""
    decision = electronic(under_review)
    votes(decision, board.members[1:10], Vote.Choice.YES)
    board_vote_cast(decision=decision, user=board.alternates[0], choice=Vote.Choice.NO)
    vote = Vote.objects.get(voter=board.alternates[0])
    assert (vote.capacity, vote.seat) == (Vote.Capacity.ALTERNATE, world.sofia)
    with after_the_window(decision):
        board_decisions_close_due()
    decision = decided(decision)
    assert (decision.yes, decision.no, decision.present, decision.basis) == (9, 1, 10, Decision.Basis.MAJORITY)
    assert decision.status == Decision.Status.ADOPTED  # 9 / 10 >= 3/4


def test_the_members_vote_counts_over_the_alternates(world, board, under_review, electronic):
    """The alternate voted first; the member then votes: one seat, the member's vote counted."""
    decision = electronic(under_review)
    board_vote_cast(decision=decision, user=board.alternates[0], choice=Vote.Choice.NO)
    board_vote_cast(decision=decision, user=world.sofia, choice=Vote.Choice.YES)
    votes(decision, board.members[1:9], Vote.Choice.YES)
    with after_the_window(decision):
        board_decisions_close_due()
    decision = decided(decision)
    assert (decision.yes, decision.no, decision.present, decision.basis) == (9, 0, 9, Decision.Basis.CONSENSUS)
    assert state(under_review) == A.REGISTRATION_APPROVED


def test_an_alternate_may_not_vote_once_the_member_has(world, board, under_review, electronic):
    decision = electronic(under_review)
    board_vote_cast(decision=decision, user=world.sofia, choice=Vote.Choice.YES)
    with pytest.raises(Refused, match="sofia, the member you stand for, has voted"):
        board_vote_cast(decision=decision, user=board.alternates[0], choice=Vote.Choice.NO)
    assert Vote.objects.count() == 1


def test_the_decision_is_not_closed_before_its_window(world, board, under_review, electronic):
    decision = electronic(under_review)
    votes(decision, board.members[:9], Vote.Choice.YES)
    assert board_decisions_close_due() == []
    with pytest.raises(Refused, match="not due yet"):
        board_decision_close(decision=decision)
    assert decided(decision).status == Decision.Status.OPEN
    assert state(under_review) == A.UNDER_SB_REVIEW


def test_an_adopted_decision_lapses_when_the_subject_moved_on(world, board, under_review, electronic):
    """The participants withdraw while the votes are taken: adopted, recorded, nothing fires."""
    decision = electronic(under_review)
    votes(decision, board.members[:9], Vote.Choice.YES)
    services.activity_withdraw(activity=under_review, user=world.ama, comment="Project cancelled.")
    with after_the_window(decision):
        assert board_decisions_close_due() == [(decision.pk, Decision.Status.LAPSED)]
    decision = decided(decision)
    assert "not possible while" in decision.note
    assert state(under_review) == A.WITHDRAWN
    assert [e.payload["outcome"] for e in board_events(under_review)] == ["lapsed"]


def test_one_open_decision_per_subject(world, board, under_review, electronic):
    from projects.board.services import board_decision_record_meeting

    electronic(under_review)
    with pytest.raises(Refused, match="is open until"):
        electronic(under_review, transition="reject")
    with pytest.raises(Refused, match="is open until"):
        board_decision_record_meeting(subject=under_review, transition="register", user=world.sam,
                                      meeting="SBM019", agenda_item="4.2", outcome="adopted", comment="Meets.")
    assert Decision.objects.count() == 1
    assert state(under_review) == A.UNDER_SB_REVIEW


def test_only_the_secretariat_opens_an_electronic_decision(world, board, under_review):
    from projects.board.services import board_decision_open_electronic
    from tests.projects.support import PERSONAS, snapshot

    before = snapshot(under_review)
    for user in [world.people[p] for p in PERSONAS if p != "sam"] + [board.members[1], board.alternates[1]]:
        with pytest.raises(Refused, match="Only the secretariat may open an electronic decision"):
            board_decision_open_electronic(subject=under_review, transition="register", user=user, comment="Go.")
    with pytest.raises(ServiceError, match="Give the proposal with its reasons") as error:
        board_decision_open_electronic(subject=under_review, transition="register", user=world.sam, comment=" ")
    assert error.value.field == "comment"
    with pytest.raises(ServiceError, match="by one of: deregister, refuse_monitoring_termination, register, reject, terminate_monitoring"):
        board_decision_open_electronic(subject=under_review, transition="withdraw", user=world.sam, comment="Go.")
    assert snapshot(under_review) == before
    assert not Decision.objects.exists()

"""Decisions taken at a meeting (A6.4-PROC-AC-002 v03.0 paras 102, 213), recorded by the secretariat
with the meeting's number and agenda item; a vote's counts must give the outcome of RMP para 22."""
import pytest
from django.contrib.auth.models import AnonymousUser

from pacm.common.errors import Refused, ServiceError
from pacm.events.models import Event
from projects.board.models import Decision
from projects.board.services import board_decision_record_meeting
from projects.cycle import ActivityState as A
from projects.models import Activity
from tests import factories as f
from tests.projects.support import PERSONAS, snapshot


def record(world, activity, **kw):
    data = dict(subject=activity, transition="register", user=world.sam, meeting="SBM019", agenda_item="4.2",
                outcome="adopted", comment="Meets the requirements (RMP 49).")
    data.update(kw)
    return board_decision_record_meeting(**data)


def nothing_written(activity, before):
    assert snapshot(activity) == before
    assert not Decision.objects.exists()


def test_a_meeting_decision_recorded_by_the_secretariat(world, under_review):
    decision = f.board_decide(world, under_review, "register", "Meets the requirements (RMP 49).")
    decision = Decision.objects.get(pk=decision.pk)
    assert (decision.mode, decision.status, decision.basis) == (
        Decision.Mode.MEETING, Decision.Status.ADOPTED, Decision.Basis.CONSENSUS)
    assert (decision.meeting, decision.agenda_item, decision.opened_by) == ("SBM019", "4.2", world.sam)
    assert (decision.subject, decision.transition, decision.subject_state) == (
        under_review, "register", A.UNDER_SB_REVIEW)
    assert Activity.objects.get(pk=under_review.pk).state == A.REGISTRATION_APPROVED


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "sam"] + ["anonymous", "member", "alternate"])
def test_only_the_secretariat_records_a_meeting_decision(world, board, under_review, persona):
    user = {"anonymous": AnonymousUser(), "member": board.members[5], "alternate": board.alternates[0]}.get(
        persona) or world.people[persona]
    before = snapshot(under_review)
    with pytest.raises(Refused, match="Only the secretariat may record a decision of the Board"):
        record(world, under_review, user=user)
    nothing_written(under_review, before)


def test_a_decision_by_vote_gives_its_counts(world, under_review):
    decision = record(world, under_review, by="vote", yes=9, no=2, abstain=1)
    assert (decision.basis, decision.yes, decision.no, decision.abstain) == (Decision.Basis.MAJORITY, 9, 2, 1)
    assert Activity.objects.get(pk=under_review.pk).state == A.REGISTRATION_APPROVED


def test_a_proposal_not_adopted_by_the_vote_fires_nothing(world, under_review):
    before = Event.objects.filter(stream=under_review.stream).count()
    decision = record(world, under_review, outcome="not_adopted", by="vote", yes=8, no=3, abstain=0, comment="")
    assert (decision.status, decision.basis) == (Decision.Status.NOT_ADOPTED, Decision.Basis.MAJORITY_MISSED)
    assert Activity.objects.get(pk=under_review.pk).state == A.UNDER_SB_REVIEW
    assert Event.objects.filter(stream=under_review.stream).count() == before + 1  # the decision only


@pytest.mark.parametrize("kw,field,message", [
    (dict(by="vote", yes=8, no=3, abstain=0), "outcome", "do not make a three-fourths majority"),
    (dict(outcome="not_adopted", by="vote", yes=9, no=3, abstain=0), "outcome", "make a three-fourths majority"),
    (dict(by="vote", yes=9, no=3, abstain=1), "yes", "More votes than the Board has members"),
    (dict(by="vote", yes=9, no=None, abstain=0), "no", "Give the number of 'no' votes"),
    (dict(by="vote", yes=9, no=-1, abstain=0), "no", "0 or more"),
    (dict(by="consensus", yes=12), "by", "Counts are given only"),
    (dict(outcome="not_adopted", by="consensus"), "by", "not adopted by consensus"),
    (dict(by="acclamation"), "by", "by consensus or by a vote"),
    (dict(outcome="maybe"), "outcome", "adopted"),
    (dict(meeting="COP29"), "meeting", "SBM019"),
    (dict(meeting=""), "meeting", "SBM019"),
    (dict(agenda_item="  "), "agenda_item", "agenda item"),
    (dict(comment="  "), "comment", "Give the reasons"),
    (dict(transition="request_review"), "transition", "deregister, refuse_monitoring_termination, register, reject, terminate_monitoring"),
    (dict(transition="approve_issuance"), "transition", "deregister, refuse_monitoring_termination, register, reject, terminate_monitoring"),
])
def test_bad_input_is_a_clear_error_and_writes_nothing(world, under_review, kw, field, message):
    before = snapshot(under_review)
    with pytest.raises(ServiceError, match=message) as error:
        record(world, under_review, **kw)
    assert not isinstance(error.value, Refused)
    assert error.value.field == field
    nothing_written(under_review, before)


def test_meeting_numbers_are_read_as_the_reports_give_them(world, under_review):
    assert record(world, under_review, meeting=" a6.4-sbm019 ").meeting == "SBM019"


def test_a_proposal_from_the_wrong_state_is_refused(world, activity, advance_to):
    activity = advance_to(activity, A.REVIEW_WINDOW)
    before = snapshot(activity)
    # The Board's decision is a write declared for the states under SB review (projects/cycle.py).
    with pytest.raises(Refused, match="'Record or open the Board's decision' is not possible while .* is review window"):
        record(world, activity)
    nothing_written(activity, before)


def test_the_board_deregisters(world, activity, advance_to):
    activity = advance_to(activity, A.REGISTERED)
    f.board_decide(world, activity, "deregister", "All participants asked for it (PROC-AC-002 para 251).")
    assert Activity.objects.get(pk=activity.pk).state == A.DEREGISTERED

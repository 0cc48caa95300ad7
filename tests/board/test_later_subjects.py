"""The Board panel on the later machines (docs/rules-coverage.md §3, §7.2, §8): a PoA's registration
(A6.4-PROC-AC-003 v03.0 paras 44-90, as A6.4-PROC-AC-002 v03.0 paras 102-103), a CP's erroneous-inclusion
review (PROC-AC-003 para 136), a CDM transition request (A6.4-PROC-AC-001 v06.0 paras 46-49), a
renewal (PROC-AC-002 para 249; PROC-AC-003 para 292), a CP renewal's review (PROC-AC-003 paras 302, 305).
Each is decided as a body (RMP para 22): at a
meeting the secretariat records, or electronically by the members' votes (A6.4-SBM017 v01.0 para
36); the decision fires the machine's `Role.BOARD` transition through its service, as "board:<id>".
"""
import datetime

import pytest
from django.urls import reverse

from pacm.common.errors import Refused, ServiceError
from pacm.events.models import Event
from projects.board.models import Decision, Vote
from projects.board.services import board_decision_open_electronic, board_decision_record_meeting, board_vote_cast
from projects.board.subjects import subject_kind_of
from projects.cycle import ActivityState as A
from projects.poa import services as poa_services
from projects.poa.cycle import CPState as C
from projects.poa.models import ComponentProject, Programme
from projects.renewals.cycle import CPRenewalState as CRS
from projects.renewals.cycle import RenewalState as RS
from projects.renewals.models import CPRenewal, PoARenewal, RenewalRequest
from projects.renewals.selectors import renewals_waiting
from projects.transition.cycle import TransitionState as TS
from projects.transition.models import TransitionRequest
from tests.poa.conftest import notify_cp, poa_data, reach_cp, reach_poa
from tests.renewals import helpers as renewals
from tests.renewals.poa_helpers import registered_poa, renewed_cp
from tests.transition import helpers as transition

from .conftest import votes

pytestmark = pytest.mark.django_db

PEOPLE = ("ama", "dora", "otto", "dina", "nils", "kofi")  # no secretariat, no SB member among them


def _events(stream, since):
    return [(e.kind, e.payload.get("transition") or e.payload.get("proposed"), e.actor_label)
            for e in Event.objects.filter(stream=stream, sequence__gt=since).order_by("sequence")]


def _last(stream):
    return Event.objects.filter(stream=stream).order_by("-sequence").values_list("sequence", flat=True).first() or 0


def _refused_to_all_but_the_secretariat(world, subject, transition):
    for name in PEOPLE + ("sofia",):
        with pytest.raises(Refused):
            board_decision_open_electronic(subject=subject, transition=transition, user=getattr(world, name),
                                           comment="Proposal.")


def _poa_under_review(world):
    poa = reach_poa(world, poa_services.poa_create(**poa_data(world)), A.REVIEW_WINDOW)
    return poa_services.poa_request_review(poa=poa, user=world.sofia, comment="Check the per-host caps.")


def test_a_poa_is_registered_by_an_electronic_decision(world, board):
    poa = _poa_under_review(world)
    assert subject_kind_of(poa).key == "poa"
    assert [t.name for t in subject_kind_of(poa).proposals(poa)] == ["register", "reject"]
    _refused_to_all_but_the_secretariat(world, poa, "register")
    # A single SB member may not fire the Board's transition (RMP 22).
    with pytest.raises(Refused):
        poa_services.poa_register(poa=poa, user=world.sofia, comment="Yes.")
    since = _last(poa.stream)
    decision = board_decision_open_electronic(subject=poa, transition="register", user=world.sam,
                                              comment="The PoA meets the requirements (PROC-AC-003 para 44).")
    for name in PEOPLE + ("sam",):  # only members and alternates vote
        with pytest.raises(Refused):
            board_vote_cast(decision=decision, user=getattr(world, name), choice=Vote.Choice.YES)
    votes(decision, board.members, Vote.Choice.YES)  # the last member's vote closes it
    decision = Decision.objects.get(pk=decision.pk)
    assert (decision.status, decision.basis, decision.yes, decision.present) == (
        Decision.Status.ADOPTED, Decision.Basis.CONSENSUS, 12, 12)
    assert Programme.objects.get(pk=poa.pk).state == A.REGISTRATION_APPROVED
    label = f"board:{decision.pk}"
    assert _events(poa.stream, since) == [
        ("board.decision_opened", "register", "sam"),
        ("board.decided", "register", label),
        ("poa.transitioned", "register", label),
    ]


def test_a_poa_registration_rejected_at_a_meeting(world, board):
    poa = _poa_under_review(world)
    since = _last(poa.stream)
    for name in PEOPLE + ("sofia",):
        with pytest.raises(Refused):
            board_decision_record_meeting(subject=poa, transition="reject", user=getattr(world, name),
                                          meeting="SBM019", agenda_item="4.2", outcome="adopted",
                                          comment="Eligibility criteria incomplete.")
    decision = board_decision_record_meeting(subject=poa, transition="reject", user=world.sam, meeting="SBM019",
                                             agenda_item="4.2", outcome="adopted",
                                             comment="Eligibility criteria incomplete.")
    assert Programme.objects.get(pk=poa.pk).state == A.REJECTED
    assert _events(poa.stream, since) == [
        ("board.decided", "reject", "sam"), ("poa.transitioned", "reject", f"board:{decision.pk}")]


def _cp_under_review(world):
    poa = reach_poa(world, poa_services.poa_create(**poa_data(world)), A.REGISTERED)
    cp = reach_cp(world, notify_cp(world, poa), C.INCLUDED)
    return poa_services.cp_request_inclusion_review(cp=cp, user=world.dina, comment="Outside the boundary?")


@pytest.mark.parametrize("transition, state", [("confirm_inclusion", C.INCLUDED),
                                               ("exclude_erroneous", C.EXCLUDED_ERRONEOUS)])
def test_a_cp_inclusion_review_is_decided_by_the_board(world, board, transition, state):
    cp = _cp_under_review(world)
    assert [t.name for t in subject_kind_of(cp).proposals(cp)] == ["confirm_inclusion", "exclude_erroneous"]
    _refused_to_all_but_the_secretariat(world, cp, transition)
    with pytest.raises(Refused):
        poa_services.cp_exclude_erroneous(cp=cp, user=world.sofia, comment="No.")
    since = _last(cp.poa.stream)
    decision = board_decision_open_electronic(subject=cp, transition=transition, user=world.sam,
                                              comment="PROC-AC-003 para 136.")
    votes(decision, board.members[:11], Vote.Choice.YES)
    votes(decision, board.members[11:], Vote.Choice.NO)  # 11 of 12: the three-fourths majority
    decision = Decision.objects.get(pk=decision.pk)
    assert (decision.status, decision.basis) == (Decision.Status.ADOPTED, Decision.Basis.MAJORITY)
    assert ComponentProject.objects.get(pk=cp.pk).state == state
    label = f"board:{decision.pk}"
    rows = Event.objects.filter(stream=cp.poa.stream, sequence__gt=since).order_by("sequence")
    assert [(e.kind, e.payload.get("component")) for e in rows] == [
        ("board.decision_opened", cp.reference), ("board.decided", cp.reference), ("cp.transitioned", cp.reference)]
    assert _events(cp.poa.stream, since)[-1] == ("cp.transitioned", transition, label)


def _transition_under_review(world, clock):
    request = transition.drive(world, clock, transition.create(world, clock), TS.REVIEW_WINDOW)
    from projects.transition import services as ts

    return ts.transition_request_request_review(request=request, user=world.sofia, comment="fNRB")


@pytest.mark.parametrize("proposal, state", [("approve", TS.APPROVED), ("approve_with_modifications", TS.MODIFICATIONS),
                                             ("reject", TS.REJECTED)])
def test_a_transition_request_is_decided_by_an_electronic_decision(world, board, time_machine, proposal, state):
    request = _transition_under_review(world, time_machine)
    assert subject_kind_of(request).key == "transition"
    assert {t.name for t in subject_kind_of(request).proposals(request)} == {
        "approve", "approve_with_modifications", "reject"}
    _refused_to_all_but_the_secretariat(world, request, proposal)
    since = _last(request.stream)
    decision = board_decision_open_electronic(subject=request, transition=proposal, user=world.sam,
                                              comment="Use fNRB 0.843 (PROC-AC-001 para 46).")
    votes(decision, board.members, Vote.Choice.YES)
    request = TransitionRequest.objects.get(pk=request.pk)
    assert request.state == state
    assert request.rejected_by_board is (proposal == "reject")  # para 49: no resubmission
    label = f"board:{decision.pk}"
    # The merged refunds: a rejection also records fee.refund_due for the paid transition fee (PROC-AC-001 para 35).
    refund = [("fee.refund_due", None, label)] if proposal == "reject" else []
    assert _events(request.stream, since) == [
        ("board.decision_opened", proposal, "sam"),
        ("board.decided", proposal, label),
        *refund,
        ("transition.transitioned", proposal, label),
    ]
    # The transition request has no activity yet: the decision's events link to none.
    assert Event.objects.filter(stream=request.stream, kind="board.decided").get().activity_id is None


def test_a_transition_decision_not_adopted_leaves_the_request_under_review(world, board, time_machine):
    request = _transition_under_review(world, time_machine)
    decision = board_decision_open_electronic(subject=request, transition="approve", user=world.sam, comment="Approve.")
    votes(decision, board.members[:6], Vote.Choice.YES)
    votes(decision, board.members[6:], Vote.Choice.NO)
    decision = Decision.objects.get(pk=decision.pk)
    assert (decision.status, decision.basis) == (Decision.Status.NOT_ADOPTED, Decision.Basis.MAJORITY_MISSED)
    assert TransitionRequest.objects.get(pk=request.pk).state == TS.UNDER_REVIEW


def _renewal_under_review(world, clock, subject):
    renewal = renewals.drive(world, clock, renewals.request(world, subject), RS.REVIEW_WINDOW)
    from projects.renewals import services as rs

    return rs.renewal_request_review(renewal=renewal, user=world.sofia, comment="The baseline looks stale.")


def _at(clock, day):
    clock.move_to(datetime.datetime.combine(day, datetime.time(9), tzinfo=datetime.UTC), tick=False)


def test_a_project_renewal_is_decided_by_the_board(world, board, advance_to, time_machine):
    project = renewals.registered_renewable(world, advance_to)
    _at(time_machine, project.crediting_end - datetime.timedelta(days=100))
    renewal = _renewal_under_review(world, time_machine, project)
    assert type(renewal) is RenewalRequest and subject_kind_of(renewal).key == "renewal"
    _refused_to_all_but_the_secretariat(world, renewal, "approve")
    since = _last(project.stream)
    decision = board_decision_open_electronic(subject=renewal, transition="approve", user=world.sam,
                                              comment="PROC-AC-002 para 249.")
    votes(decision, board.members, Vote.Choice.YES)
    assert renewals.fresh(renewal).state == RS.APPROVED
    label = f"board:{decision.pk}"
    rows = Event.objects.filter(stream=project.stream, sequence__gt=since).order_by("sequence")
    assert [(e.kind, e.payload.get("renewal"), e.actor_label) for e in rows] == [
        ("board.decision_opened", 1, "sam"), ("board.decided", 1, label), ("renewal.transitioned", 1, label)]


def test_a_poa_renewal_is_rejected_at_a_meeting_on_the_panel(world, board, time_machine, as_user):
    poa = registered_poa(world)
    _at(time_machine, poa.crediting_end - datetime.timedelta(days=100))
    renewal = _renewal_under_review(world, time_machine, poa)
    assert type(renewal) is PoARenewal and subject_kind_of(renewal).key == "poa_renewal"
    page = reverse("renewal-detail", kwargs={"pk": renewal.pk})
    record = reverse("board-subject-record", kwargs={"kind": "poa_renewal", "pk": renewal.pk})
    assert record in as_user(world.sam).get(page).content.decode()  # the panel, for the secretariat
    assert record not in as_user(world.ama).get(page).content.decode()
    form = {"board-meeting-transition": "reject", "board-meeting-meeting": "nonsense", "board-meeting-agenda_item": "4.2",
            "board-meeting-outcome": "adopted", "board-meeting-by": "consensus",
            "board-meeting-comment": "The downward adjustment is not applied."}
    assert as_user(world.ama).post(record, form).status_code == 403
    response = as_user(world.sam).post(record, form)  # bad input: the page again, nothing changed
    assert response.status_code == 200 and "number as its report does" in response.content.decode()
    assert renewals.fresh(renewal).state == RS.UNDER_REVIEW and not Decision.objects.exists()
    since = _last(poa.stream)
    response = as_user(world.sam).post(record, {**form, "board-meeting-meeting": "SBM019"})
    assert response.status_code == 302 and response["Location"].endswith("#board")
    assert renewals.fresh(renewal).state == RS.REJECTED
    decision = Decision.objects.get()
    assert (decision.subject_kind, decision.meeting, decision.transition) == ("poa_renewal", "SBM019", "reject")
    # The merged refunds: a rejected renewal with a paid fee also records fee.refund_due (PROC-AC-003 App.1 para 19).
    assert _events(poa.stream, since) == [
        ("board.decided", "reject", "sam"), ("fee.refund_due", None, f"board:{decision.pk}"),
        ("renewal.transitioned", "reject", f"board:{decision.pk}")]


def _cp_renewal_under_review(world, clock):
    from projects.renewals import review

    poa, cp, renewal = renewed_cp(world, clock)
    return poa, cp, review.cp_renewal_request_review(renewal=renewal, user=world.dina,
                                                     comment="The CP no longer meets eligibility criterion 3.")


def test_a_cp_renewal_review_is_decided_on_the_panel(world, board, time_machine, as_user):
    """PROC-AC-003 v03.0 paras 302, 305 (para 132 mutatis mutandis; renewal-17): the SB reverses an
    erroneous CP renewal at its meeting, recorded by sam on the renewal page's Board panel."""
    poa, cp, renewal = _cp_renewal_under_review(world, time_machine)
    assert type(renewal) is CPRenewal and subject_kind_of(renewal).key == "cp_renewal"
    assert [t.name for t in subject_kind_of(renewal).proposals(renewal)] == ["confirm_renewal", "reverse_renewal"]
    # The dashboards' queue: the decision waits for the secretariat, no one else.
    assert renewal.pk in {r.pk for r in renewals_waiting(world.sam)}
    assert renewal.pk not in {r.pk for r in renewals_waiting(world.sofia)}
    page = reverse("renewal-detail", kwargs={"pk": renewal.pk})
    record = reverse("board-subject-record", kwargs={"kind": "cp_renewal", "pk": renewal.pk})
    assert record in as_user(world.sam).get(page).content.decode()  # the panel, for the secretariat
    assert record not in as_user(world.ama).get(page).content.decode()
    form = {"board-meeting-transition": "reverse_renewal", "board-meeting-meeting": "SBM020",
            "board-meeting-agenda_item": "5.1", "board-meeting-outcome": "adopted", "board-meeting-by": "consensus",
            "board-meeting-comment": "Erroneously renewed: criterion 3 is not met."}
    for name in ("ama", "otto", "dina", "sofia"):
        assert as_user(getattr(world, name)).post(record, form).status_code == 403
    assert renewals.fresh(renewal).state == CRS.UNDER_REVIEW and not Decision.objects.exists()
    since = _last(poa.stream)
    response = as_user(world.sam).post(record, form)
    assert response.status_code == 302 and response["Location"].endswith("#board")
    assert renewals.fresh(renewal).state == CRS.REVERSED
    assert ComponentProject.objects.get(pk=cp.pk).crediting_end == renewal.previous_end  # immediate effect
    decision = Decision.objects.get()
    assert (decision.subject_kind, decision.meeting, decision.transition) == ("cp_renewal", "SBM020", "reverse_renewal")
    assert _events(poa.stream, since) == [
        ("board.decided", "reverse_renewal", "sam"), ("renewal.transitioned", "reverse_renewal", f"board:{decision.pk}")]
    decided = Event.objects.get(stream=poa.stream, kind="board.decided")
    assert {k: decided.payload[k] for k in ("subject", "component", "renewal", "renewal_kind")} == {
        "subject": "cp_renewal", "component": cp.reference, "renewal": renewal.number, "renewal_kind": "cp"}
    assert decided.activity_id == poa.pk
    assert renewal.pk not in {r.pk for r in renewals_waiting(world.sam)}


def test_a_cp_renewal_is_confirmed_by_an_electronic_decision(world, board, time_machine):
    poa, cp, renewal = _cp_renewal_under_review(world, time_machine)
    _refused_to_all_but_the_secretariat(world, renewal, "confirm_renewal")
    from projects.renewals import review

    with pytest.raises(Refused):  # a single SB member does not decide (RMP 22)
        review.cp_renewal_confirm(renewal=renewal, user=world.sofia, comment="Confirmed.")
    since = _last(poa.stream)
    decision = board_decision_open_electronic(subject=renewal, transition="confirm_renewal", user=world.sam,
                                              comment="The SD tool form is attached (PROC-AC-003 para 132(a)).")
    # The vote waits for each member who has not voted; the secretariat has nothing more to do.
    assert renewal.pk in {r.pk for r in renewals_waiting(world.sofia)}
    assert renewal.pk not in {r.pk for r in renewals_waiting(world.sam)}
    for name in PEOPLE + ("sam",):  # only members and alternates vote
        with pytest.raises(Refused):
            board_vote_cast(decision=decision, user=getattr(world, name), choice=Vote.Choice.YES)
    votes(decision, board.members, Vote.Choice.YES)
    decision = Decision.objects.get(pk=decision.pk)
    assert (decision.status, decision.basis, decision.present) == (
        Decision.Status.ADOPTED, Decision.Basis.CONSENSUS, 12)
    assert renewals.fresh(renewal).state == CRS.RENEWED
    assert ComponentProject.objects.get(pk=cp.pk).crediting_end == renewal.new_end
    label = f"board:{decision.pk}"
    assert _events(poa.stream, since) == [
        ("board.decision_opened", "confirm_renewal", "sam"), ("board.decided", "confirm_renewal", label),
        ("renewal.transitioned", "confirm_renewal", label)]


def test_the_board_decides_nothing_on_a_record_of_no_kind():
    from projects.models import Fee

    with pytest.raises(ServiceError) as error:
        subject_kind_of(Fee())
    assert error.value.code == "board_does_decide_kind"

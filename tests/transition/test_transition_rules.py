"""Each transition of the CDM transition machine with its allowed actor and the refused ones, the
deadlines with a frozen clock, and bad input that changes nothing (A6.4-PROC-AC-001 v06.0)."""
import datetime

import pytest

from pacm.common.errors import Refused, ServiceError
from pacm.engine.offers import available_actions
from pacm.events.models import Event
from projects.board.models import Decision
from projects.transition import services as ts
from projects.transition.cycle import TRANSITION_TRANSITIONS
from projects.transition.cycle import TransitionState as S
from projects.transition.models import TransitionRequest

from .helpers import UTC, create, drive, fresh, jump, request_data

pytestmark = pytest.mark.django_db
PERSONAS = ("ama", "kofi", "dora", "otto", "dina", "nils", "sam", "sofia")


def _refused_for_all_but(world, allowed, call):
    """`call(user)` is refused (403) for every persona but `allowed`, and writes no event."""
    before = Event.objects.count()
    for name in PERSONAS:
        if name in allowed:
            continue
        with pytest.raises(Refused):
            call(getattr(world, name))
    assert Event.objects.count() == before


def _kinds(request):
    return list(Event.objects.filter(stream=request.stream).order_by("sequence").values_list("kind", flat=True))


# --- Eligibility and the request deadline (STAN-AC-001 para 11; PROC-AC-001 paras 12-13) ---------

def test_the_request_deadline_is_31_december_2023_24_00_cet(world, time_machine):
    # 24:00 CET on 31 Dec 2023 is 23:00 UTC.
    time_machine.move_to(datetime.datetime(2023, 12, 31, 22, 59, tzinfo=UTC), tick=False)
    assert ts.transition_request_create(user=world.ama, **request_data(world)).state == S.REQUESTED
    time_machine.move_to(datetime.datetime(2023, 12, 31, 23, 0, tzinfo=UTC), tick=False)
    with pytest.raises(ServiceError) as error:
        ts.transition_request_create(user=world.ama, **request_data(world, cdm_reference="10559"))
    assert error.value.code == "transition_request_late"
    assert TransitionRequest.objects.count() == 1
    # Para 13: afforestation and reforestation until 31 Dec 2025.
    assert ts.transition_request_create(user=world.ama, is_afforestation=True,
                                        **request_data(world, cdm_reference="10559")).state == S.REQUESTED


def test_the_crediting_period_must_have_been_active_on_1_january_2021(world, time_machine):
    time_machine.move_to(datetime.datetime(2023, 6, 1, tzinfo=UTC), tick=False)
    with pytest.raises(ServiceError) as error:
        ts.transition_request_create(user=world.ama, **request_data(world, cdm_crediting_end=datetime.date(2020, 12, 31)))
    assert error.value.code == "not_active_on_2021"
    assert TransitionRequest.objects.count() == 0 and Event.objects.count() == 0


def test_only_a_participant_requests_and_one_request_is_open_per_cdm_activity(world, time_machine):
    time_machine.move_to(datetime.datetime(2023, 6, 1, tzinfo=UTC), tick=False)
    for name in ("dora", "dina", "sam", "sofia"):
        with pytest.raises(Refused):
            ts.transition_request_create(user=getattr(world, name), **request_data(world))
    ts.transition_request_create(user=world.ama, **request_data(world))
    with pytest.raises(ServiceError) as error:
        ts.transition_request_create(user=world.kofi, **request_data(world))
    assert error.value.code == "transition_request_open"


def test_a_poa_brings_its_cpas_each_with_its_host(world, time_machine):
    """Para 14; the PoA path itself: tests/transition/test_transition_poa.py."""
    cpas = [("10415-0001", world.host), ("10415-0002", world.other)]
    request = create(world, time_machine, cdm_reference="10415", kind="poa", cpas=cpas)
    assert sorted(request.cpas.values_list("cpa_reference", "host_party__iso2")) == [("10415-0001", "GH"),
                                                                                      ("10415-0002", "KE")]
    assert sorted(request.hosts.values_list("party__iso2", flat=True)) == ["GH", "KE"]
    with pytest.raises(ServiceError):
        ts.transition_request_create(user=world.ama, cpas=[("X", world.host)], **request_data(world, cdm_reference="1"))


# --- Completeness and corrections (para 15) -------------------------------------------------------

def test_corrections_within_14_days_else_rejected_by_timer(world, time_machine):
    request = create(world, time_machine)
    _refused_for_all_but(world, {"sam"}, lambda u: ts.transition_request_return_for_correction(
        request=request, user=u, comment="Form incomplete"))
    request = ts.transition_request_return_for_correction(request=request, user=world.sam, comment="Form incomplete")
    assert request.due_at == datetime.datetime(2023, 6, 15, 9, 0, tzinfo=UTC)  # RuleSet.transition_corrections_days
    _refused_for_all_but(world, {"ama"}, lambda u: ts.transition_request_correct(request=request, user=u))
    request = ts.transition_request_correct(request=request, user=world.ama)
    assert request.state == S.REQUESTED
    request = ts.transition_request_return_for_correction(request=request, user=world.sam, comment="Still")
    request = jump(world and time_machine, request)
    assert request.state == S.REJECTED and not request.rejected_by_board
    assert _kinds(request)[-1] == "transition.transitioned"
    assert Event.objects.filter(stream=request.stream).last().actor_label == "timer:reject_uncorrected"


def test_publication_and_the_28_day_consultation(world, time_machine):
    request = create(world, time_machine)
    _refused_for_all_but(world, {"sam"}, lambda u: ts.transition_request_publish(request=request, user=u))
    request = ts.transition_request_publish(request=request, user=world.sam)
    assert request.state == S.CONSULTATION
    assert request.due_at == datetime.datetime(2023, 6, 29, 9, 0, tzinfo=UTC)  # RuleSet.transition_gsc_days
    with pytest.raises(Refused):  # a timer's transition, not due yet and not a person's
        ts.transition_request_close_consultation(request=request, actor=world.sam)
    assert jump(time_machine, request).state == S.AWAITING_HOST


# --- Host approval by the dated deadline (para 21; CMA7, transition-1) -----------------------------

def test_host_approval_by_the_deadline_else_the_timer_ends_the_request(world, time_machine):
    request = drive(world, time_machine, create(world, time_machine), S.AWAITING_HOST)
    # 30 Jun 2026 24:00 CET is 22:00 UTC (summer time).
    assert request.due_at == datetime.datetime(2026, 6, 30, 22, 0, tzinfo=UTC)
    time_machine.move_to(datetime.datetime(2026, 6, 30, 21, 59, tzinfo=UTC), tick=False)
    approve = lambda u, **kw: ts.transition_request_approve_transition(  # noqa: E731
        request=request, user=u, sd_confirmation="SD", ndc_relation="NDC", **kw)
    _refused_for_all_but(world, {"dina"}, approve)
    with pytest.raises(ServiceError) as error:
        ts.transition_request_approve_transition(request=request, user=world.dina, sd_confirmation=" ",
                                                 ndc_relation="NDC")
    assert error.value.code == "host_approval_given"
    # Paras 22-23: Ghana is neither an LDC nor a SIDS here: no opt-out.
    with pytest.raises(ServiceError) as error:
        approve(world.dina, sop_exemption_opt_out=True)
    assert error.value.code == "sop_opt_out_not_ldc_sids"
    assert fresh(request).state == S.AWAITING_HOST and fresh(request).host_sd_confirmation == ""
    time_machine.move_to(datetime.datetime(2026, 6, 30, 22, 0, tzinfo=UTC), tick=False)
    with pytest.raises(ServiceError) as error:  # past the deadline, before the timer's pass
        approve(world.dina)
    assert error.value.code == "host_deadline_passed"
    from pacm.engine.timers import timers_run

    timers_run()
    request = fresh(request)
    assert request.state == S.EXPIRED
    assert Event.objects.filter(stream=request.stream).last().actor_label == "timer:expire_host_deadline"


def test_an_ldc_host_may_opt_out_of_the_sop_exemption(world, time_machine):
    from tests import factories as f

    f.party("GH", "Ghana", ldc=True)
    request = drive(world, time_machine, create(world, time_machine), S.AWAITING_HOST)
    request = ts.transition_request_approve_transition(request=request, user=world.dina, sd_confirmation="SD",
                                                       ndc_relation="NDC", sop_exemption_opt_out=True)
    assert request.sop_exemption_opt_out and request.host_approved_by == world.orgs["dna"]
    request = drive(world, time_machine, request, S.TRANSITIONED)
    assert request.activity.host_approvals.get().sop_exemption_opt_out is True


# --- Additional documentation (paras 30-32) ----------------------------------------------------------

def test_the_addendum_is_due_by_31_december_2026(world, time_machine):
    request = drive(world, time_machine, create(world, time_machine), S.HOST_APPROVED)
    submit = lambda u, **kw: ts.transition_request_submit_documentation(  # noqa: E731
        request=request, user=u, **{"documentation": "addendum", "summary": "Addendum", **kw})
    _refused_for_all_but(world, {"ama"}, submit)
    with pytest.raises(ServiceError) as error:
        submit(world.ama, fnrb="1.5")
    assert error.value.code == "factor_out_of_range"
    time_machine.move_to(datetime.datetime(2027, 1, 1, 9, 0, tzinfo=UTC), tick=False)
    with pytest.raises(ServiceError) as error:
        submit(world.ama)
    assert error.value.code == "documentation_late"
    assert fresh(request).state == S.HOST_APPROVED and fresh(request).documentation == ""


def test_a_revised_pdd_needs_its_doe_and_comes_within_a_year_of_the_host_approval(world, time_machine):
    request = drive(world, time_machine, create(world, time_machine), S.HOST_APPROVED)
    with pytest.raises(ServiceError) as error:
        ts.transition_request_submit_documentation(request=request, user=world.ama, documentation="revised_pdd",
                                                   summary="Revised PDD")
    assert error.value.code == "validation_doe_required"
    time_machine.move_to(datetime.datetime(2026, 3, 4, 9, 0, tzinfo=UTC), tick=False)  # 366 days after approval
    with pytest.raises(ServiceError) as error:
        ts.transition_request_submit_documentation(request=request, user=world.ama, documentation="revised_pdd",
                                                   summary="Revised PDD", validation_doe=world.orgs["doe"])
    assert error.value.code == "documentation_late"
    time_machine.move_to(datetime.datetime(2026, 3, 3, 9, 0, tzinfo=UTC), tick=False)
    request = ts.transition_request_submit_documentation(request=request, user=world.ama, documentation="revised_pdd",
                                                         summary="Revised PDD", validation_doe=world.orgs["doe"])
    assert request.validation_doe == world.orgs["doe"]


# --- The request pipeline (paras 33-51) --------------------------------------------------------------

def test_the_fee_and_the_checks_with_their_time_limits(world, time_machine):
    request = drive(world, time_machine, create(world, time_machine), S.DOCUMENTATION_SUBMITTED)
    with pytest.raises(ServiceError) as error:
        ts.transition_request_start_completeness_check(request=request, user=world.sam)
    assert error.value.code == "transition_fee_settled"
    _refused_for_all_but(world, {"sam"}, lambda u: ts.transition_request_record_fee_payment(
        request=request, user=u, reference="WIRE"))
    ts.transition_request_record_fee_payment(request=request, user=world.sam, reference="WIRE")
    _refused_for_all_but(world, {"sam"}, lambda u: ts.transition_request_start_completeness_check(request=request, user=u))
    request = ts.transition_request_start_completeness_check(request=request, user=world.sam)
    now = datetime.datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
    assert request.due_at == now + datetime.timedelta(days=7)  # para 37
    request = ts.transition_request_return_incomplete(request=request, user=world.sam, comment="Typo")
    assert request.due_at == now + datetime.timedelta(days=2)  # para 37: fixes in two days
    resubmit = lambda u: ts.transition_request_resubmit_documentation(  # noqa: E731
        request=request, user=u, documentation="addendum", summary="Fixed")
    _refused_for_all_but(world, {"ama"}, resubmit)
    request = resubmit(world.ama)
    assert request.fee_status == "paid"  # in time: the fee stands
    request = ts.transition_request_start_completeness_check(request=request, user=world.sam)
    request = ts.transition_request_pass_completeness_check(request=request, user=world.sam)
    assert request.due_at == now + datetime.timedelta(days=21)  # para 38
    request = ts.transition_request_return_incomplete(request=request, user=world.sam, comment="Baseline")
    time_machine.move_to(now + datetime.timedelta(days=3), tick=False)
    request = resubmit(world.ama)
    assert request.fee_status == "due"  # para 37: late fixes restart with a new fee


def test_review_board_modifications_accepted_in_7_days(world, time_machine):
    request = drive(world, time_machine, create(world, time_machine), S.REVIEW_WINDOW)
    assert request.due_at == datetime.datetime(2025, 3, 31, 9, 0, tzinfo=UTC)  # para 40: 28 days
    ts.transition_request_record_summary_note(request=request, user=world.sam, note="Recommend approval.")
    _refused_for_all_but(world, {"dina", "sofia"}, lambda u: ts.transition_request_request_review(
        request=request, user=u, comment="fNRB"))
    request = ts.transition_request_request_review(request=request, user=world.sofia, comment="fNRB")
    assert request.state == S.UNDER_REVIEW
    decide = lambda u, t="approve_with_modifications": ts.transition_request_board_decision_record(  # noqa: E731
        request=request, user=u, transition=t, meeting="SBM016", agenda_item="4.3", comment="Use fNRB 0.843")
    _refused_for_all_but(world, {"sam"}, decide)
    with pytest.raises(Refused):  # the Board's own transition: no person fires it
        ts.transition_request_approve(request=request, user=world.sofia, comment="x")
    with pytest.raises(ServiceError) as error:
        decide(world.sam, "withdraw")
    assert error.value.code == "board_decides"
    request = fresh(request)
    decide(world.sam)
    request = fresh(request)
    assert request.state == S.MODIFICATIONS and request.modifications == "Use fNRB 0.843"
    assert request.due_at == datetime.datetime(2025, 3, 10, 9, 0, tzinfo=UTC)  # para 47: 7 days
    last = Event.objects.filter(stream=request.stream).order_by("-sequence")[:2]
    # The meeting's decision is the Board panel's (projects.board): board.decided, then the transition.
    assert [e.kind for e in last] == ["transition.transitioned", "board.decided"]
    assert (last[1].payload["meeting"], last[1].payload["agenda_item"], last[1].payload["outcome"],
            last[1].payload["transition_request"]) == ("SBM016", "4.3", "adopted", request.label)
    decision = Decision.objects.get(subject_kind="transition", subject_id=request.pk)
    assert (decision.meeting, decision.agenda_item, decision.transition) == ("SBM016", "4.3", "approve_with_modifications")
    assert last[0].actor_label == f"board:{decision.pk}"
    _refused_for_all_but(world, {"ama"}, lambda u: ts.transition_request_accept_modifications(request=request, user=u))
    request = ts.transition_request_accept_modifications(request=request, user=world.ama)
    assert request.state == S.APPROVED
    assert request.due_at == datetime.datetime(2025, 3, 31, 9, 0, tzinfo=UTC)  # paras 45, 51: 28 days


def test_modifications_not_accepted_in_time_are_a_rejection(world, time_machine):
    request = drive(world, time_machine, create(world, time_machine), S.REVIEW_WINDOW)
    request = ts.transition_request_request_review(request=request, user=world.dina, comment="Check")
    ts.transition_request_board_decision_record(request=request, user=world.sam, transition="approve_with_modifications",
                                                meeting="SBM016", agenda_item="4.3", comment="Modify")
    request = jump(time_machine, request)
    assert request.state == S.REJECTED


def test_an_sb_rejection_allows_no_new_request(world, time_machine):
    request = drive(world, time_machine, create(world, time_machine), S.REVIEW_WINDOW)
    request = ts.transition_request_request_review(request=request, user=world.dina, comment="Check")
    ts.transition_request_board_decision_record(request=request, user=world.sam, transition="reject",
                                                meeting="SBM016", agenda_item="4.3", comment="Not eligible")
    request = fresh(request)
    assert request.state == S.REJECTED and request.rejected_by_board
    time_machine.move_to(datetime.datetime(2023, 6, 1, tzinfo=UTC), tick=False)
    with pytest.raises(ServiceError) as error:
        ts.transition_request_create(user=world.ama, **request_data(world))
    assert error.value.code == "transition_rejected_before"  # para 49


def test_the_appeal_window_waits_for_the_deregistration_date(world, time_machine):
    request = drive(world, time_machine, create(world, time_machine), S.APPROVED)
    request = jump(time_machine, request)
    assert request.state == S.APPROVED  # held back: para 50 needs the CDM deregistration date
    with pytest.raises(ServiceError) as error:
        ts.transition_request_record_cdm_deregistration(request=request, user=world.sam,
                                                        date=datetime.date(2030, 1, 1))
    assert error.value.code == "deregistration_in_future"
    _refused_for_all_but(world, {"sam"}, lambda u: ts.transition_request_record_cdm_deregistration(
        request=request, user=u, date=datetime.date(2025, 4, 1)))
    ts.transition_request_record_cdm_deregistration(request=request, user=world.sam, date=datetime.date(2025, 4, 1))
    request = jump(time_machine, request)
    assert request.state == S.TRANSITIONED and request.activity.state == "registered"


def test_withdrawal_by_the_participants_only(world, time_machine):
    request = drive(world, time_machine, create(world, time_machine), S.HOST_APPROVED)
    _refused_for_all_but(world, {"ama"}, lambda u: ts.transition_request_withdraw(request=request, user=u,
                                                                                  comment="No longer"))
    assert ts.transition_request_withdraw(request=request, user=world.ama, comment="No longer").state == S.WITHDRAWN


def test_offers_follow_the_declared_actors(world, time_machine):
    """In each state a person is offered exactly the declared writes their role holds."""
    request = create(world, time_machine)
    offers = {name: available_actions(getattr(world, name), request).names for name in PERSONAS}
    assert offers["sam"] == {"return_for_correction", "publish"}
    assert offers["ama"] == {"withdraw", "record_provisional_issuance"}
    assert all(not offers[n] for n in ("kofi", "dora", "otto", "dina", "nils", "sofia"))
    request = drive(world, time_machine, request, S.AWAITING_HOST)
    assert available_actions(world.dina, request).names == {"approve_transition"}
    assert available_actions(world.nils, request).names == set()
    declared = {t.name for t in TRANSITION_TRANSITIONS}
    assert {"approve_transition", "expire_host_deadline", "accept_modifications", "reject_unaccepted"} <= declared

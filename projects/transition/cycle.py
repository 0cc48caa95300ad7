"""The CDM transition request's machine, declared in one table (A6.4-PROC-AC-001 v06.0).

A transition request travels: submitted by the CDM scope-(c) focal point (paras 12-14), checked
for completeness and corrected within the rule set's days (para 15), published under a reference
that tells transitioned from new activities (para 15), the global stakeholder consultation
(para 17), the host Party's approval by the dated deadline or the request ends by timer
(paras 21, 24; CMA7 extension, docs/rules-coverage.md transition-1), the additional documentation
(paras 30-32), then the request pipeline (`projects.requests.pipeline`, kind TRANSITION: fee
paras 33-36, completeness para 37, substantive check para 38, review window para 40, deemed
approved para 44, the SB's decision paras 46-49, appeal paras 45, 51), and transitioned: a
registered A6.4 activity (para 50). Every time limit is a rule-set key (methodologies.RuleSet
`transition_*`).
"""
from django.db import models
from django.utils.translation import gettext_lazy as _

from pacm.engine.declarations import A as Act
from pacm.engine.declarations import T
from pacm.parties.roles import Role

from ..consultation.declarations import consultation_actions
from ..cycle import _waiting_board, _waiting_vote
from ..requests.pipeline import RequestKind, RequestNames, RequestStates, request_pipeline, request_timed

AP, DOE, DNA, SEC, SB, TIMER, BOARD = (
    Role.PARTICIPANT, Role.DOE, Role.DNA, Role.SECRETARIAT, Role.SB, Role.TIMER, Role.BOARD,
)


class TransitionState(models.TextChoices):
    REQUESTED = "requested", _("Transition requested (completeness)")
    CORRECTIONS = "corrections", _("Returned for corrections")
    CONSULTATION = "consultation", _("Published: global stakeholder consultation")
    AWAITING_HOST = "awaiting_host", _("Awaiting the host Party's approval")
    HOST_APPROVED = "host_approved", _("Host approved: additional documentation due")
    DOCUMENTATION_SUBMITTED = "documentation_submitted", _("Additional documentation submitted (fee)")
    COMPLETENESS = "completeness", _("Completeness check")
    SUBSTANTIVE = "substantive", _("Substantive check")
    INCOMPLETE = "incomplete", _("Documentation returned for fixes")
    REVIEW_WINDOW = "review_window", _("Review window")
    UNDER_REVIEW = "under_review", _("Under SB review")
    MODIFICATIONS = "modifications", _("Approved with modifications (participants to accept)")
    APPROVED = "approved", _("Approved (appeal window)")
    TRANSITIONED = "transitioned", _("Transitioned")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Ended: no host approval by the deadline")
    WITHDRAWN = "withdrawn", _("Withdrawn")


S = TransitionState

# PROC-AC-001 v06.0 paras 33-51: the additional documentation runs the request pipeline.
TRANSITION = RequestKind(
    name="transition",
    states=RequestStates(
        submitted=S.DOCUMENTATION_SUBMITTED, completeness=S.COMPLETENESS, substantive=S.SUBSTANTIVE,
        incomplete=S.INCOMPLETE, review_window=S.REVIEW_WINDOW, under_review=S.UNDER_REVIEW,
        decided=S.APPROVED, rejected=S.REJECTED, final=S.TRANSITIONED,
    ),
    names=RequestNames(
        submit="submit_documentation", resubmit="resubmit_documentation", start_checks="start_completeness_check",
        pass_completeness="pass_completeness_check", pass_checks="pass_substantive_check",
        return_incomplete="return_incomplete", request_review="request_review", approve_by_timer="approve_by_timer",
        approve="approve", reject="reject", close_appeal="transition_after_appeal",
    ),
    # Para 25: the proponent submits once the host has approved; paras 30-32: an addendum keeping
    # the CDM methodology by its deadline, or a revised PDD validated within the rule set's days.
    entry=(S.HOST_APPROVED,), requester=frozenset({AP}),
    submit_labels=(_("Submit the additional documentation"), _("Resubmit the additional documentation")),
    submit_guards=("cpas_to_transition", "documentation_given", "documentation_in_time"),
    submit_inputs=("documentation",), submit_input_guards=("documentation_given",),
    fee_guard="transition_fee_settled",
    # Para 50: registered effective on its CDM deregistration: the appeal window's close waits for
    # the date (the guard holds only in the appeal window).
    decision_guards=("deregistration_recorded",),
    # Para 40: the host Party or any SB member or alternate; paras 46-49: the SB decides.
    reviewers=frozenset({DNA, SB}), deciders=frozenset({BOARD}),
    completeness_timer="transition_completeness", substantive_timer="transition_substantive",
    fixes_timer="transition_fixes", review_timer="transition_review", appeal_timer="transition_appeal",
    labels={"pass_checks": _("Pass the substantive check and publish"), "approve": _("Approve the transition"),
            "reject": _("Reject the transition (no resubmission)"),
            "approve_by_timer": _("Deemed approved (review window closed)"),
            "close_appeal": _("Transitioned (appeal window closed)")},
)

_OPEN_BEFORE_DECISION = (
    S.REQUESTED, S.CORRECTIONS, S.CONSULTATION, S.AWAITING_HOST, S.HOST_APPROVED, S.DOCUMENTATION_SUBMITTED,
    S.COMPLETENESS, S.SUBSTANTIVE, S.INCOMPLETE, S.REVIEW_WINDOW, S.UNDER_REVIEW, S.MODIFICATIONS,
)

TRANSITION_TRANSITIONS = (
    # Para 15: incomplete, the participant corrects it within the rule set's days, else rejected.
    T("return_for_correction", S.REQUESTED, S.CORRECTIONS, {SEC}, _("Return the request for correction"),
      needs_reason=True, style="warning", timer="transition_corrections"),
    T("correct", S.CORRECTIONS, S.REQUESTED, {AP}, _("Submit the corrected request"), guards=("corrections_in_time",)),
    T("reject_uncorrected", S.CORRECTIONS, S.REJECTED, {TIMER}, _("Rejected (not corrected in time)")),
    # Paras 15-17: complete, published under a transition reference; the consultation opens.
    T("publish", S.REQUESTED, S.CONSULTATION, {SEC}, _("Publish the request for consultation"),
      timer="transition_gsc"),
    # Para 17: the consultation lasts the rule set's days; then the host approval is awaited
    # until the dated deadline (para 21; the service sets the due date to that day's end).
    T("close_consultation", S.CONSULTATION, S.AWAITING_HOST, {TIMER}, _("Close the consultation")),
    # Paras 21-23, 26: the host's DNA approves by the deadline, once the host participates;
    # an LDC or SIDS host may opt out of the share-of-proceeds exemption.
    T("approve_transition", S.AWAITING_HOST, S.HOST_APPROVED, {DNA}, _("Approve the transition (host Party)"),
      guards=("host_participates", "host_deadline_open", "host_approval_given", "sop_opt_out_allowed"),
      inputs=("host_approval",), input_guards=("host_approval_given", "sop_opt_out_allowed")),
    # Paras 21, 24: no approval by the deadline: the request ends, by timer, once the deadline of
    # the rule set in force has passed (a newer rule set may have moved it: transition-1).
    T("expire_host_deadline", S.AWAITING_HOST, S.EXPIRED, {TIMER}, _("Ended (no host approval by the deadline)"),
      guards=("host_deadline_passed",)),
    *request_pipeline(TRANSITION),
    # Paras 46(b), 47: approved with modifications; the participants accept within the rule
    # set's days or the request is deemed rejected.
    T("approve_with_modifications", S.UNDER_REVIEW, S.MODIFICATIONS, {BOARD}, _("Approve with modifications"),
      needs_reason=True, timer="transition_modifications"),
    T("accept_modifications", S.MODIFICATIONS, S.APPROVED, {AP}, _("Accept the modifications"),
      guards=("modifications_in_time",), timer="transition_appeal"),
    T("reject_unaccepted", S.MODIFICATIONS, S.REJECTED, {TIMER}, _("Deemed rejected (modifications not accepted)")),
    # Paras 56-57: the proponent withdraws the request.
    T("withdraw", _OPEN_BEFORE_DECISION, S.WITHDRAWN, {AP}, _("Withdraw the transition request"), needs_reason=True,
      style="danger", pending=False),
)


def _waiting_fee():
    from django.db.models import Q

    return Q(fee_status="due")


def _waiting_deregistration():
    from django.db.models import Q

    return Q(cdm_deregistration_date__isnull=True)


def _waiting_summary_note():
    from django.db.models import Q

    return Q(summary_note="")


def _provisional(request):
    return list(request.provisional_issuances.all())


def _waiting_provisional():
    from django.db.models import Exists, OuterRef, Q

    from .models import ProvisionalIssuance

    return Q(Exists(ProvisionalIssuance.objects.filter(request=OuterRef("pk"), status="provisional")))


TRANSITION_ACTIONS = (
    # Paras 33-34: the secretariat records the payment of the transition fee that is due.
    Act("record_fee_payment", S.DOCUMENTATION_SUBMITTED, {SEC}, _("Record the transition fee payment"),
        guards=("fee_due",), pending=True, waiting=_waiting_fee),
    # Para 39: the secretariat's summary note with its recommendation to the SB.
    Act("record_summary_note", (S.REVIEW_WINDOW, S.UNDER_REVIEW), {SEC}, _("Record the summary note"),
        pending=True, waiting=_waiting_summary_note),
    # Paras 46-49 (RMP 22; A6.4-SBM017 v01.0 para 36): the SB decides as a body, at a meeting (the
    # secretariat records it) or electronically (members vote): projects.board, kind "transition".
    Act("decide_as_board", S.UNDER_REVIEW, {SEC}, _("Record or open the Board's decision"), pending=True,
        waiting=_waiting_board("transition", S.UNDER_REVIEW)),
    Act("vote_as_board", S.UNDER_REVIEW, {SB}, _("Vote on the Board's decision"), guards=("board_vote_open",),
        pending=True, waiting=_waiting_vote("transition")),
    # Para 50: the activity is registered effective on the day the CDM deregisters it.
    Act("record_cdm_deregistration", S.APPROVED, {SEC}, _("Record the CDM deregistration date"), pending=True,
        waiting=_waiting_deregistration),
)

_AFTER_FIRST_HOST = (S.HOST_APPROVED, S.DOCUMENTATION_SUBMITTED, S.COMPLETENESS, S.SUBSTANTIVE, S.INCOMPLETE,
                     S.REVIEW_WINDOW, S.UNDER_REVIEW, S.MODIFICATIONS)


def _cpas(request):
    return [c for c in request.cpas.all() if c.removed_at is None]


def _hosts_waiting(request):
    return [h for h in request.hosts.all() if not h.approved]


def _host_of_actor(host, actor):
    """Para 24: each host's DNA approves for its own CPAs only."""
    return not host.approved and actor.organisation.party_id == host.party_id


TRANSITION_ACTIONS += (
    # PROC-AC-001 v06.0 paras 19-20: after the consultation, before the host's approval, the
    # participants revise the request: add eligible CPAs, remove CPAs (no new consultation).
    Act("add_cpa", S.AWAITING_HOST, {AP}, _("Add a CPA to the request (revised request)"), guards=("poa_request",),
        refusal=_("CPAs are added after the consultation and before the host Party's approval (paras 19-20).")),
    Act("remove_cpa", S.AWAITING_HOST, {AP}, _("Remove a CPA from the request (revised request)"),
        guards=("poa_request",), items=_cpas, item_ok=lambda cpa, actor: cpa.removed_at is None,
        refusal=_("CPAs are removed after the consultation and before the host Party's approval (paras 19-20).")),
    # Paras 21, 24-25: a multi-country PoA goes on once one host approved; every other host's DNA
    # may still approve by the deadline, for its own CPAs.
    Act("approve_poa_host", _AFTER_FIRST_HOST, {DNA}, _("Approve the transition (a host Party of the PoA)"),
        guards=("poa_request", "host_deadline_open"), items=_hosts_waiting, item_ok=_host_of_actor,
        refusal=_("The other host Parties of the PoA approve once one host has, until the deadline (para 24).")),
)

TRANSITION_ACTIONS += (
    # Para 55: provisional issuance requests made under the CDM for 2021 onwards are recorded on
    # the request while it is open or once transitioned; their finalisation is requested only once
    # transitioned, with the declaration on avoidance of double issuance.
    Act("record_provisional_issuance", (*_OPEN_BEFORE_DECISION, S.APPROVED, S.TRANSITIONED), {AP},
        _("Record a provisional issuance request made under the CDM")),
    Act("request_provisional_finalisation", S.TRANSITIONED, {AP}, _("Request the finalisation of a provisional issuance"),
        items=_provisional, item_ok=lambda item, actor: item.status in ("provisional", "returned"),
        guards=("cdm_methodology_kept",), pending=True, waiting=_waiting_provisional),
)


def _status(*statuses):
    return lambda item, actor: item.status in statuses


def _in_review_window(item, actor):
    from pacm.common import clock

    return item.status == "review_window" and item.review_due_at is not None and clock.now() < item.review_due_at


def _appeal_over(item, actor):
    from .finalisation import appeal_over

    return appeal_over(item)


TRANSITION_ACTIONS += (
    # Para 55 ("section 5 ... mutatis mutandis"): the finalisation request runs as a request: the
    # secretariat's check (paras 37-38), returned for corrections or published with the review
    # window (para 40); a review by the host or an SB member; the SB's decision recorded from its
    # meeting (para 46); deemed approved without review (para 44); 14 days for appeal (footnote 18);
    # then the participants submit the revised monitoring report as a monitoring period of the
    # registered activity (projects/transition/finalisation.py).
    Act("return_finalisation", S.TRANSITIONED, {SEC}, _("Return the finalisation request for corrections"),
        items=_provisional, item_ok=_status("finalisation_requested"), pending=True),
    Act("pass_finalisation_checks", S.TRANSITIONED, {SEC}, _("Pass the finalisation checks and publish"),
        items=_provisional, item_ok=_status("finalisation_requested"), pending=True),
    Act("request_finalisation_review", S.TRANSITIONED, {DNA, SB}, _("Request review of the finalisation"),
        items=_provisional, item_ok=_in_review_window),
    Act("decide_finalisation", S.TRANSITIONED, {SEC}, _("Record the Board's decision on the finalisation"),
        items=_provisional, item_ok=_status("under_review"), pending=True),
    Act("submit_finalised_period", S.TRANSITIONED, {AP},
        _("Submit the revised monitoring report as a monitoring period"),
        items=_provisional, item_ok=_appeal_over, pending=True),
)
# PROC-AC-001 v06.0 paras 17-18 (projects.consultation): the public's comments on the published
# request; the participants may record an answer until the host approves (gsc-poa-3).
TRANSITION_ACTIONS += consultation_actions(
    kind="transition", states=(S.CONSULTATION, S.AWAITING_HOST), assessed=False,
    refusal=_("Comments are answered only during the consultation and until the host Party approves."))

TRANSITION_TERMINAL = frozenset({S.TRANSITIONED, S.REJECTED, S.EXPIRED, S.WITHDRAWN})
TRANSITION_TIMED = {
    S.CORRECTIONS: "reject_uncorrected",
    S.CONSULTATION: "close_consultation",
    S.AWAITING_HOST: "expire_host_deadline",
    S.MODIFICATIONS: "reject_unaccepted",
    **request_timed(TRANSITION),
}
TRANSITION_BY_NAME = {t.name: t for t in TRANSITION_TRANSITIONS}

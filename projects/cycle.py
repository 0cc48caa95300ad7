"""The A6.4 activity cycle, declared in one place (rules.md §2.2-2.3, policy.md §3-4).

Two machines: the activity's, up to registration (and its side exits), and each monitoring
period's, from the monitoring report to issued units. Each declares its transitions (who may
fire them, the guards that must hold — functions in `guards.py`, by name — whether reasons are
needed, the timer that starts on entering the target) and its actions beside the state (who
may upload, raise or answer a finding, approve, record a fee, ...). Registration and issuance
are two kinds of the one request pipeline (`projects.requests.pipeline`). `projects.machines`
registers both with the engine (`pacm.engine`); `projects.models` binds the transitions to
django-fsm; `projects.services` holds the one service function per write. Nothing else changes
a state.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _

from pacm.engine.declarations import A as Act
from pacm.engine.declarations import T, Transition  # noqa: F401  (Transition: re-exported)
from pacm.parties.roles import Role

from .consultation.declarations import consultation_actions
from .renewals.declarations import renewal_actions
from .requests.pipeline import RequestKind, RequestNames, RequestStates, request_pipeline, request_timed

AP, DOE, DNA, SEC, SB, TIMER = Role.PARTICIPANT, Role.DOE, Role.DNA, Role.SECRETARIAT, Role.SB, Role.TIMER
BOARD = Role.BOARD


class ActivityState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PRIOR_CONSIDERATION = "prior_consideration", _("Prior consideration notified")
    VALIDATION_CONTRACTED = "validation_contracted", _("Validation contracted")
    CONSULTATION = "consultation", _("Global stakeholder consultation")
    UNDER_VALIDATION = "under_validation", _("Under validation")
    VALIDATED = "validated", _("Validated")
    REGISTRATION_REQUESTED = "registration_requested", _("Registration requested")
    COMPLETENESS_CHECK = "completeness_check", _("Completeness check")
    INFORMATION_CHECK = "information_check", _("Information and reporting check")
    REQUEST_INCOMPLETE = "request_incomplete", _("Request incomplete (back to the DOE)")
    REVIEW_WINDOW = "review_window", _("Review window")
    UNDER_SB_REVIEW = "under_sb_review", _("Under SB review")
    REGISTRATION_APPROVED = "registration_approved", _("Approved (appeal window)")
    REGISTERED = "registered", _("Registered")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REJECTED = "rejected", _("Rejected")
    DEREGISTERED = "deregistered", _("Deregistered")


class PeriodState(models.TextChoices):
    SUBMITTED = "submitted", _("Monitoring report submitted")
    UNDER_VERIFICATION = "under_verification", _("Under verification")
    VERIFIED = "verified", _("Verified and certified")
    ISSUANCE_REQUESTED = "issuance_requested", _("Issuance requested")
    ISSUANCE_CHECKS = "issuance_checks", _("Secretariat checks")
    ISSUANCE_INCOMPLETE = "issuance_incomplete", _("Issuance request incomplete (back to the DOE)")
    ISSUANCE_REVIEW_WINDOW = "issuance_review_window", _("Issuance review window")
    ISSUANCE_UNDER_SB_REVIEW = "issuance_under_sb_review", _("Issuance under SB review")
    APPROVED = "approved", _("Approved (appeal window)")
    ISSUING = "issuing", _("Issuing")
    ISSUED = "issued", _("Issued")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ENDED = "ended", _("Ended with the activity (deregistered or withdrawn)")



A = ActivityState
_BEFORE_DECISION = (
    A.DRAFT, A.PRIOR_CONSIDERATION, A.VALIDATION_CONTRACTED, A.CONSULTATION, A.UNDER_VALIDATION,
    A.VALIDATED, A.REGISTRATION_REQUESTED, A.COMPLETENESS_CHECK, A.INFORMATION_CHECK,
    A.REQUEST_INCOMPLETE, A.REVIEW_WINDOW, A.UNDER_SB_REVIEW, A.REGISTRATION_APPROVED,
)

# A6.4-PROC-AC-002 v03.0 paras 67-106: registration, on the request pipeline.
REGISTRATION = RequestKind(
    name="registration",
    states=RequestStates(
        submitted=A.REGISTRATION_REQUESTED, completeness=A.COMPLETENESS_CHECK, substantive=A.INFORMATION_CHECK,
        incomplete=A.REQUEST_INCOMPLETE, review_window=A.REVIEW_WINDOW, under_review=A.UNDER_SB_REVIEW,
        # PROC-AC-002 v03.0 paras 88-90, 103-104: approved (deemed or by the Board), the appeal
        # window runs; with no appeal the activity is registered.
        decided=A.REGISTRATION_APPROVED, rejected=A.REJECTED, final=A.REGISTERED,
    ),
    names=RequestNames(
        submit="request_registration", resubmit="resubmit_registration", start_checks="start_completeness_check",
        pass_completeness="pass_completeness_check", pass_checks="pass_information_check",
        return_incomplete="return_incomplete", request_review="request_review", approve_by_timer="register_by_timer",
        approve="register", reject="reject", close_appeal="register_after_appeal",
    ),
    # RMP 40, 47: the host's approval must be on file before the request.
    entry=(A.VALIDATED,), requester=frozenset({DOE}),
    submit_labels=(_("Submit the registration request"), _("Resubmit the registration request")),
    submit_guards=("host_approval_on_file", "authorization_on_file"),
    fee_guard="registration_fee_settled",
    # PROC-AC-002 v03.0 para 85: the host Party (through its DNA) or any SB member or alternate
    # may request review; paras 102-103 (RMP 22): the SB decides as a body (projects.board).
    reviewers=frozenset({SB, DNA}), deciders=frozenset({BOARD}),
    completeness_timer="completeness_check", substantive_timer="information_check",
    review_timer="registration_review", appeal_timer="registration_appeal",
    labels={"start_checks": _("Start the completeness check"), "pass_checks": _("Pass the information and reporting check"),
            "approve_by_timer": _("Approve (review window closed)"), "approve": _("Register"),
            "close_appeal": _("Register (appeal window closed)")},
)

ACTIVITY_TRANSITIONS = (
    # rules.md §2.3 S0->S1: prior consideration, within the window after the start date.
    T("notify_prior_consideration", A.DRAFT, A.PRIOR_CONSIDERATION, {AP}, _("Notify prior consideration"),
      guards=("pdd_complete", "host_participates", "prior_consideration_in_time")),
    # S1->S2: the DOE the participants engaged accepts; it must be accredited for the scope.
    T("accept_engagement", A.PRIOR_CONSIDERATION, A.VALIDATION_CONTRACTED, {DOE}, _("Accept the validation engagement"),
      guards=("doe_accredited_for_scope",)),
    # S2->S3: PDD published for global stakeholder consultation (RMP 32: approved methodology).
    T("publish_for_consultation", A.VALIDATION_CONTRACTED, A.CONSULTATION, {DOE}, _("Publish the PDD for consultation"),
      guards=("pdd_complete", "has_pdd_document", "methodology_applicable"), timer="gsc"),
    # S3->S4: the consultation closes by itself (policy.md §3).
    T("close_consultation", A.CONSULTATION, A.UNDER_VALIDATION, {TIMER}, _("Close the consultation")),
    # S4->S6: positive opinion; no open corrective action or clarification (policy.md §4).
    T("validate", A.UNDER_VALIDATION, A.VALIDATED, {DOE}, _("Give a positive validation opinion"),
      guards=("no_open_findings", "comments_taken_into_account", "has_validation_report", "risk_rating_set",
              "risk_rating_accepted"),
      inputs=("risk_rating_accepted",), input_guards=("risk_rating_accepted",)),
    *request_pipeline(REGISTRATION),
    T("withdraw", _BEFORE_DECISION, A.WITHDRAWN, {AP}, _("Withdraw the activity"), needs_reason=True, style="danger",
      pending=False),
    T("deregister", A.REGISTERED, A.DEREGISTERED, {BOARD}, _("Deregister"), needs_reason=True, style="danger",
      pending=False),
)

STAGE_OVER = "The validation or verification stage of this finding is over."
# Findings live during validation (policy.md §4) and, for a period's findings, verification.
FINDING_STATES = (A.CONSULTATION, A.UNDER_VALIDATION)
_APPROVAL_STATES = (A.PRIOR_CONSIDERATION, A.VALIDATION_CONTRACTED, A.CONSULTATION, A.UNDER_VALIDATION, A.VALIDATED)


def _open_fees(subject):
    return [f for f in subject.fees.all() if f.status == "due"]


def _activity_findings(activity):
    return [f for f in activity.findings.all() if f.monitoring_period_id is None]


def _finding_status(*statuses, raised_by_actor=False):
    def ok(finding, actor):
        if finding.status not in statuses:
            return False
        # A finding is closed or reopened by the DOE that raised it (issue 11; policy.md §4).
        return not raised_by_actor or finding.raised_by_id == actor.organisation.pk

    return ok


def _waiting_findings(period=False):
    def q():
        from django.db.models import Exists, OuterRef, Q

        from .models import Finding

        if period:
            return Q(Exists(Finding.objects.filter(monitoring_period=OuterRef("pk"), status="open")))
        return Q(Exists(Finding.objects.filter(activity=OuterRef("pk"), monitoring_period=None, status="open")))

    return q


def _waiting_fees(period=False):
    def q():
        from django.db.models import Exists, OuterRef, Q

        from .models import Fee

        field = "monitoring_period" if period else "activity"
        return Q(Exists(Fee.objects.filter(**{field: OuterRef("pk")}, status="due")))

    return q


def _waiting_doe():
    from django.db.models import Exists, OuterRef, Q

    from .models import MonitoringPeriod

    submitted = MonitoringPeriod.objects.filter(activity=OuterRef("pk"), state=PeriodState.SUBMITTED)
    return (Q(state__in=(A.DRAFT, A.PRIOR_CONSIDERATION), validation_doe__isnull=True)
            | Q(Exists(submitted), state=A.REGISTERED, verification_doe__isnull=True))


def _board_decisions(kind, **filters):
    from django.db.models import OuterRef

    from .board.models import Decision

    return Decision.objects.filter(subject_kind=kind, subject_id=OuterRef("pk"), status="open", **filters)


def _waiting_board(kind, state):
    """The Board's decision waits for the secretariat to record or open it (PROC-AC-002 v03.0
    paras 102, 213): a request under SB review with no decision open."""
    def q():
        from django.db.models import Exists, Q

        return Q(state=state) & ~Q(Exists(_board_decisions(kind)))

    return q


def _waiting_vote(kind):
    """An open electronic decision waits for each member (or alternate) who has not voted yet."""
    def q(user=None):
        from django.db.models import Exists, OuterRef, Q

        from .board.models import Vote

        open_votes = _board_decisions(kind, mode="electronic")
        if user is not None:
            open_votes = open_votes.exclude(Exists(Vote.objects.filter(decision=OuterRef("pk"), voter=user)))
        return Q(Exists(open_votes))

    return q


def _waiting_host_approval():
    from django.db.models import Exists, OuterRef, Q

    from .models import HostApproval

    return Q(state__in=_APPROVAL_STATES) & ~Q(Exists(HostApproval.objects.filter(activity=OuterRef("pk"))))


ACTIVITY_ACTIONS = (
    Act("edit_pdd", A.DRAFT, {AP}, _("Edit the PDD"), refusal=_("The PDD fields can be edited only while the activity is a draft.")),
    # rules.md §2.3 S1->S2: the validation DOE is engaged before it accepts; the verification DOE
    # once registered. Issue 11: accredited for the scope on the day; a change of DOE is its own write.
    # Waits for the participants while no DOE is engaged for the stage: before validation, or
    # with a monitoring report submitted and no verification DOE to take it up.
    Act("engage_doe", (A.DRAFT, A.PRIOR_CONSIDERATION, A.REGISTERED), {AP}, _("Engage a DOE"),
        pending=True, waiting=_waiting_doe, refusal=_("The validation DOE can be changed only before it accepts the engagement; a verification DOE is engaged once the activity is registered."),
        guards=("no_doe_engaged_for_stage",)),
    Act("change_doe", (A.DRAFT, A.PRIOR_CONSIDERATION, A.REGISTERED), {AP}, _("Change the DOE"), refusal=_("The validation DOE can be changed only before it accepts the engagement."),
        guards=("doe_engaged_for_stage", "no_period_under_verification")),
    Act("upload_document", None, {AP, DOE, DNA}, _("Upload a document"), refusal=_("The activity is closed: no new documents.")),
    Act("raise_finding", FINDING_STATES, {DOE}, _("Raise a finding"), refusal=_("Findings can be raised only during validation or verification.")),
    Act("answer_finding", FINDING_STATES, {AP}, _("Answer the finding"), refusal=STAGE_OVER, items=_activity_findings,
        item_ok=_finding_status("open"), pending=True, waiting=_waiting_findings()),
    Act("close_finding", FINDING_STATES, {DOE}, _("Close the finding"), refusal=STAGE_OVER, items=_activity_findings,
        item_ok=_finding_status("open", "answered", raised_by_actor=True)),
    Act("reopen_finding", FINDING_STATES, {DOE}, _("Reopen the finding"), refusal=STAGE_OVER, items=_activity_findings,
        item_ok=_finding_status("answered", raised_by_actor=True)),
    # RMP 40-42: the host's DNA approves and issues (or revises) the statement while the activity is open.
    Act("issue_host_approval", None, {DNA}, _("Issue the host approval"), refusal=_("The activity is closed."), pending=True, waiting=_waiting_host_approval),
    Act("issue_authorization", None, {DNA}, _("Issue the authorization statement"), refusal=_("The activity is closed.")),
    # 7/CMA.4 annex I para 56: the secretariat records the payment of a fee that is due.
    Act("record_fee_payment", None, {SEC}, _("Record the fee payment"), items=_open_fees,
        item_ok=lambda fee, actor: fee.status == "due", pending=True, waiting=_waiting_fees()),
    # RMP 50: monitoring reports of a registered activity.
    Act("submit_monitoring_report", A.REGISTERED, {AP}, _("Submit a monitoring report"), creates="period", refusal=_("Only a registered activity is monitored.")),
    # pacm issue 9: the signing keys of the participants' MRV system (projects.dmrv), which signs the
    # readings behind the monitoring report (RMP 50): the same participants and state as the report.
    Act("register_mrv_key", A.REGISTERED, {AP}, _("Register an MRV signing key"),
        refusal=_("Only a registered activity is monitored.")),
    Act("revoke_mrv_key", A.REGISTERED, {AP}, _("Revoke an MRV signing key"), inputs=("key_id",),
        refusal=_("Only a registered activity is monitored.")),
    # A6.4-STAN-METH-002 v01.0 para 43: the participants notify an observed event (projects.reversals).
    Act("notify_observed_event", A.REGISTERED, {AP}, _("Notify an observed event"),
        refusal=_("Observed events are notified for registered activities."), guards=("carries_reversal_risk",),
        creates="observed_event"),
    # A6.4-STAN-METH-002 v01.0 para 28 (projects.removals): after the last crediting period, the
    # participants may ask the SB to allow post-crediting monitoring to end.
    Act("request_monitoring_termination", A.REGISTERED, {AP}, _("Ask the SB to end post-crediting monitoring"),
        refusal=_("Only a registered activity is monitored."),
        guards=("post_crediting_monitoring", "no_termination_pending"), creates="monitoring_termination"),
    # RMP 22; PROC-AC-002 v03.0 paras 102-103: the SB decides as a body (projects.board): the
    # secretariat records a meeting's decision or opens an electronic one; members vote.
    Act("decide_as_board", (A.UNDER_SB_REVIEW, A.REGISTERED), {SEC}, _("Record or open the Board's decision"),
        pending=True, waiting=_waiting_board("activity", A.UNDER_SB_REVIEW)),
    Act("vote_as_board", (A.UNDER_SB_REVIEW, A.REGISTERED), {SB}, _("Vote on the Board's decision"),
        guards=("board_vote_open",), pending=True, waiting=_waiting_vote("activity")),
    # PROC-AC-002 v03.0 paras 20-21, 27; STAN-AC-002 para 92; STAN-AC-003 para 90: the global
    # stakeholder consultation's comments, published, answered, assessed (projects.consultation).
    *consultation_actions(kind="activity", states=FINDING_STATES),
    # A6.4-PROC-AC-002 v03.0 paras 231-250: renewal of the crediting period (projects.renewals).
    *renewal_actions(registered=A.REGISTERED),
)

P = PeriodState


def _confirmation_awaited():
    """The periods whose issuance request awaits the participants' confirmation (as
    IssuanceRequest.awaits_confirmation says of one row)."""
    from django.db.models import Q

    return Q(issuance__confirmation_required=True, issuance__confirmed_at__isnull=True)


def _confirmation_given():
    return ~_confirmation_awaited()

# A6.4-PROC-AC-002 v03.0 paras 174-230: issuance, on the request pipeline.
ISSUANCE = RequestKind(
    name="issuance",
    states=RequestStates(
        submitted=P.ISSUANCE_REQUESTED, completeness=P.ISSUANCE_CHECKS, incomplete=P.ISSUANCE_INCOMPLETE,
        review_window=P.ISSUANCE_REVIEW_WINDOW, under_review=P.ISSUANCE_UNDER_SB_REVIEW, decided=P.APPROVED,
        rejected=P.REJECTED, final=P.ISSUING,
    ),
    names=RequestNames(
        submit="request_issuance", resubmit="resubmit_issuance", start_checks="start_issuance_checks",
        pass_checks="pass_issuance_checks", return_incomplete="return_issuance_incomplete",
        request_review="request_issuance_review", approve_by_timer="approve_by_timer", approve="approve_issuance",
        reject="reject_issuance", close_appeal="close_appeal_window",
    ),
    # RMP 52: the DOE requests issuance; issuance fee on the units requested (annex I para 53).
    entry=(P.VERIFIED,), requester=frozenset({DOE}),
    submit_labels=(_("Submit the issuance request"), _("Resubmit the issuance request")),
    # A6.4-PROC-AC-001 v06.0 para 27: a transitioned activity's host authorizes before its first issuance.
    submit_guards=("issuance_request_complete", "no_unsettled_avoidable_reversal", "transitioned_authorization_on_file",
                   "risk_rating_in_force", "activity_not_suspended", "poa_issuance_holds",
                   # A6.4-STAN-METH-002 v01.0 para 27: nothing is issued for post-crediting monitoring.
                   "not_post_crediting"),
    submit_inputs=("issuance_request",), submit_input_guards=("issuance_request_complete",),
    fee_guard="issuance_fee_settled",
    # pacm issue 9 (reading omge-confirm-1): the checks start once the participants confirmed the
    # OMGE election and the distribution (confirm_issuance_request, below), where the request asks it.
    start_guards=("issuance_request_confirmed",), start_waiting=_confirmation_given,
    # PROC-AC-002 v03.0 para 194: review by the host Party's DNA or any SB member or alternate;
    # para 213: the Board decides.
    reviewers=frozenset({SB, DNA}), deciders=frozenset({BOARD}),
    # A6.4-STAN-METH-002 v01.0 paras 25, 44, 58: no issuance while suspended or a replenishment is owed.
    decision_guards=("no_unsettled_avoidable_reversal", "activity_not_suspended", "poa_issuance_holds"),
    completeness_timer="information_check", review_timer="issuance_review", appeal_timer="appeal",
    labels={"approve": _("Approve issuance"), "reject": _("Reject issuance"), "close_appeal": _("Issue (appeal window closed)")},
)

PERIOD_TRANSITIONS = (
    # rules.md §2.3 S13->S14: the verification DOE takes up the report.
    T("start_verification", P.SUBMITTED, P.UNDER_VERIFICATION, {DOE}, _("Start verification"),
      guards=("doe_accredited_for_scope",)),
    # S14->S15: verification and certification opinion (RMP 51), every CAR/CL closed.
    T("certify", P.UNDER_VERIFICATION, P.VERIFIED, {DOE}, _("Give the verification and certification opinion"),
      guards=("no_open_findings", "has_verification_report", "verified_within_claim"), inputs=("verified",),
      input_guards=("verified_within_claim",)),
    *request_pipeline(ISSUANCE),
    T("mark_issued", P.ISSUING, P.ISSUED, {TIMER}, _("Units issued")),
    # pacm issue 9 (reading omge-confirm-2): instead of confirming, the participants decline the OMGE
    # election and the distribution the DOE submitted (7/CMA.4 annex I para 64; RMP 52, 59-60), with
    # their reasons: the request goes back to the DOE in the state the secretariat's return puts it in
    # (`issuance_incomplete`), whence the DOE resubmits (a resubmission is confirmed afresh) or the
    # participants withdraw. No timer: no rule gives the DOE a time to resubmit after a decline.
    T("decline_issuance_request", P.ISSUANCE_REQUESTED, P.ISSUANCE_INCOMPLETE, {AP},
      _("Decline the OMGE election and the distribution"), needs_reason=True, style="warning",
      guards=("issuance_confirmation_awaited",), pending=False),
    T("withdraw", (P.SUBMITTED, P.UNDER_VERIFICATION, P.VERIFIED, P.ISSUANCE_INCOMPLETE), P.WITHDRAWN, {AP},
      _("Withdraw the monitoring report"), needs_reason=True, style="danger", pending=False),
    # Issue 6 §5 rule 2: the activity's deregistration (the Board) or withdrawal (its participants)
    # ends every pending request of it, an approved one included, in the same transaction; no
    # button of its own (internal), and the timer role lets the issuing task end one it finds.
    # A6.4-PROC-AC-002 v03.0 para 259: no A6.4ERs are issued for a deregistered project.
    T("end_with_activity", (P.SUBMITTED, P.UNDER_VERIFICATION, P.VERIFIED, P.ISSUANCE_REQUESTED, P.ISSUANCE_CHECKS,
                            P.ISSUANCE_INCOMPLETE, P.ISSUANCE_REVIEW_WINDOW, P.ISSUANCE_UNDER_SB_REVIEW, P.APPROVED,
                            P.ISSUING),
      P.ENDED, {BOARD, AP, TIMER}, _("End with the activity"), guards=("activity_ended",), needs_reason=True,
      style="danger", internal=True, pending=False),
)


def _period_findings(period):
    return list(period.findings.all())


PERIOD_ACTIONS = (
    Act("upload_document", None, {AP, DOE}, _("Upload a document"), refusal=_("The monitoring period is closed: no new documents.")),
    # policy.md §4: verification findings live while the period is under verification.
    Act("raise_finding", P.UNDER_VERIFICATION, {DOE}, _("Raise a finding"), refusal=_("Findings can be raised only during validation or verification.")),
    Act("answer_finding", P.UNDER_VERIFICATION, {AP}, _("Answer the finding"), refusal=STAGE_OVER, items=_period_findings,
        item_ok=_finding_status("open"), pending=True, waiting=_waiting_findings(period=True)),
    Act("close_finding", P.UNDER_VERIFICATION, {DOE}, _("Close the finding"), refusal=STAGE_OVER, items=_period_findings,
        item_ok=_finding_status("open", "answered", raised_by_actor=True)),
    Act("reopen_finding", P.UNDER_VERIFICATION, {DOE}, _("Reopen the finding"), refusal=STAGE_OVER, items=_period_findings,
        item_ok=_finding_status("answered", raised_by_actor=True)),
    Act("record_fee_payment", None, {SEC}, _("Record the fee payment"), items=_open_fees,
        item_ok=lambda fee, actor: fee.status == "due", pending=True, waiting=_waiting_fees(period=True)),
    # pacm issue 9 (reading omge-confirm-1): the participants (their focal point, PROC-AC-002 v03.0
    # paras 32-36, is not modelled: any of them acts) confirm the OMGE election (7/CMA.4 annex I
    # para 64) and the distribution (RMP 60) the DOE submitted (RMP 52), before the checks start.
    Act("confirm_issuance_request", P.ISSUANCE_REQUESTED, {AP}, _("Confirm the OMGE election and the distribution"),
        refusal=_("Only an issuance request not yet under the secretariat's checks is confirmed."),
        guards=("issuance_confirmation_awaited",), pending=True, waiting=_confirmation_awaited),
    # PROC-AC-002 v03.0 paras 213-214: the Board decides on an issuance under review.
    Act("decide_as_board", P.ISSUANCE_UNDER_SB_REVIEW, {SEC}, _("Record or open the Board's decision"),
        pending=True, waiting=_waiting_board("period", P.ISSUANCE_UNDER_SB_REVIEW)),
    Act("vote_as_board", P.ISSUANCE_UNDER_SB_REVIEW, {SB}, _("Vote on the Board's decision"),
        guards=("board_vote_open",), pending=True, waiting=_waiting_vote("period")),
)

ACTIVITY_TERMINAL = frozenset({A.WITHDRAWN, A.REJECTED, A.DEREGISTERED})
PERIOD_TERMINAL = frozenset({P.ISSUED, P.REJECTED, P.WITHDRAWN, P.ENDED})

ACTIVITY_BY_NAME = {t.name: t for t in ACTIVITY_TRANSITIONS}
PERIOD_BY_NAME = {t.name: t for t in PERIOD_TRANSITIONS}

# Transitions a timer pass fires when the state's due date has passed.
ACTIVITY_TIMED = {A.CONSULTATION: "close_consultation", **request_timed(REGISTRATION)}
PERIOD_TIMED = request_timed(ISSUANCE)


def transitions_from(table, state):
    return [t for t in table if state in t.source]


def mermaid(table, states, initial):
    """The state diagram, generated from the declarations (docs/architecture.md)."""
    lines = ["stateDiagram-v2", f"    [*] --> {initial}"]
    for t in table:
        who = "/".join(sorted(str(a) for a in t.actors))
        for source in t.source:
            lines.append(f"    {source} --> {t.target}: {t.name} ({who})")
    return "\n".join(lines)

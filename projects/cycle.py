"""The A6.4 activity cycle, declared in one place (rules.md §2.2-2.3, policy.md §3-4).

Two machines: the activity's, up to registration (and its side exits), and each monitoring
period's, from the monitoring report to issued units. A transition names who may fire it,
the guards that must hold (functions in `guards.py`, by name), whether it needs reasons, and
the timer, if any, that starts when its target state is entered. `projects.models` binds these
declarations to django-fsm transitions; `projects.services` holds the one service function per
transition that fires them. Nothing else changes a state.
"""
from dataclasses import dataclass, field

from django.db import models

from pacm.parties.roles import Role

AP, DOE, DNA, SEC, SB, TIMER = Role.PARTICIPANT, Role.DOE, Role.DNA, Role.SECRETARIAT, Role.SB, Role.TIMER


class ActivityState(models.TextChoices):
    DRAFT = "draft", "Draft"
    PRIOR_CONSIDERATION = "prior_consideration", "Prior consideration notified"
    VALIDATION_CONTRACTED = "validation_contracted", "Validation contracted"
    CONSULTATION = "consultation", "Global stakeholder consultation"
    UNDER_VALIDATION = "under_validation", "Under validation"
    VALIDATED = "validated", "Validated"
    REGISTRATION_REQUESTED = "registration_requested", "Registration requested"
    COMPLETENESS_CHECK = "completeness_check", "Completeness check"
    INFORMATION_CHECK = "information_check", "Information and reporting check"
    REQUEST_INCOMPLETE = "request_incomplete", "Request incomplete (back to the DOE)"
    REVIEW_WINDOW = "review_window", "Review window"
    UNDER_SB_REVIEW = "under_sb_review", "Under SB review"
    REGISTERED = "registered", "Registered"
    WITHDRAWN = "withdrawn", "Withdrawn"
    REJECTED = "rejected", "Rejected"
    DEREGISTERED = "deregistered", "Deregistered"


class PeriodState(models.TextChoices):
    SUBMITTED = "submitted", "Monitoring report submitted"
    UNDER_VERIFICATION = "under_verification", "Under verification"
    VERIFIED = "verified", "Verified and certified"
    ISSUANCE_REQUESTED = "issuance_requested", "Issuance requested"
    ISSUANCE_CHECKS = "issuance_checks", "Secretariat checks"
    ISSUANCE_INCOMPLETE = "issuance_incomplete", "Issuance request incomplete (back to the DOE)"
    ISSUANCE_REVIEW_WINDOW = "issuance_review_window", "Issuance review window"
    ISSUANCE_UNDER_SB_REVIEW = "issuance_under_sb_review", "Issuance under SB review"
    APPROVED = "approved", "Approved (appeal window)"
    ISSUING = "issuing", "Issuing"
    ISSUED = "issued", "Issued"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"
    ENDED = "ended", "Ended with the activity (deregistered or withdrawn)"


@dataclass(frozen=True)
class Transition:
    name: str
    source: tuple
    target: str
    actors: frozenset
    label: str
    guards: tuple = ()
    needs_reason: bool = False
    # Timer started on entering `target`: a rule-set key (RuleSet.<key>_days).
    timer: str | None = None
    style: str = "primary"
    # Inputs given with the action itself; a guard that checks one of them is met by the form.
    inputs: tuple = ()
    extra: dict = field(default_factory=dict)


def T(name, source, target, actors, label, **kw):
    source = tuple(source) if isinstance(source, (list, tuple, set, frozenset)) else (source,)
    return Transition(name, source, target, frozenset(actors), label, **kw)


A = ActivityState
_BEFORE_DECISION = (
    A.DRAFT, A.PRIOR_CONSIDERATION, A.VALIDATION_CONTRACTED, A.CONSULTATION, A.UNDER_VALIDATION,
    A.VALIDATED, A.REGISTRATION_REQUESTED, A.COMPLETENESS_CHECK, A.INFORMATION_CHECK,
    A.REQUEST_INCOMPLETE, A.REVIEW_WINDOW, A.UNDER_SB_REVIEW,
)

ACTIVITY_TRANSITIONS = (
    # rules.md §2.3 S0->S1: prior consideration, within the window after the start date.
    T("notify_prior_consideration", A.DRAFT, A.PRIOR_CONSIDERATION, {AP}, "Notify prior consideration",
      guards=("pdd_complete", "host_participates", "prior_consideration_in_time")),
    # S1->S2: the DOE the participants engaged accepts; it must be accredited for the scope.
    T("accept_engagement", A.PRIOR_CONSIDERATION, A.VALIDATION_CONTRACTED, {DOE}, "Accept the validation engagement",
      guards=("doe_accredited_for_scope",)),
    # S2->S3: PDD published for global stakeholder consultation (RMP 32: approved methodology).
    T("publish_for_consultation", A.VALIDATION_CONTRACTED, A.CONSULTATION, {DOE}, "Publish the PDD for consultation",
      guards=("pdd_complete", "has_pdd_document", "methodology_applicable"), timer="gsc"),
    # S3->S4: the consultation closes by itself (policy.md §3).
    T("close_consultation", A.CONSULTATION, A.UNDER_VALIDATION, {TIMER}, "Close the consultation"),
    # S4->S6: positive opinion; no open corrective action or clarification (policy.md §4).
    T("validate", A.UNDER_VALIDATION, A.VALIDATED, {DOE}, "Give a positive validation opinion",
      guards=("no_open_findings", "has_validation_report", "risk_rating_set"), inputs=("risk_rating",)),
    # S6->S7: RMP 40, 47: the host's approval must be on file before the request.
    T("request_registration", A.VALIDATED, A.REGISTRATION_REQUESTED, {DOE}, "Submit the registration request",
      guards=("host_approval_on_file", "authorization_on_file")),
    T("resubmit_registration", A.REQUEST_INCOMPLETE, A.REGISTRATION_REQUESTED, {DOE}, "Resubmit the registration request",
      guards=("host_approval_on_file", "authorization_on_file")),
    # S7->S8: 7/CMA.4 annex I para 56: processing starts only once the fee is paid (or waived).
    T("start_completeness_check", A.REGISTRATION_REQUESTED, A.COMPLETENESS_CHECK, {SEC}, "Start the completeness check",
      guards=("registration_fee_settled",), timer="completeness_check"),
    T("pass_completeness_check", A.COMPLETENESS_CHECK, A.INFORMATION_CHECK, {SEC}, "Pass the completeness check",
      timer="information_check"),
    T("return_incomplete", (A.COMPLETENESS_CHECK, A.INFORMATION_CHECK), A.REQUEST_INCOMPLETE, {SEC},
      "Return as incomplete", needs_reason=True, style="warning", timer="missing_information"),
    # S9->S10/S11: the review window opens; SB members may request review within it.
    T("pass_information_check", A.INFORMATION_CHECK, A.REVIEW_WINDOW, {SEC}, "Pass the information and reporting check",
      timer="registration_review"),
    # A6.4-PROC-AC-002 v03.0 para 85: the host Party (its DNA) or any SB member may request review.
    T("request_review", A.REVIEW_WINDOW, A.UNDER_SB_REVIEW, {SB, DNA}, "Request review", needs_reason=True,
      style="warning", guards=("review_window_open",)),
    # A window that closes with no review requested registers the activity (policy.md §3).
    T("register_by_timer", A.REVIEW_WINDOW, A.REGISTERED, {TIMER}, "Register (review window closed)"),
    # RMP 49: the SB decides.
    T("register", A.UNDER_SB_REVIEW, A.REGISTERED, {SB}, "Register", needs_reason=True),
    T("reject", A.UNDER_SB_REVIEW, A.REJECTED, {SB}, "Reject", needs_reason=True, style="danger"),
    T("withdraw", _BEFORE_DECISION, A.WITHDRAWN, {AP}, "Withdraw the activity", needs_reason=True, style="danger"),
    T("deregister", A.REGISTERED, A.DEREGISTERED, {SB}, "Deregister", needs_reason=True, style="danger"),
)

P = PeriodState
PERIOD_TRANSITIONS = (
    # rules.md §2.3 S13->S14: the verification DOE takes up the report.
    T("start_verification", P.SUBMITTED, P.UNDER_VERIFICATION, {DOE}, "Start verification",
      guards=("doe_accredited_for_scope",)),
    # S14->S15: verification and certification opinion (RMP 51), every CAR/CL closed.
    T("certify", P.UNDER_VERIFICATION, P.VERIFIED, {DOE}, "Give the verification and certification opinion",
      guards=("no_open_findings", "has_verification_report", "verified_within_claim"), inputs=("verified",)),
    # RMP 52: the DOE requests issuance; issuance fee on the units requested (annex I para 53).
    T("request_issuance", P.VERIFIED, P.ISSUANCE_REQUESTED, {DOE}, "Submit the issuance request",
      guards=("issuance_request_complete", "no_unsettled_avoidable_reversal"), inputs=("issuance_request",)),
    T("resubmit_issuance", P.ISSUANCE_INCOMPLETE, P.ISSUANCE_REQUESTED, {DOE}, "Resubmit the issuance request",
      guards=("issuance_request_complete", "no_unsettled_avoidable_reversal"), inputs=("issuance_request",)),
    T("start_issuance_checks", P.ISSUANCE_REQUESTED, P.ISSUANCE_CHECKS, {SEC}, "Start the checks",
      guards=("issuance_fee_settled",), timer="information_check"),
    T("return_issuance_incomplete", P.ISSUANCE_CHECKS, P.ISSUANCE_INCOMPLETE, {SEC}, "Return as incomplete",
      needs_reason=True, style="warning", timer="missing_information"),
    T("pass_issuance_checks", P.ISSUANCE_CHECKS, P.ISSUANCE_REVIEW_WINDOW, {SEC}, "Pass the checks",
      timer="issuance_review"),
    # A6.4-PROC-AC-002 v03.0 para 194: the host Party (its DNA) or any SB member may request review.
    T("request_issuance_review", P.ISSUANCE_REVIEW_WINDOW, P.ISSUANCE_UNDER_SB_REVIEW, {SB, DNA}, "Request review",
      needs_reason=True, style="warning", guards=("review_window_open",)),
    # rules.md §10.13, reading taken: a window closing with no review approves (CDM model).
    T("approve_by_timer", P.ISSUANCE_REVIEW_WINDOW, P.APPROVED, {TIMER}, "Approve (review window closed)",
      guards=("no_unsettled_avoidable_reversal",), timer="appeal"),
    T("approve_issuance", P.ISSUANCE_UNDER_SB_REVIEW, P.APPROVED, {SB}, "Approve issuance", needs_reason=True,
      guards=("no_unsettled_avoidable_reversal",), timer="appeal"),
    T("reject_issuance", P.ISSUANCE_UNDER_SB_REVIEW, P.REJECTED, {SB}, "Reject issuance", needs_reason=True,
      style="danger"),
    # rules.md §2.3 S18->S19: the appeal window elapses, then the registry issues.
    T("close_appeal_window", P.APPROVED, P.ISSUING, {TIMER}, "Issue (appeal window closed)",
      guards=("no_unsettled_avoidable_reversal",)),
    T("mark_issued", P.ISSUING, P.ISSUED, {TIMER}, "Units issued"),
    T("withdraw", (P.SUBMITTED, P.UNDER_VERIFICATION, P.VERIFIED, P.ISSUANCE_INCOMPLETE), P.WITHDRAWN, {AP},
      "Withdraw the monitoring report", needs_reason=True, style="danger"),
    # pacm issue 6 §5 rule 2: the activity's deregistration (SB) or withdrawal (AP) ends every pending
    # request of it, an approved one included, in the same transaction; no button of its own (the
    # timer role also lets the issuing task end one it finds). A6.4-PROC-AC-002 v03.0 para 259: no
    # A6.4ERs are issued for a deregistered project from the effective date of deregistration.
    T("end_with_activity", (P.SUBMITTED, P.UNDER_VERIFICATION, P.VERIFIED, P.ISSUANCE_REQUESTED, P.ISSUANCE_CHECKS,
                            P.ISSUANCE_INCOMPLETE, P.ISSUANCE_REVIEW_WINDOW, P.ISSUANCE_UNDER_SB_REVIEW, P.APPROVED,
                            P.ISSUING),
      P.ENDED, {SB, AP, TIMER}, "End with the activity", guards=("activity_ended",), needs_reason=True,
      style="danger"),
)

ACTIVITY_TERMINAL = frozenset({A.WITHDRAWN, A.REJECTED, A.DEREGISTERED})
PERIOD_TERMINAL = frozenset({P.ISSUED, P.REJECTED, P.WITHDRAWN, P.ENDED})

ACTIVITY_BY_NAME = {t.name: t for t in ACTIVITY_TRANSITIONS}
PERIOD_BY_NAME = {t.name: t for t in PERIOD_TRANSITIONS}

# Transitions a timer pass fires when the state's due date has passed.
ACTIVITY_TIMED = {A.CONSULTATION: "close_consultation", A.REVIEW_WINDOW: "register_by_timer"}
PERIOD_TIMED = {P.ISSUANCE_REVIEW_WINDOW: "approve_by_timer", P.APPROVED: "close_appeal_window"}


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

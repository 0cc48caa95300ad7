"""Renewal of a crediting period (a project), of a PoA period, and of a CP's crediting period, declared once.

A project's or a PoA's renewal (A6.4-PROC-AC-002 v03.0 paras 231-250; A6.4-PROC-AC-003 v03.0 paras
274-293): the participants update the design document (para 235 / 280; STAN-AC-002 para 162,
STAN-AC-004 para 207) and contract a DOE (para 238 / 282); the DOE validates it (para 239 / 283) and
submits the request within its window (paras 241-243 / 285-287); the renewal fee (para 244 / 288);
then the request pipeline of a registration (paras 246-250 / 289-293, "section 5.1.2 mutatis
mutandis"): completeness and substantive checks, the review window, the SB's decision, the appeal
window; renewed: the new period starts the day after the old one ended (para 233 / 277).

A CP's renewal is a notification (PROC-AC-003 v03.0 paras 294-305): the DOE uploads the updated CP-DD
with its validation report (para 299), the fee statement follows (para 300), and the crediting
period is renewed once the fee is processed (para 302).
"""
from django.db import models
from django.utils.translation import gettext_lazy as _

from pacm.engine.declarations import A as Act
from pacm.engine.declarations import T
from pacm.parties.roles import Role

from ..cycle import _waiting_board as _board_waiting
from ..cycle import _waiting_vote as _board_vote_waiting
from ..requests.pipeline import RequestKind, RequestNames, RequestStates, request_pipeline, request_timed

AP, DOE, DNA, SEC, SB, TIMER, BOARD = (
    Role.PARTICIPANT, Role.DOE, Role.DNA, Role.SECRETARIAT, Role.SB, Role.TIMER, Role.BOARD,
)


class RenewalState(models.TextChoices):
    UNDER_VALIDATION = "under_validation", _("Design document updated: DOE validation")
    NOT_VALIDATED = "not_validated", _("Not validated by the DOE")
    VALIDATED = "validated", _("Validated: to be submitted by the DOE")
    REQUESTED = "requested", _("Renewal requested (fee)")
    COMPLETENESS = "completeness", _("Completeness check")
    SUBSTANTIVE = "substantive", _("Substantive check")
    INCOMPLETE = "incomplete", _("Returned for fixes")
    REVIEW_WINDOW = "review_window", _("Review window")
    UNDER_REVIEW = "under_review", _("Under SB review")
    APPROVED = "approved", _("Approved (appeal window)")
    RENEWED = "renewed", _("Renewed")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


S = RenewalState

# PROC-AC-002 v03.0 paras 241-249 (PROC-AC-003 paras 285-292): the DOE's request runs the
# registration's pipeline; its timers are the registration's rule-set keys (para 246: "section
# 5.1.2 mutatis mutandis"; para 248: section 5.1.4, the registration's appeal window).
RENEWAL = RequestKind(
    name="renewal",
    states=RequestStates(
        submitted=S.REQUESTED, completeness=S.COMPLETENESS, substantive=S.SUBSTANTIVE, incomplete=S.INCOMPLETE,
        review_window=S.REVIEW_WINDOW, under_review=S.UNDER_REVIEW, decided=S.APPROVED, rejected=S.REJECTED,
        final=S.RENEWED,
    ),
    names=RequestNames(
        submit="submit_renewal", resubmit="resubmit_renewal", start_checks="start_completeness_check",
        pass_completeness="pass_completeness_check", pass_checks="pass_substantive_check",
        return_incomplete="return_incomplete", request_review="request_review", approve_by_timer="approve_by_timer",
        approve="approve", reject="reject", close_appeal="renew_after_appeal",
    ),
    # Para 241: the DOE submits, with the new PDD version and its validation report; para 242-243:
    # within the window (a transitioned activity: within the year after its transition approval).
    entry=(S.VALIDATED,), requester=frozenset({DOE}),
    submit_labels=(_("Submit the renewal request"), _("Resubmit the renewal request")),
    submit_guards=("renewal_window_open", "renewal_documents_on_file", "renewal_methodology_in_force"),
    fee_guard="renewal_fee_settled",
    # Para 247 (section 5.1.3): the host Party's DNA or any SB member or alternate; para 249: the SB decides.
    reviewers=frozenset({DNA, SB}), deciders=frozenset({BOARD}),
    completeness_timer="completeness_check", substantive_timer="information_check",
    fixes_timer="missing_information", review_timer="registration_review", appeal_timer="registration_appeal",
    labels={"pass_checks": _("Pass the substantive check and publish"), "approve": _("Approve the renewal"),
            "reject": _("Reject the renewal"), "approve_by_timer": _("Deemed approved (review window closed)"),
            "close_appeal": _("Renewed (appeal window closed)")},
)

OPEN = (S.UNDER_VALIDATION, S.VALIDATED, S.REQUESTED, S.COMPLETENESS, S.SUBSTANTIVE, S.INCOMPLETE,
        S.REVIEW_WINDOW, S.UNDER_REVIEW)

RENEWAL_TRANSITIONS = (
    # Para 239 (PROC-AC-003 para 283): the DOE validates the updated design, with its validation
    # report ("Validation report form for renewal of the crediting period for projects").
    T("validate_renewal", S.UNDER_VALIDATION, S.VALIDATED, {DOE}, _("Validate the updated design document"),
      guards=("validation_report_given",), inputs=("report",), input_guards=("validation_report_given",)),
    T("decline_renewal", S.UNDER_VALIDATION, S.NOT_VALIDATED, {DOE},
      _("Negative validation: the update does not meet the requirements"), needs_reason=True, style="danger"),
    *request_pipeline(RENEWAL),
    # Para 250 (section 5.3): the request is withdrawn (the DOE, at the participants' wish).
    T("withdraw", OPEN, S.WITHDRAWN, {AP, DOE}, _("Withdraw the renewal request"), needs_reason=True,
      style="danger", pending=False),
)


def _decisions(**filters):
    from django.db.models import OuterRef

    from ..board.models import Decision

    return Decision.objects.filter(subject_kind__in=("renewal", "poa_renewal"), subject_id=OuterRef("pk"),
                                   status="open", **filters)


def _waiting_board():
    """Under SB review with no decision open: the secretariat records or opens one."""
    from django.db.models import Exists, Q

    return Q(state=S.UNDER_REVIEW) & ~Q(Exists(_decisions()))


def _waiting_vote(user=None):
    from django.db.models import Exists, OuterRef, Q

    from ..board.models import Vote

    open_votes = _decisions(mode="electronic")
    if user is not None:
        open_votes = open_votes.exclude(Exists(Vote.objects.filter(decision=OuterRef("pk"), voter=user)))
    return Q(Exists(open_votes))


RENEWAL_ACTIONS = (
    # Para 249 (section 5.2, RMP 22; A6.4-SBM017 v01.0 para 36): the SB decides as a body, at a
    # meeting (the secretariat records it) or electronically (members vote): projects.board, kinds
    # "renewal" and "poa_renewal".
    Act("decide_as_board", S.UNDER_REVIEW, {SEC}, _("Record or open the Board's decision"), pending=True,
        waiting=_waiting_board),
    Act("vote_as_board", S.UNDER_REVIEW, {SB}, _("Vote on the Board's decision"), guards=("board_vote_open",),
        pending=True, waiting=_waiting_vote),
)
RENEWAL_TERMINAL = frozenset({S.RENEWED, S.REJECTED, S.WITHDRAWN, S.NOT_VALIDATED})
RENEWAL_TIMED = request_timed(RENEWAL)
RENEWAL_BY_NAME = {t.name: t for t in RENEWAL_TRANSITIONS}


class CPRenewalState(models.TextChoices):
    NOTIFIED = "cp_notified", _("Renewal notified: fee statement issued")
    RENEWED = "cp_renewed", _("Crediting period renewed")
    WITHDRAWN = "cp_withdrawn", _("Notification withdrawn")
    # PROC-AC-003 v03.0 paras 302, 305 (section 6.2.5 mutatis mutandis; renewals/review.py).
    UNDER_REVIEW = "cp_under_review", _("Renewal under review (erroneous renewal?)")
    REVERSED = "cp_reversed", _("Renewal reversed by the SB (erroneous)")


C = CPRenewalState

CP_RENEWAL_TRANSITIONS = (
    # PROC-AC-003 v03.0 para 302: renewed and displayed once the fee is processed.
    T("renew_cp", C.NOTIFIED, C.RENEWED, {SEC}, _("Process the fee and renew the CP's crediting period"),
      guards=("renewal_fee_settled", "cp_period_within_poa")),
    T("withdraw_cp_renewal", C.NOTIFIED, C.WITHDRAWN, {DOE}, _("Withdraw the renewal notification"),
      needs_reason=True, style="danger", pending=False),
)
CP_RENEWAL_TRANSITIONS += (
    # Para 302: the secretariat's sample assessment, and para 305 (paras 128-132 mutatis mutandis): a
    # host's DNA or an SB member, within the rule set's days after the renewal, requests review of an
    # erroneous renewal; the SB confirms it or reverses it with immediate effect (renewal-17).
    T("request_renewal_review", C.RENEWED, C.UNDER_REVIEW, {DNA, SB, SEC},
      _("Request review of the renewal (sample assessment or erroneous renewal)"), needs_reason=True,
      style="warning", guards=("cp_renewal_review_in_time", "cp_renewal_is_latest"), pending=False),
    T("confirm_renewal", C.UNDER_REVIEW, C.RENEWED, {BOARD}, _("Confirm the renewal"), needs_reason=True),
    T("reverse_renewal", C.UNDER_REVIEW, C.REVERSED, {BOARD}, _("Reverse the renewal (erroneous)"),
      needs_reason=True, style="danger"),
)


CP_RENEWAL_ACTIONS = (
    # Para 305 (section 6.2.5 mutatis mutandis, para 132; RMP 22; A6.4-SBM017 v01.0 para 36): the SB
    # confirms or reverses as a body, at a meeting (the secretariat records it) or electronically
    # (members vote): projects.board, kind "cp_renewal" (renewal-17).
    Act("decide_as_board", C.UNDER_REVIEW, {SEC}, _("Record or open the Board's decision"), pending=True,
        waiting=_board_waiting("cp_renewal", C.UNDER_REVIEW)),
    Act("vote_as_board", C.UNDER_REVIEW, {SB}, _("Vote on the Board's decision"), guards=("board_vote_open",),
        pending=True, waiting=_board_vote_waiting("cp_renewal")),
)
CP_RENEWAL_TERMINAL = frozenset({C.REVERSED, C.WITHDRAWN})

"""The PoA's and the component project's machines, declared as tables (A6.4-PROC-AC-003 v03.0).

The PoA's states are the activity's (a PoA is an Activity row, projects.poa.models.Programme);
its writes are its own: prior consideration with the PoA period, the PoA-DD with the generic
CP-DD and the eligibility criteria published for the global stakeholder consultation, each host
Party's approval with its maximum annual amount, the authorization statement, validation, the
registration request on the one request pipeline (projects.requests.pipeline) with the PoA fee,
registered, withdrawn, rejected, deregistered. A component project has its own machine whose
owner (locked first, event stream) is its PoA. Renewal of the PoA period is not declared yet.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _

from pacm.engine.declarations import A as Act
from pacm.engine.declarations import T
from pacm.parties.roles import Role

from ..consultation.declarations import consultation_actions
from ..cycle import ACTIVITY_ACTIONS, REGISTRATION, ActivityState, _waiting_board, _waiting_vote
from ..renewals.declarations import cp_renewal_actions, renewal_actions
from ..requests.pipeline import RequestKind, request_pipeline, request_timed

AP, DOE, DNA, SEC, SB, TIMER, BOARD = (
    Role.PARTICIPANT, Role.DOE, Role.DNA, Role.SECRETARIAT, Role.SB, Role.TIMER, Role.BOARD,
)
A = ActivityState


class CPState(models.TextChoices):
    NOTIFIED = "notified", _("Inclusion notified")
    UNDER_VALIDATION = "under_validation", _("Under validation")
    VALIDATED = "validated", _("Validated")
    UPLOADED = "uploaded", _("Uploaded for inclusion (fee due)")
    INCLUDED = "included", _("Included")
    UNDER_INCLUSION_REVIEW = "under_inclusion_review", _("Inclusion under review")
    EXCLUDED = "excluded", _("Excluded (voluntarily)")
    EXCLUDED_ERRONEOUS = "excluded_erroneous", _("Excluded (erroneous inclusion)")
    WITHDRAWN = "withdrawn", _("Withdrawn")


_BEFORE_DECISION = (
    A.DRAFT, A.PRIOR_CONSIDERATION, A.VALIDATION_CONTRACTED, A.CONSULTATION, A.UNDER_VALIDATION,
    A.VALIDATED, A.REGISTRATION_REQUESTED, A.COMPLETENESS_CHECK, A.INFORMATION_CHECK,
    A.REQUEST_INCOMPLETE, A.REVIEW_WINDOW, A.UNDER_SB_REVIEW, A.REGISTRATION_APPROVED,
)
# PROC-AC-003 v03.0 para 91, footnote 14: a CP may be notified once the PoA-DD is published for
# the global stakeholder consultation, before or after the PoA's registration.
PUBLISHED = tuple(s for s in _BEFORE_DECISION if s not in (A.DRAFT, A.PRIOR_CONSIDERATION, A.VALIDATION_CONTRACTED)) + (
    A.REGISTERED,)
# Paras 23-27: the hosts approve once the PoA-DD is published, until the registration request.
APPROVAL_STATES = (A.PRIOR_CONSIDERATION, A.VALIDATION_CONTRACTED, A.CONSULTATION, A.UNDER_VALIDATION, A.VALIDATED,
                   A.REQUEST_INCOMPLETE)
DESIGN_STATES = (A.DRAFT, A.PRIOR_CONSIDERATION, A.VALIDATION_CONTRACTED)

# PROC-AC-003 v03.0 paras 44-90 (processed as a project's registration, PROC-AC-002 v03.0 paras
# 67-116): the PoA's registration on the request pipeline, with the PoA fee (App.1 para 6(a)).
POA_REGISTRATION = RequestKind(
    name="poa_registration",
    states=REGISTRATION.states,
    names=REGISTRATION.names,
    entry=(A.VALIDATED,), requester=frozenset({DOE}),
    submit_labels=(_("Submit the PoA registration request"), _("Resubmit the PoA registration request")),
    # Paras 25-26, 44: every host Party has approved with its maximum; the authorization statement.
    submit_guards=("every_host_approved", "authorization_on_file"),
    fee_guard="registration_fee_settled",
    reviewers=frozenset({SB, DNA}), deciders=frozenset({BOARD}),
    completeness_timer="completeness_check", substantive_timer="information_check",
    review_timer="registration_review", appeal_timer="registration_appeal",
    labels=REGISTRATION.labels,
)

POA_TRANSITIONS = (
    # Paras 16-19: prior consideration, with the PoA period (fn 9: at most 20 years, 60 with removals).
    T("notify_prior_consideration", A.DRAFT, A.PRIOR_CONSIDERATION, {AP}, _("Notify prior consideration"),
      guards=("pdd_complete", "hosts_participate", "poa_period_valid")),
    T("accept_engagement", A.PRIOR_CONSIDERATION, A.VALIDATION_CONTRACTED, {DOE}, _("Accept the validation engagement"),
      guards=("doe_accredited_for_scope",)),
    # Paras 20-22: the PoA-DD, with the generic CP-DD and the eligibility criteria, for 28 days.
    T("publish_for_consultation", A.VALIDATION_CONTRACTED, A.CONSULTATION, {DOE}, _("Publish the PoA-DD for consultation"),
      guards=("pdd_complete", "has_pdd_document", "has_generic_cpdd_document", "eligibility_criteria_set",
              "methodology_applicable"), timer="gsc"),
    T("close_consultation", A.CONSULTATION, A.UNDER_VALIDATION, {TIMER}, _("Close the consultation")),
    # Paras 29-43: the DOE's validation opinion.
    # STAN-AC-005 para 42: every published comment of the consultation taken into due account.
    T("validate", A.UNDER_VALIDATION, A.VALIDATED, {DOE}, _("Give a positive validation opinion"),
      guards=("no_open_findings", "comments_taken_into_account", "has_validation_report")),
    *request_pipeline(POA_REGISTRATION),
    T("withdraw", _BEFORE_DECISION, A.WITHDRAWN, {AP}, _("Withdraw the PoA"), needs_reason=True, style="danger",
      pending=False),
    T("deregister", A.REGISTERED, A.DEREGISTERED, {BOARD}, _("Deregister"), needs_reason=True, style="danger",
      pending=False),
)


def _unapproved_hosts(poa):
    return [h for h in poa.poa_hosts.all() if not h.approved]


def _host_of_actor(host, actor):
    """Each host's DNA approves for its own part only (para 26)."""
    return not host.approved and actor.organisation.party_id == host.party_id


def _waiting_host_approval(user=None):
    from django.db.models import Exists, OuterRef, Q

    from .models import PoAHost

    hosts = PoAHost.objects.filter(poa=OuterRef("pk"), max_annual__isnull=True)
    if user is not None:
        hosts = hosts.filter(party__organisations__memberships__user=user)
    return Q(Exists(hosts))


def _registration_fees(poa):
    # The PoA's and its CPs' renewal fees too (PROC-AC-003 v03.0 paras 288, 300; projects.renewals).
    return [f for f in poa.fees.all() if f.status == "due" and f.kind in ("registration", "renewal")]


def _waiting_fee():
    from django.db.models import Exists, OuterRef, Q

    from ..models import Fee

    return Q(Exists(Fee.objects.filter(activity=OuterRef("pk"), status="due", kind__in=("registration", "renewal"))))


def _waiting_doe():
    from django.db.models import Q

    return Q(validation_doe__isnull=True)


_REUSED = {a.name: a for a in ACTIVITY_ACTIONS}

POA_ACTIONS = (
    # Para 16(c), 20: the hosts and the eligibility criteria are part of the PoA's design.
    Act("edit_design", DESIGN_STATES, {AP}, _("Edit the PoA's hosts and eligibility criteria"),
        refusal=_("The hosts and eligibility criteria are fixed once the PoA-DD is published.")),
    Act("engage_doe", (A.DRAFT, A.PRIOR_CONSIDERATION), {AP}, _("Engage a DOE"), pending=True,
        waiting=_waiting_doe,
        refusal=_("The validation DOE can be changed only before it accepts the engagement."),
        guards=("no_doe_engaged_for_stage",)),
    _REUSED["upload_document"],
    _REUSED["raise_finding"], _REUSED["answer_finding"], _REUSED["close_finding"], _REUSED["reopen_finding"],
    # Paras 23-27: each host's DNA approves, with the maximum annual amount of its CPs (25(d), 26).
    Act("issue_host_approval", APPROVAL_STATES, {DNA}, _("Approve the PoA as host Party"), items=_unapproved_hosts,
        item_ok=_host_of_actor, pending=True, waiting=_waiting_host_approval,
        refusal=_("The host Parties approve between prior consideration and the registration request.")),
    _REUSED["issue_authorization"],
    # The PoA's registration fee; a CP's inclusion fee is recorded with its inclusion (CP machine).
    Act("record_fee_payment", None, {SEC}, _("Record the fee payment"), items=_registration_fees,
        item_ok=lambda fee, actor: fee.status == "due", pending=True, waiting=_waiting_fee),
    # Para 91: the inclusion of a CP is notified through the coordinating/managing entity.
    Act("notify_inclusion", PUBLISHED, {AP}, _("Notify the inclusion of a component project"), creates="component",
        refusal=_("Component projects are notified once the PoA-DD is published for consultation.")),
    # PROC-AC-003 v03.0 paras 274-293: renewal of the PoA period (projects.renewals).
    *renewal_actions(registered=A.REGISTERED, creates="poa_renewal"),
    # RMP 22; PROC-AC-003 v03.0 paras 44-90 (PROC-AC-002 v03.0 paras 102-103): the SB decides as a
    # body on the PoA's registration, or its deregistration (projects.board, subject kind "poa").
    Act("decide_as_board", (A.UNDER_SB_REVIEW, A.REGISTERED), {SEC}, _("Record or open the Board's decision"),
        pending=True, waiting=_waiting_board("poa", A.UNDER_SB_REVIEW)),
    Act("vote_as_board", (A.UNDER_SB_REVIEW, A.REGISTERED), {SB}, _("Vote on the Board's decision"),
        guards=("board_vote_open",), pending=True, waiting=_waiting_vote("poa")),
)

POA_TERMINAL = frozenset({A.WITHDRAWN, A.REJECTED, A.DEREGISTERED})
POA_TIMED = {A.CONSULTATION: "close_consultation", **request_timed(POA_REGISTRATION)}

C = CPState
CP_TRANSITIONS = (
    # Para 95: the CP-DD goes to any DOE accredited in the sectoral scope, contracted by the participants.
    T("start_validation", C.NOTIFIED, C.UNDER_VALIDATION, {DOE}, _("Start the validation of the CP"),
      guards=("cp_doe_accredited",)),
    # Paras 95, 97: the CP-DD checked against the generic CP-DD and every eligibility criterion.
    T("validate", C.UNDER_VALIDATION, C.VALIDATED, {DOE}, _("Confirm the eligibility criteria and validate"),
      guards=("cp_has_cpdd", "cp_has_validation_report", "cp_criteria_confirmed"), inputs=("criteria",),
      input_guards=("cp_criteria_confirmed",)),
    # Paras 123-124: the DOE includes by uploading, after registration; blocked over the host's cap;
    # para 277: not while the PoA period has ended unrenewed.
    T("upload_inclusion", C.VALIDATED, C.UPLOADED, {DOE}, _("Upload for inclusion"),
      guards=("poa_registered", "poa_period_current", "cp_has_inclusion_form", "cp_crediting_period_valid",
              "host_cap_holds"),
      inputs=("crediting_period",), input_guards=("cp_crediting_period_valid",)),
    # Paras 124-126: the inclusion fee processed, the CP is included and displayed; the fee's payment
    # reference is given with the write (the service records it before the guard reads it).
    T("include", C.UPLOADED, C.INCLUDED, {SEC}, _("Record the inclusion fee and include"),
      guards=("inclusion_fee_settled", "poa_registered"), inputs=("reference",),
      input_guards=("inclusion_fee_settled",)),
    T("withdraw", (C.NOTIFIED, C.UNDER_VALIDATION, C.VALIDATED, C.UPLOADED), C.WITHDRAWN, {AP},
      _("Withdraw the component project"), needs_reason=True, style="danger", pending=False),
    # Paras 306-316: voluntary exclusion, through the coordinating/managing entity.
    T("exclude_voluntarily", C.INCLUDED, C.EXCLUDED, {AP}, _("Exclude the CP voluntarily"), needs_reason=True,
      style="danger", pending=False),
    # Paras 128-139: review of an erroneous inclusion (a host DNA, any SB member), in time; the SB
    # confirms the CP or excludes it with immediate effect.
    T("request_inclusion_review", C.INCLUDED, C.UNDER_INCLUSION_REVIEW, {DNA, SB}, _("Request review of the inclusion"),
      needs_reason=True, style="warning", guards=("inclusion_review_in_time",), pending=False),
    # Para 126: the secretariat assesses inclusions on a sample basis "in accordance with the process
    # referred to in sections 5.1.2-5.3 above, mutatis mutandis", and para 133 puts "an issue identified
    # by the secretariat on the basis of a sample assessment" before the SB: an issue its assessment of
    # an included CP raises puts the CP under the same review, in para 128's window (reading poa-11).
    T("refer_sample_issue", C.INCLUDED, C.UNDER_INCLUSION_REVIEW, {SEC},
      _("Refer an issue of the sample assessment to the SB's review"), needs_reason=True, style="warning",
      guards=("inclusion_review_in_time",), pending=False),
    T("confirm_inclusion", C.UNDER_INCLUSION_REVIEW, C.INCLUDED, {BOARD}, _("Confirm the inclusion"), needs_reason=True),
    # Para 139: with the exclusion, the SB's finding whether the validating DOE is at fault (the Board
    # panel's input, projects.board.subjects.FINDINGS); at fault, the DOE owes the units issued.
    T("exclude_erroneous", C.UNDER_INCLUSION_REVIEW, C.EXCLUDED_ERRONEOUS, {BOARD}, _("Exclude the CP (erroneous inclusion)"),
      needs_reason=True, style="danger", inputs=("doe_at_fault",)),
)

CP_ACTIONS = (
    Act("upload_document", None, {AP, DOE}, _("Upload a document"),
        refusal=_("The component project is closed: no new documents.")),
    # PROC-AC-003 v03.0 paras 294-305: the DOE notifies the renewal of the CP's crediting period.
    *cp_renewal_actions(included=C.INCLUDED),
    # Para 297: the CP-DD goes to a DOE accredited in the scope and contracted by the participants;
    # a CP transitioned from the CDM records none (transition-2), and its period ended on 31 Dec
    # 2025 (STAN-AC-001 v05.0 para 13(a)(ii)): its participants name the DOE that validates and
    # notifies the renewal (para 304; docs/rules-coverage.md renewal-20). Never a second one.
    Act("engage_doe", C.INCLUDED, {AP}, _("Engage the DOE for the CP's renewal"), guards=("cp_no_doe_recorded",),
        refusal=_("A DOE is engaged for an included component project only.")),
    # Para 136: the SB confirms or excludes a CP under review, as a body (projects.board, kind "component").
    Act("decide_as_board", C.UNDER_INCLUSION_REVIEW, {SEC}, _("Record or open the Board's decision"),
        pending=True, waiting=_waiting_board("component", C.UNDER_INCLUSION_REVIEW)),
    Act("vote_as_board", C.UNDER_INCLUSION_REVIEW, {SB}, _("Vote on the Board's decision"),
        guards=("board_vote_open",), pending=True, waiting=_waiting_vote("component")),
)

# PROC-AC-003 v03.0 paras 217-220: the PoA's monitoring report, per CP per vintage, for a batch of
# its included CPs (projects.poa.issuance); the period then runs the period machine as a project's does.
POA_ACTIONS = POA_ACTIONS + (
    # Para 203: the DOE that verifies the PoA's monitoring reports, engaged by the coordinating/managing entity.
    Act("engage_verification_doe", A.REGISTERED, {AP}, _("Engage the verification DOE"),
        refusal=_("A verification DOE is engaged once the PoA is registered."),
        guards=("no_period_under_verification",)),
    Act("submit_monitoring_report", A.REGISTERED, {AP}, _("Submit a monitoring report for a batch of CPs"),
        creates="period", refusal=_("Only a registered PoA is monitored.")),
)
CP_TERMINAL = frozenset({C.EXCLUDED, C.EXCLUDED_ERRONEOUS, C.WITHDRAWN})

# PROC-AC-003 v03.0 paras 21-22, 29; STAN-AC-005 para 42 (projects.consultation): the public's
# comments on the PoA-DD, answered by the coordinating/managing entity and assessed by the
# validating DOE from the publication until the validation opinion.
POA_ACTIONS = POA_ACTIONS + (
    *consultation_actions(kind="poa", states=(A.CONSULTATION, A.UNDER_VALIDATION)),
)


# --- the DOE's liability for an erroneous inclusion (PROC-AC-003 v03.0 para 139) ----------------

class LiabilityState(models.TextChoices):
    OPEN = "open", _("Owed")
    OVERDUE = "overdue", _("Overdue")
    SETTLED = "settled", _("Settled")


L = LiabilityState
LIABILITY_TRANSITIONS = (
    # Para 139: the DOE acquires and transfers the units issued for the CP to cancellation within
    # 30 days of the exclusion (RuleSet.cp_liability_days).
    T("settle", (L.OPEN, L.OVERDUE), L.SETTLED, {DOE}, _("Cancel the units owed"), guards=("liability_units_held",)),
    T("mark_overdue", L.OPEN, L.OVERDUE, {TIMER}, _("The time to cancel has passed")),
)
LIABILITY_TERMINAL = frozenset({L.SETTLED})
LIABILITY_TIMED = {L.OPEN: "mark_overdue"}

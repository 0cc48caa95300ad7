"""Guards named in `cycle.py` for the transition request: None when the guard holds, else a
`Blocked` (stable code, params, message) saying why not (A6.4-PROC-AC-001 v06.0)."""
from django.utils import timezone
from django.utils.translation import gettext as _

from pacm.engine.declarations import Blocked

from ..guards import board_vote_open  # noqa: F401  (named by the machine: the Board panel's vote)
from .cycle import TransitionState
from .deadlines import deadline_end, host_approval_deadline, revised_pdd_deadline, rules
from .models import TransitionRequest

R = TransitionRequest


def _blocked(code, message, params):
    return Blocked(code=code, message=message % params, params=params)


def _when(moment):
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M} UTC"


def _window(code, message):
    def guard(obj):
        if obj.due_at is not None and obj.due_at <= timezone.now():
            return _blocked(code, message, {"closed": _when(obj.due_at)})
        return None

    guard.__name__ = code
    return guard


# Para 15: the corrected request within the rule set's days.
corrections_in_time = _window("corrections_in_time", _("The time to correct the request ended on %(closed)s."))
# Para 40: review only within the window.
review_window_open = _window(
    "review_window_open", _("The review window closed on %(closed)s: review can no longer be requested."))
# Para 47: the modifications are accepted within the rule set's days.
modifications_in_time = _window(
    "modifications_in_time", _("The time to accept the modifications ended on %(closed)s."))


def _approving(obj):
    """The Party approving now: a PoA's host whose DNA acts (set by the service), else the host."""
    return getattr(obj, "approving_party", None) or obj.host_party


def host_participates(obj):
    """Para 26: the host approves only once it meets the participation requirements (RMP 26)."""
    party = _approving(obj)
    if not party.participates:
        return _blocked("host_participates",
                        _("%(party)s does not yet meet the A6.4 participation requirements (RMP 26)."),
                        {"party": party.name})
    return None


def poa_request(obj):
    """Paras 19-20, 24: CPAs and the hosts of a PoA's request."""
    if obj.kind != R.Kind.POA:
        return Blocked(code="not_a_poa_request", message=_("Only a CDM PoA's request brings CPAs and several hosts."))
    return None


def host_deadline_open(obj):
    """Para 21 (CMA7 extension, rule-set date): the host approves by the deadline, 24:00 CET."""
    deadline = host_approval_deadline(rules())
    if timezone.now() >= deadline_end(deadline):
        return _blocked("host_deadline_passed",
                        _("The deadline for the host Party's approval of transitions was %(deadline)s."),
                        {"deadline": deadline.isoformat()})
    return None


def host_deadline_passed(obj):
    """Para 21 (transition-1): the request ends only once the deadline of the rule set in force
    has passed; the due date was set from the rule set in force when the consultation closed, so a
    newer rule set that moves the deadline later holds the timer back until then."""
    deadline = host_approval_deadline(rules())
    if timezone.now() < deadline_end(deadline):
        return _blocked("host_deadline_not_passed",
                        _("The host Party may still approve the transition until %(deadline)s."),
                        {"deadline": deadline.isoformat()})
    return None


def host_approval_given(obj):
    """Appendix 2 (A6.4-FORM-AC-003): the approval confirms SD and the relation to the NDC."""
    if not obj.host_sd_confirmation.strip() or not obj.host_ndc_relation.strip():
        return Blocked(code="host_approval_given",
                       message=_("Confirm how the activity fosters sustainable development and how it relates to "
                                 "the NDC."))
    return None


def sop_opt_out_allowed(obj):
    """Paras 22-23: only an LDC or SIDS host may opt out of the share-of-proceeds exemption."""
    party = _approving(obj)
    if obj.sop_exemption_opt_out and not party.is_ldc_or_sids(timezone.localdate()):
        return _blocked("sop_opt_out_not_ldc_sids",
                        _("%(party)s is neither an LDC nor a SIDS: it has no share-of-proceeds exemption to opt "
                          "out of."), {"party": party.name})
    return None


def cpas_to_transition(obj):
    """Para 24: a PoA transitions with at least one CPA of a host that approved."""
    if obj.kind == R.Kind.POA and not obj.cpas.filter(
            removed_at__isnull=True, host_party__transition_hosts__request=obj,
            host_party__transition_hosts__approved_at__isnull=False).exists():
        return Blocked(code="no_cpa_of_an_approving_host", message=_(
            "None of the PoA's CPAs is in a host Party that approved its transition (para 24)."))
    return None


def documentation_given(obj):
    """Paras 30-32: an addendum, or a revised PDD validated by a DOE."""
    if obj.documentation not in R.Documentation.values:
        return Blocked(code="documentation_kind", message=_("Say whether you submit an addendum or a revised PDD."))
    if not obj.documentation_summary.strip():
        return Blocked(code="documentation_summary", message=_("Describe the additional documentation."))
    if obj.documentation == R.Documentation.REVISED_PDD and obj.validation_doe_id is None:
        return Blocked(code="validation_doe_required",
                       message=_("A revised PDD is submitted with the validation of a DOE (para 32): name it."))
    return None


def documentation_in_time(obj):
    """Para 30: an addendum by the rule set's date; para 32: a revised PDD within its days."""
    rule_set = rules()
    if obj.documentation == R.Documentation.REVISED_PDD:
        deadline = revised_pdd_deadline(rule_set, obj.host_approved_at)
    else:
        deadline = rule_set.transition_addendum_deadline
    if timezone.localdate() > deadline:
        return _blocked("documentation_late", _("The additional documentation was due by %(deadline)s."),
                        {"deadline": deadline.isoformat()})
    return None


def transition_fee_settled(obj):
    """Para 36: the checks start once the fee is paid, or when none is due."""
    if obj.fee_status not in (R.FeeStatus.PAID, R.FeeStatus.WAIVED):
        return Blocked(code="transition_fee_settled", message=_("The transition fee has not been paid yet."))
    return None


def fee_due(obj):
    if obj.fee_status != R.FeeStatus.DUE:
        return Blocked(code="fee_not_due", message=_("No transition fee is due."))
    return None


def deregistration_recorded(obj):
    """Para 50: registered effective on its CDM deregistration; holds only in the appeal window."""
    if obj.state == TransitionState.APPROVED and obj.cdm_deregistration_date is None:
        return Blocked(code="cdm_deregistration_missing",
                       message=_("The date the CDM deregistered the activity is not recorded yet."))
    return None


def cdm_methodology_kept(obj):
    """PROC-AC-001 v06.0 para 55(a): a provisional issuance is finalised only for an activity that
    kept its CDM methodology at transition (its additional documentation was an addendum)."""
    if obj.documentation != R.Documentation.ADDENDUM:
        return Blocked(code="cdm_methodology_not_kept",
                       message=_("A provisional issuance is finalised only for an activity that kept its CDM "
                                 "methodology (para 55(a))."))
    return None

"""Guards of the renewal machines and of the writes that open a renewal (each None, or a Blocked)."""
import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from pacm.engine.declarations import Blocked

from ..guards import board_vote_open  # noqa: F401  (named by the machine: the Board panel's vote)
from . import periods
from .models import Kind


def _host_renewal_approved(subject):
    """PROC-AC-002 para 231 (PROC-AC-003 para 275): the host approved renewal at registration."""
    from ..models import HostApproval

    kind = periods.kind_of(subject)
    if kind == Kind.PROJECT:
        approval = HostApproval.objects.filter(activity=subject).order_by("-version").first()
        return approval is not None and approval.renewal_approved
    hosts = [subject.host] if kind == Kind.CP else list(subject.poa_hosts.select_related("approval"))
    return bool(hosts) and all(h.approval is not None and h.approval.renewal_approved for h in hosts)


def renewal_possible(subject):
    """Whether a renewal may be opened for `subject` now (its participants' or DOE's write)."""
    rule_set = periods.rules()
    kind = periods.kind_of(subject)
    if not _host_renewal_approved(subject):
        return Blocked(code="renewal_not_approved_by_host", message=_(
            "The host Party did not approve the renewal when it approved this activity: its period may not be "
            "renewed (A6.4-PROC-AC-002 para 231; A6.4-PROC-AC-003 para 275)."))
    allowed = periods.renewals_allowed(subject, rule_set)
    if allowed is None:
        return Blocked(code="renewal_fixed_period", message=_(
            "A fixed crediting period is not renewed (A6.4-STAN-AC-002 para 83(a)(ii))."))
    left = periods.renewals_left(subject, rule_set)
    if left <= 0:
        params = {"allowed": allowed}
        return Blocked(code="renewals_exhausted", params=params, message=_(
            "No renewal is left: the period may be renewed at most %(allowed)s times (A6.4-STAN-AC-002 para 83; "
            "A6.4-PROC-AC-003 para 274; A6.4-STAN-AC-001 para 13(b)).") % params)
    if periods.renewals_of(subject).filter(state__in=_open_states(kind)).exists():
        return Blocked(code="renewal_open", message=_("A renewal of this period is already open."))
    opens, closes, _transitioned = periods.window(subject, rule_set)
    today = timezone.localdate()
    if today > closes:
        params = {"closes": closes.isoformat(), "end": subject.crediting_end.isoformat()}
        return Blocked(code="renewal_window_closed", params=params, message=_(
            "The period ended on %(end)s and the request for its renewal had to be submitted by %(closes)s: it may "
            "no longer be renewed (A6.4-PROC-AC-002 paras 242-243; A6.4-PROC-AC-003 paras 286-287, 303-304).")
            % params)
    if kind == Kind.CP:
        # PROC-AC-003 para 303: the DOE's notification is the submission: no earlier than the window.
        if today < opens:
            params = {"opens": opens.isoformat(), "end": subject.crediting_end.isoformat(),
                      "days": rule_set.renewal_request_before_days}
            return Blocked(code="renewal_window_not_open", params=params, message=_(
                "The renewal may be notified from %(opens)s, %(days)s days before the crediting period ends on "
                "%(end)s (A6.4-PROC-AC-003 para 303).") % params)
        return cp_period_within_poa_for(subject)
    if kind == Kind.POA:
        start, end = periods.new_period(subject, rule_set)
        if end < start:
            params = {"end": subject.crediting_end.isoformat()}
            return Blocked(code="poa_duration_reached", params=params, message=_(
                "The PoA's total duration ends on %(end)s: its period may not be renewed beyond it (A6.4-PROC-AC-003 "
                "para 274: at most 20 years, 60 with removals).") % params)
    return None


def _open_states(kind):
    from .cycle import OPEN, CPRenewalState

    return (CPRenewalState.NOTIFIED,) if kind == Kind.CP else OPEN


def cp_period_within_poa_for(cp):
    """STAN-AC-004 para 130: never past the PoA's end; PROC-AC-003 para 277: no CP renewal while
    the PoA period in force does not cover the new period's start."""
    return _past_poa_end(cp.crediting_end + periods.DAY, cp.poa.crediting_end)


def _past_poa_end(start, poa_end):
    if start > poa_end:
        params = {"poa_end": poa_end.isoformat(), "start": start.isoformat()}
        return Blocked(code="cp_renewal_past_poa_end", params=params, message=_(
            "The PoA period ends on %(poa_end)s: a renewed crediting period starting on %(start)s would run past "
            "the PoA's end. Renew the PoA period first (A6.4-STAN-AC-004 para 130; A6.4-PROC-AC-003 para 277).")
            % params)
    return None


# --- guards of the renewal machines (by name, from cycle.py) ----------------------------------

def renewal_window_open(renewal):
    """PROC-AC-002 para 242 (PROC-AC-003 paras 286, 303), para 243 for a transitioned activity."""
    today = timezone.localdate()
    if today < renewal.window_opens:
        params = {"opens": renewal.window_opens.isoformat(), "end": renewal.previous_end.isoformat()}
        return Blocked(code="renewal_window_not_open", params=params, message=_(
            "The request for renewal may be submitted from %(opens)s, before the period ends on %(end)s "
            "(A6.4-PROC-AC-002 para 242).") % params)
    if today > renewal.window_closes:
        params = {"closes": renewal.window_closes.isoformat()}
        return Blocked(code="renewal_window_closed", params=params, message=_(
            "The request for renewal had to be submitted by %(closes)s: the period may no longer be renewed "
            "(A6.4-PROC-AC-002 paras 242-243).") % params)
    return None


def renewal_documents_on_file(renewal):
    """Para 241(a)-(b): the new version of the design document and the DOE's validation report."""
    if renewal.design_version_id is None or renewal.report_version_id is None:
        return Blocked(code="renewal_documents_missing", message=_(
            "The request needs the new version of the design document and the validation report "
            "(A6.4-PROC-AC-002 para 241)."))
    return None


def validation_report_given(renewal):
    if renewal.report_version_id is None:
        return Blocked(code="renewal_report_missing", message=_(
            "Attach the validation report for renewal of the crediting period (A6.4-PROC-AC-002 para 239)."))
    return None


def renewal_fee_settled(renewal):
    """PROC-AC-002 paras 244-245 (PROC-AC-003 paras 288, 300-302): processing after the fee."""
    if renewal.fee_id is None or not renewal.fee.settled:
        return Blocked(code="renewal_fee_due", message=_(
            "The renewal fee is not paid yet (A6.4-PROC-AC-002 paras 244-245)."))
    return None


def review_window_open(renewal):
    if renewal.due_at is not None and renewal.due_at <= timezone.now():
        params = {"closed": f"{renewal.due_at:%Y-%m-%d %H:%M}"}
        return Blocked(code="review_window_open", params=params, message=_(
            "The review window closed on %(closed)s UTC: review can no longer be requested.") % params)
    return None


def cp_period_within_poa(renewal):
    """Checked again when the CP's period is renewed: the PoA period in force still covers it."""
    return _past_poa_end(renewal.new_start, renewal.poa.crediting_end)


# STAN-AC-002 para 163(a), STAN-METH-002 para 35: checked again on the day of the DOE's submission.
from .methodology import renewal_methodology_in_force  # noqa: E402,F401

# --- PROC-AC-003 paras 302, 305 (paras 128-132 mutatis mutandis): the review of an erroneous CP renewal

def review_last_day(renewal):
    rule_set = periods.rules(timezone.localdate(renewal.renewed_at))
    return timezone.localdate(renewal.renewed_at) + datetime.timedelta(days=rule_set.cp_inclusion_review_days)


def cp_renewal_review_in_time(renewal):
    """Para 128 mutatis mutandis: within one year after the renewal (renewal-17)."""
    if renewal.renewed_at is None:
        return None
    last = review_last_day(renewal)
    if timezone.localdate() > last:
        params = {"last": last.isoformat()}
        return Blocked(code="cp_renewal_review_late", params=params, message=_(
            "A review of this renewal had to be requested by %(last)s, one year after the renewal "
            "(A6.4-PROC-AC-003 paras 128, 305).") % params)
    return None


def cp_renewal_is_latest(renewal):
    """Only the CP's latest renewal is reviewed: a reversal ends the crediting period it extended."""
    later = periods.renewed_of(renewal.component).filter(number__gt=renewal.number).exists()
    if later:
        return Blocked(code="cp_renewal_not_latest", message=_(
            "A later renewal of this CP's crediting period exists: review the latest one (A6.4-PROC-AC-003 para "
            "305)."))
    return None


# --- the first verification after a renewal (A6.4-PROC-AC-002 v03.0 para 160) -----------------

_VERIFIED = ("verified", "issuance_requested", "issuance_checks", "issuance_incomplete", "issuance_review_window",
             "issuance_under_sb_review", "approved", "issuing", "issued")


def renewal_validator_blocked(activity, doe):
    """PROC-AC-002 v03.0 para 160: for the first verification after the renewal of the crediting
    period, the participants choose a DOE that did not validate the renewal. "First" while no
    monitoring period starting in the renewed period has been verified (reading renewal-18).
    A Blocked naming the DOE and the renewal, or None. `activity`: a project or a PoA."""
    from .cycle import RenewalState

    model = periods.MODELS[periods.kind_of(activity)]
    renewal = (model.objects.filter(**{periods.FILTER[periods.kind_of(activity)]: activity},
                                    state=RenewalState.RENEWED).order_by("-number").first())
    if renewal is None or doe is None or renewal.validation_doe_id != doe.pk:
        return None
    verified = activity.monitoring_periods.filter(start__gte=renewal.new_start, state__in=_VERIFIED).exists()
    if verified:
        return None
    params = {"doe": doe.name, "number": renewal.number, "start": renewal.new_start.isoformat()}
    return Blocked(code="renewal_validator_verifies", params=params, message=_(
        "%(doe)s validated renewal %(number)s of the crediting period: the first verification of the period from "
        "%(start)s must be by another DOE (A6.4-PROC-AC-002 para 160).") % params)


def poa_period_in_force(poa, on_date=None):
    """PROC-AC-003 v03.0 para 277: no new CP is included while the PoA period has ended and is not
    (yet) renewed. A Blocked, or None."""
    today = on_date or timezone.localdate()
    if poa.crediting_end < today:
        params = {"end": poa.crediting_end.isoformat()}
        return Blocked(code="poa_period_expired", params=params, message=_(
            "The PoA period ended on %(end)s and is not renewed: no component project is included until it is "
            "(A6.4-PROC-AC-003 para 277).") % params)
    return None

"""The dates and counts of renewal, from the rule set in force: pure reads, no writes.

- Length of a renewed period: 5 years for reductions, 15 for removals (RMP 31(f); STAN-AC-002 v
  para 83; PROC-AC-003 v03.0 para 274 for a PoA period; STAN-AC-001 v05.0 para 13(c) after a
  transition), or the host's shorter period (RMP 27(b), `Party.crediting_period_max_years`).
- How many renewals: a project's or CP's renewable period at most `RuleSet.max_renewals` times
  (STAN-AC-002 para 83(a)(i), (b); STAN-AC-004 para 73), a PoA period `RuleSet.poa_max_renewals`
  times (PROC-AC-003 para 274); a fixed period never (para 83(a)(ii)); a transitioned activity
  the renewals it carried over (STAN-AC-001 para 13(b)).
- The window: from `renewal_request_before_days` before the end to `renewal_request_after_days`
  after it (PROC-AC-002 para 242; PROC-AC-003 paras 286, 303); a transitioned activity from its
  transition to `renewal_transition_days` after the SB approved the transition (PROC-AC-002 para
  243; docs/rules-coverage.md renewal-2).
"""
import datetime

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from methodologies.models import RuleSet

from .models import CPRenewal, Kind, PoARenewal, RenewalRequest

DAY = datetime.timedelta(days=1)
MODELS = {Kind.PROJECT: RenewalRequest, Kind.POA: PoARenewal, Kind.CP: CPRenewal}
FILTER = {Kind.PROJECT: "activity", Kind.POA: "poa", Kind.CP: "component"}


def rules(on_date=None):
    return RuleSet.objects.in_force(on_date or timezone.localdate())


def kind_of(subject):
    from ..poa.models import ComponentProject

    if isinstance(subject, ComponentProject):
        return Kind.CP
    return Kind.POA if subject.kind == "poa" else Kind.PROJECT


def renewals_of(subject):
    kind = kind_of(subject)
    return MODELS[kind].objects.filter(**{FILTER[kind]: subject})


def renewed_of(subject):
    from .cycle import CPRenewalState, RenewalState

    # A CP renewal under review stays in force until the SB reverses it (PROC-AC-003 paras 132, 305).
    renewed = (RenewalState.RENEWED, CPRenewalState.RENEWED, CPRenewalState.UNDER_REVIEW)
    return renewals_of(subject).filter(state__in=renewed).order_by("number")


def _removals(subject):
    poa = getattr(subject, "poa", None)
    version = (poa or subject).methodology_version
    return version.methodology.kind == "removals"


def _host(subject):
    if kind_of(subject) == Kind.CP:
        return subject.host.party
    return subject.host_party


def renewal_years(subject, rule_set):
    """RMP 31(f), STAN-AC-002 para 83, PROC-AC-003 para 274: 5 years, 15 with removals; the host's shorter one."""
    years = rule_set.removals_renewable_years if _removals(subject) else rule_set.reductions_renewable_years
    host = _host(subject)
    if host.crediting_period_max_years and host.crediting_period_max_years < years:
        years = host.crediting_period_max_years  # RMP 27(b)
    return years


def transition_of(subject):
    """The CDM transition request a project or PoA came from, or for a CP its PoA's request when the CP
    was one of its CPAs (PROC-AC-003 v03.0 paras 287, 304; STAN-AC-001 v05.0 para 13(b)); else None."""
    from ..transition.models import TransitionRequest

    if kind_of(subject) == Kind.CP:
        return TransitionRequest.objects.filter(cpas__component_id=subject.pk).first()
    return TransitionRequest.objects.filter(activity_id=subject.pk).first()


def transition_approved_on(request):
    """The day the SB approved the transition (deemed or decided): the request entering `approved`."""
    from pacm.events.models import Event

    event = Event.objects.filter(stream=request.stream, to_state="approved").order_by("sequence").first()
    return timezone.localdate(event.created_at) if event else None


def renewals_allowed(subject, rule_set):
    """How many renewals the subject may have in all (None: a fixed period, never renewed)."""
    kind = kind_of(subject)
    if kind != Kind.POA and subject.crediting_type != "renewable":
        return None  # STAN-AC-002 para 83(a)(ii); STAN-AC-004 para 73(a)(ii)
    transition = transition_of(subject)
    if transition is not None:
        return transition.renewals_remaining  # STAN-AC-001 v05.0 para 13(b)
    return rule_set.poa_max_renewals if kind == Kind.POA else rule_set.max_renewals


def renewals_left(subject, rule_set):
    allowed = renewals_allowed(subject, rule_set)
    if allowed is None:
        return 0
    return max(0, allowed - renewed_of(subject).count())


def window(subject, rule_set):
    """(opens, closes, transitioned) of the request for renewing the period in force."""
    end = subject.crediting_end
    transition = transition_of(subject)
    if transition is not None and not renewed_of(subject).exists():
        approved = transition_approved_on(transition)
        if approved is not None:
            # PROC-AC-002 para 243, "notwithstanding para 242": from the transition, within one
            # year of the SB's approval (renewal-2: the methodology's availability is not known).
            return approved, approved + datetime.timedelta(days=rule_set.renewal_transition_days), True
    opens = end - datetime.timedelta(days=rule_set.renewal_request_before_days)
    closes = end + datetime.timedelta(days=rule_set.renewal_request_after_days)
    return opens, closes, False


def new_period(subject, rule_set):
    """(start, end) of the renewed period: the day after the current end (PROC-AC-002 para 233,
    PROC-AC-003 paras 277-278), for the rule set's length; a PoA period within its total duration
    (para 274: 20 or 60 years), a CP's never past its PoA's end (STAN-AC-004 para 130)."""
    start = subject.crediting_end + DAY
    end = start + relativedelta(years=renewal_years(subject, rule_set)) - DAY
    kind = kind_of(subject)
    if kind == Kind.POA:
        years = rule_set.poa_removals_max_years if _removals(subject) else rule_set.poa_max_years
        end = min(end, subject.crediting_start + relativedelta(years=years) - DAY)
    elif kind == Kind.CP:
        end = min(end, subject.poa.crediting_end)
    return start, end


def crediting_periods(subject):
    """[(number, start, end)]: the first period and each renewed one, in order."""
    renewed = list(renewed_of(subject))
    first_end = renewed[0].previous_end if renewed else subject.crediting_end
    rows = [(1, subject.crediting_start, first_end)]
    rows += [(r.number + 1, r.new_start, r.new_end) for r in renewed]
    return rows


def period_problem(activity, start, end):
    """A monitoring period must lie inside one crediting period in force (RMP 31(f); PROC-AC-002 para
    233): (code, message params) or None. Dates after the last crediting period's end are not
    credited unless it is renewed."""
    periods = crediting_periods(activity)
    last_end = periods[-1][2]
    if end > last_end:
        opens, closes, _t = window(activity, rules())
        return "period_after_crediting", {"crediting_end": last_end, "renewal_closes": closes}
    for _n, p_start, p_end in periods:
        if p_start <= start <= p_end and end > p_end:
            return "period_spans_crediting_periods", {"crediting_end": p_end, "next_start": p_end + DAY}
    return None

"""Guards of the PoA's and the component project's machines, named in `cycle.py`.

The PoA is an Activity row, so the activity's guards apply to it as they are (re-exported
below); the PoA's own and the CP's are here. Each returns None when it holds, or why not.
"""
import datetime

from dateutil.relativedelta import relativedelta
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from methodologies.models import RuleSet
from pacm.common import clock

from ..guards import (  # noqa: F401  (re-exported: the PoA machine names them)
    _blocked,
    authorization_on_file,
    board_vote_open,
    doe_accredited_for_scope,
    has_pdd_document,
    has_validation_report,
    methodology_applicable,
    no_doe_engaged_for_stage,
    no_open_findings,
    no_period_under_verification,
    pdd_complete,
    registration_fee_settled,
    review_window_open,
)
from ..models import Document


def comments_taken_into_account(obj):
    """A6.4-STAN-AC-005 para 42: the DOE has determined that every published comment on the
    PoA-DD was taken into due account (projects.consultation, subject kind "poa")."""
    from ..consultation.declarations import comments_taken_into_account as check

    return check("poa", obj)


def _today():
    """pacm.common.clock's date (the demo clock's in a demo database, docs/rules-coverage.md demo-1)."""
    return clock.today()


def _rules():
    # The rule set in force keeps the real date (demo-1).
    return RuleSet.objects.in_force(timezone.localdate())


# --- the PoA ---------------------------------------------------------------------------------

def hosts_participate(poa):
    """PROC-AC-003 v03.0 paras 11-14, 16(c): every host Party meets the participation requirements."""
    hosts = list(poa.poa_hosts.select_related("party"))
    if not hosts:
        return _("Name the host Party or Parties of the PoA first (PROC-AC-003 v03.0 para 16(c)).")
    for host in hosts:
        if not host.party.participates:
            return _blocked(
                "hosts_participate", _("%(party)s does not yet meet the A6.4 participation requirements (RMP 26)."),
                {"party": host.party.name},
            )
    return None


def poa_period_problem(*, start, end, removals, rule_set):
    """{field: message} for a PoA period off the rules: from 2021-01-01 (STAN-AC-004 v03.0 para 29),
    at most 20 years, or 60 with removals (PROC-AC-003 v03.0 para 16(f), footnote 9)."""
    errors = {}
    if start < rule_set.crediting_earliest_start:
        errors["crediting_start"] = _("The PoA period may not start before %(date)s (STAN-AC-004 v03.0 para 29).") % {
            "date": rule_set.crediting_earliest_start}
    if end < start:
        errors["crediting_end"] = _("The PoA period ends before it starts.")
        return errors
    years = rule_set.poa_removals_max_years if removals else rule_set.poa_max_years
    latest = start + relativedelta(years=years) - datetime.timedelta(days=1)
    if end > latest:
        errors["crediting_end"] = _(
            "A PoA period may last at most %(years)s years (ends by %(latest)s; PROC-AC-003 v03.0 para 16(f))."
        ) % {"years": years, "latest": latest}
    return errors


def poa_period_valid(poa):
    errors = poa_period_problem(start=poa.crediting_start, end=poa.crediting_end, removals=poa.is_removals,
                                rule_set=_rules())
    if errors:
        message = next(iter(errors.values()))
        return _blocked("poa_period_valid", "%(message)s", {"message": message})
    return None


def has_generic_cpdd_document(poa):
    if not Document.objects.filter(activity=poa, kind=Document.Kind.GENERIC_CP_DD, versions__isnull=False).exists():
        return _("Upload the generic CP-DD first (PROC-AC-003 v03.0 para 20).")
    return None


def eligibility_criteria_set(poa):
    if not poa.eligibility_criteria.exists():
        return _("State the eligibility criteria for including CPs first (PROC-AC-003 v03.0 para 95).")
    return None


def every_host_approved(poa):
    """Paras 25(d), 26: each host Party has approved, with its maximum annual amount."""
    waiting = [h.party.name for h in poa.poa_hosts.select_related("party") if not h.approved]
    if waiting:
        return _blocked("every_host_approved", _("Waiting for the approval of: %(parties)s (PROC-AC-003 v03.0 para 26)."),
                        {"parties": ", ".join(waiting)})
    return None


# --- the component project --------------------------------------------------------------------

def _cp_document(cp, kind):
    return Document.objects.filter(activity_id=cp.poa_id, kind=kind, title=cp.reference, versions__isnull=False).exists()


def cp_doe_accredited(cp):
    """Para 95: any DOE accredited in the PoA's sectoral scope, contracted by the participants."""
    if not cp.doe_id:
        return _("No DOE is named for this component project.")
    from pacm.parties.models import DOEAccreditation

    today = _today()
    accredited = DOEAccreditation.objects.filter(
        organisation_id=cp.doe_id, sectoral_scope_id=cp.poa.sectoral_scope_id, valid_from__lte=today
    ).exclude(valid_to__lt=today)
    if not accredited.exists():
        return _blocked("cp_doe_accredited", _("The DOE is not accredited for sectoral scope %(scope)s today."),
                        {"scope": cp.poa.sectoral_scope.number})
    return None


def cp_has_cpdd(cp):
    if not _cp_document(cp, Document.Kind.CP_DD):
        return _("Upload the CP-DD first (PROC-AC-003 v03.0 para 95).")
    return None


def cp_has_validation_report(cp):
    if not _cp_document(cp, Document.Kind.CP_VALIDATION_REPORT):
        return _("Upload the validation report for inclusion of the CP first (PROC-AC-003 v03.0 para 97).")
    return None


def cp_has_inclusion_form(cp):
    if not _cp_document(cp, Document.Kind.CP_INCLUSION_FORM):
        return _("Upload the component project inclusion form first (PROC-AC-003 v03.0 para 123).")
    return None


def cp_criteria_confirmed(cp):
    """Para 95: the CP complies with every eligibility criterion of the PoA-DD (the DOE's checklist)."""
    missing = set(cp.poa.eligibility_criteria.values_list("pk", flat=True)) - set(
        cp.criteria_confirmed.values_list("pk", flat=True))
    if missing:
        return _blocked("cp_criteria_confirmed", _("%(count)s eligibility criteria are not confirmed."),
                        {"count": len(missing)})
    return None


def poa_registered(cp):
    """Para 123: the upload is made only after the registration of the PoA."""
    from ..cycle import ActivityState

    if cp.poa.state != ActivityState.REGISTERED:
        return _("The PoA is not registered: CPs are included only after its registration (PROC-AC-003 v03.0 para 123).")
    return None


def cp_crediting_problem(*, poa, start_date, crediting_type, crediting_start, crediting_end, notified_on,
                         included_on=None, rule_set):
    """{field: message} for a CP's dates off STAN-AC-004 v03.0 paras 124, 127, 130, 131.

    The start on or after 2021-01-01 and the PoA period's start (para 124); the crediting period
    from 2021-01-01 (para 131), not before the inclusion (para 127), starting within 2 years of the
    notification or of the inclusion (para 131), no longer than its type allows (RMP 31(f)), and
    never past the end of the PoA (para 130).
    """
    errors = {}
    earliest = rule_set.crediting_earliest_start
    if start_date < earliest or start_date < poa.crediting_start:
        errors["start_date"] = _(
            "A CP may not start before %(earliest)s nor before the PoA period starts (%(poa_start)s; "
            "STAN-AC-004 v03.0 para 124).") % {"earliest": earliest, "poa_start": poa.crediting_start}
    if crediting_start < earliest:
        errors["crediting_start"] = _("A crediting period may not start before %(earliest)s (STAN-AC-004 v03.0 para 131).") % {
            "earliest": earliest}
    elif included_on is not None and crediting_start < included_on:
        errors["crediting_start"] = _(
            "The crediting period may not start before the inclusion (%(included)s; STAN-AC-004 v03.0 para 127).") % {
            "included": included_on}
    else:
        latest = max(notified_on, included_on or notified_on) + relativedelta(years=rule_set.cp_crediting_start_max_years)
        if crediting_start > latest:
            errors["crediting_start"] = _(
                "The crediting period must start within %(years)s years of the notification or the inclusion "
                "(by %(latest)s; STAN-AC-004 v03.0 para 131).") % {"years": rule_set.cp_crediting_start_max_years,
                                                                     "latest": latest}
    if crediting_end < crediting_start:
        errors["crediting_end"] = _("The crediting period ends before it starts.")
    elif crediting_end > poa.crediting_end:
        errors["crediting_end"] = _(
            "The crediting period may not run past the end of the PoA (%(poa_end)s; STAN-AC-004 v03.0 para 130).") % {
            "poa_end": poa.crediting_end}
    else:
        if poa.is_removals:
            years = rule_set.removals_renewable_years
        elif crediting_type == "fixed":
            years = rule_set.reductions_fixed_years
        else:
            years = rule_set.reductions_renewable_years
        latest_end = crediting_start + relativedelta(years=years) - datetime.timedelta(days=1)
        if crediting_end > latest_end:
            errors["crediting_end"] = _("A %(kind)s crediting period may last at most %(years)s years (ends by %(latest)s; RMP 31(f)).") % {
                "kind": crediting_type, "years": years, "latest": latest_end}
    return errors


def cp_crediting_period_valid(cp):
    errors = cp_crediting_problem(
        poa=cp.poa, start_date=cp.start_date, crediting_type=cp.crediting_type, crediting_start=cp.crediting_start,
        crediting_end=cp.crediting_end, notified_on=timezone.localdate(cp.notified_at), included_on=_today(),
        rule_set=_rules(),
    )
    if errors:
        return _blocked("cp_crediting_period_valid", "%(message)s", {"message": next(iter(errors.values()))})
    return None


# CPs whose annual amount counts against the host's maximum: uploaded (fee due) and included.
CAP_STATES = ("uploaded", "included", "under_inclusion_review")


def host_total(host, *, excluding=None):
    from .models import ComponentProject

    rows = ComponentProject.objects.filter(host=host, state__in=CAP_STATES)
    if excluding is not None:
        rows = rows.exclude(pk=excluding.pk)
    return rows.aggregate(total=Sum("estimated_annual"))["total"] or 0


def host_cap_holds(cp):
    """Paras 98, 124: the upload is blocked if the host's total annual amount would exceed its maximum.

    The service locks the host's row first (`cp_upload_inclusion`), so two uploads in one host
    are counted one after the other.
    """
    host = cp.host
    if host.max_annual is None:
        return _blocked("host_cap_holds", _("%(party)s has not approved the PoA with a maximum annual amount."),
                        {"party": host.party.name})
    total = host_total(host, excluding=cp) + cp.estimated_annual
    if total > host.max_annual:
        return _blocked(
            "host_cap_holds",
            _("Inclusion refused: with this CP the annual total in %(party)s would be %(total)s t CO2e, above the "
              "host's maximum of %(cap)s t CO2e (PROC-AC-003 v03.0 paras 98, 124)."),
            {"party": host.party.name, "total": total, "cap": host.max_annual},
            shown={"party": host.party.name, "total": f"{total:,}", "cap": f"{host.max_annual:,}"},
        )
    return None


def inclusion_fee_settled(cp):
    """Paras 124-126: the CP is included once the inclusion fee is processed."""
    if cp.inclusion_fee is None or not cp.inclusion_fee.settled:
        return _("The inclusion fee is not settled yet (PROC-AC-003 v03.0 para 125).")
    return None


def inclusion_review_in_time(cp):
    """Para 128: within 1 year of the inclusion, or within 180 days after the CP's first issuance,
    whichever ends later."""
    from .issuance import first_issuance_on

    rule_set = _rules()
    last = timezone.localdate(cp.included_at) + datetime.timedelta(days=rule_set.cp_inclusion_review_days)
    first = first_issuance_on(cp)
    if first is not None:
        last = max(last, first + datetime.timedelta(days=rule_set.cp_issuance_review_days))
    if _today() > last:
        return _blocked("inclusion_review_in_time",
                        _("A review of this inclusion could be requested until %(last)s (PROC-AC-003 v03.0 para 128)."),
                        {"last": str(last)})
    return None


# --- the DOE's liability for an erroneous inclusion -------------------------------------------

def liability_units_held(liability):
    """Para 139: the DOE cancels the units owed from a holding account of its own."""
    from pacm.registry.models import Account, AccountBalance, AccountKind

    accounts = Account.objects.filter(organisation_id=liability.doe_id, kind=AccountKind.HOLDING)
    held = AccountBalance.objects.filter(account__in=accounts).aggregate(n=Sum("units"))["n"] or 0
    if held < liability.units:
        return _blocked("liability_units_held",
                        ngettext("The DOE holds %(held)s unit in its holding accounts; it owes %(units)s (PROC-AC-003 v03.0 "
                                 "para 139).",
                                 "The DOE holds %(held)s units in its holding accounts; it owes %(units)s (PROC-AC-003 v03.0 "
                                 "para 139).", held), {"held": held, "units": liability.units},
                        shown={"held": f"{held:,}", "units": f"{liability.units:,}"})
    return None


def renewal_possible(obj):
    """PROC-AC-002 v03.0 paras 231, 242 (PROC-AC-003 v03.0 paras 275, 286, 303): projects.renewals.guards."""
    from projects.renewals.guards import renewal_possible as check

    return check(obj)


def poa_period_current(cp):
    """A6.4-PROC-AC-003 v03.0 para 277: no inclusion while the PoA period has ended unrenewed."""
    from ..renewals.guards import poa_period_in_force

    return poa_period_in_force(cp.poa)


def cp_no_doe_recorded(cp):
    """PROC-AC-003 v03.0 para 297 (renewal-20): the DOE is named once, for a CP that records none
    (a CP transitioned from the CDM, transition-2); a recorded one is not replaced by this write."""
    if cp.doe_id is not None:
        return _blocked("cp_doe_recorded", _("%(doe)s is already the DOE of %(component)s (A6.4-PROC-AC-003 v03.0 "
                                             "para 297)."), {"doe": cp.doe.name, "component": cp.reference})
    return None

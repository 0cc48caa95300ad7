"""Monitoring and issuance for a PoA, per batch of component projects (A6.4-PROC-AC-003 v03.0 paras 217-222).

A PoA's monitoring report is a `projects.MonitoringPeriod` of the PoA covering one batch of its
CPs (para 219), with one `ComponentClaim` per CP per vintage (para 220) and the period's
`VintageClaim` rows holding their sums. The period then runs the period machine, the issuance
request pipeline and the issuing task of a project; what differs is answered here:

- the dates (`batch_check`): the PoA's periods in order with no gaps (para 218); a batch of the
  latest period has its dates and CPs no other batch of it has (para 219); each CP's periods
  follow one another with no gap from the start of its crediting period;
- the verification per CP (`cp_verified_apply`, called by `period_certify`);
- the request (`issuance_holds`, the guard `poa_issuance_holds` of the issuance kind): all the
  verified units by CP and vintage (para 220), after every batch of the previous period was
  requested (para 219), within each host's maximum annual amount per vintage (para 222), checked
  again at every decision and before the issuing task runs;
- the issuing task: the tranches per CP, with the CP and its host on the blocks
  (`tranche_lines`), and the share of proceeds per host (`split_per_host`, reading poa-issuance-3).
"""
import datetime
import re
from collections import defaultdict
from dataclasses import replace

from django.db.models import F, Max, Min, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pacm.common import bounds
from pacm.common.errors import ServiceError
from pacm.events.models import EventKind
from pacm.events.services import event_record

from ..cycle import PeriodState as P
from ..guards import _blocked
from ..models import Document, MonitoringPeriod, VintageClaim
from ..services.base import action_run
from ..services.design import document_store, upload_check
from ..services.verification import _claims_check
from .cycle import CPState
from .models import ComponentClaim, ComponentProject

# Periods whose dates and CPs stay taken: all but a withdrawn report (as a project's, verification._FREES_DATES).
FREES = (P.WITHDRAWN,)
# A batch not yet requested for issuance (para 219: the next period's requests wait for these).
NOT_REQUESTED = (P.SUBMITTED, P.UNDER_VERIFICATION, P.VERIFIED)
# Periods whose units count against the host's maximum (para 222): requested, on their way, or issued.
COUNTED = (P.ISSUANCE_REQUESTED, P.ISSUANCE_CHECKS, P.ISSUANCE_INCOMPLETE, P.ISSUANCE_REVIEW_WINDOW,
           P.ISSUANCE_UNDER_SB_REVIEW, P.APPROVED, P.ISSUING, P.ISSUED)
# CPs that may claim: included (or under review of the inclusion); voluntarily excluded ones for
# periods that end before the exclusion only (paras 313-314); an erroneously excluded CP claims nothing more (para 132(b)).
CLAIMING = (CPState.INCLUDED, CPState.UNDER_INCLUSION_REVIEW)


def is_poa_period(period):
    return period.activity.kind == "poa"


def _refuse(message, code, params, field="claims"):
    raise ServiceError(message % params, field=field, code=code, params=params)


def _components_clean(poa, claims):
    """{ComponentProject: {vintage: quantity}} from {CP, its pk or reference: {vintage: quantity}}."""
    if not claims:
        raise ServiceError(_("Claim for at least one component project."), field="claims", code="claims_required")
    keys = list(claims)
    refs = {str(k) for k in keys if not isinstance(k, ComponentProject)}
    found = {cp.reference: cp for cp in ComponentProject.objects.filter(poa=poa, reference__in=refs)}
    found.update({str(cp.pk): cp for cp in ComponentProject.objects.filter(
        poa=poa, pk__in=[int(r) for r in refs if re.fullmatch(r"[0-9]{1,18}", r)])})
    cleaned = {}
    for key, lines in claims.items():
        cp = key if isinstance(key, ComponentProject) else found.get(str(key))
        if cp is None or cp.poa_id != poa.pk:
            _refuse(_("%(component)s is not a component project of this PoA."), "cp_of_other_poa",
                    {"component": str(getattr(key, "reference", key))})
        cleaned[cp] = lines
    return cleaned


def batch_check(*, poa, start, end, components):
    """Refuse a batch off PROC-AC-003 v03.0 paras 218-219 or a CP's own order; `components`:
    {cp: {vintage: quantity}} already cleaned. Runs under the PoA's lock."""
    bounds.date_check(start, field="start")
    bounds.date_check(end, field="end")
    if end < start:
        raise ServiceError(_("The monitoring period ends before it starts."), field="end",
                           code="period_ends_before_start")
    today = timezone.localdate()
    if end >= today:  # RMP 50-51, as a project's (verification._period_dates_check)
        _refuse(_("The monitoring period has not ended yet: its last day must be before today (%(today)s)."),
                "period_not_ended", {"today": str(today)}, field="end")
    if start < poa.crediting_start or end > poa.crediting_end:
        _refuse(_("The monitoring period must lie inside the PoA period (%(poa_start)s to %(poa_end)s)."),
                "period_outside_poa", {"poa_start": str(poa.crediting_start), "poa_end": str(poa.crediting_end)},
                field="start")
    periods = list(MonitoringPeriod.objects.filter(activity_id=poa.pk).exclude(state__in=FREES)
                   .order_by("-end", "number"))
    latest = periods[0] if periods else None
    same_dates = [p for p in periods if (p.start, p.end) == (start, end)]
    if latest is not None and not (latest.start, latest.end) == (start, end):
        # Para 218: in chronological order, no gaps between successive periods.
        if start <= latest.end:
            _refuse(_("The period overlaps monitoring period %(previous)s (%(start)s to %(end)s): a further batch "
                      "of it has its dates exactly (PROC-AC-003 v03.0 paras 218-219)."), "period_overlaps",
                    {"previous": latest.number, "start": str(latest.start), "end": str(latest.end)}, field="start")
        expected = latest.end + datetime.timedelta(days=1)
        if start != expected:
            _refuse(_("Monitoring periods leave no gap: this one must start on %(expected)s (PROC-AC-003 v03.0 "
                      "para 218)."), "period_gap", {"expected": str(expected)}, field="start")
    taken = {c.component_id: c.period for c in ComponentClaim.objects.filter(
        period__in=same_dates).select_related("period")} if same_dates else {}
    cp_ids = [cp.pk for cp in components]
    last_end = _last_ends(cp_ids)
    for cp in sorted(components, key=lambda c: c.number):
        params = {"component": cp.reference}
        if cp.pk in taken:
            # Para 219: the batches of one period are mutually exclusive.
            _refuse(_("%(component)s is already in batch %(batch)s of this monitoring period (PROC-AC-003 v03.0 "
                      "para 219)."), "batch_overlaps", {**params, "batch": taken[cp.pk].number})
        claiming = cp.state in CLAIMING or (
            cp.state == CPState.EXCLUDED and cp.excluded_at and end < timezone.localdate(cp.excluded_at))
        if not claiming:
            _refuse(_("%(component)s is %(state)s: it claims no reductions for this period."), "cp_not_claiming",
                    {**params, "state": cp.get_state_display().lower()})
        if start > cp.crediting_end or end < cp.crediting_start:
            _refuse(_("%(component)s credits from %(crediting_start)s to %(crediting_end)s, outside this period."),
                    "cp_outside_crediting", {**params, "crediting_start": str(cp.crediting_start),
                                             "crediting_end": str(cp.crediting_end)})
        first_year = max(start, cp.crediting_start).year
        last_year = min(end, cp.crediting_end).year
        for vintage in components[cp]:
            if not first_year <= vintage <= last_year:
                _refuse(_("%(component)s: vintage %(vintage)s is outside its crediting period in this monitoring "
                          "period."), "vintage_outside_period", {**params, "vintage": vintage})
        # Each CP's periods follow one another with no gap, from the start of its crediting period.
        previous_end = last_end.get(cp.pk)
        expected = previous_end + datetime.timedelta(days=1) if previous_end else None
        if previous_end is not None and start <= previous_end:
            _refuse(_("%(component)s already claims up to %(end)s."), "cp_period_overlaps",
                    {**params, "end": str(previous_end)}, field="start")
        if (expected is not None and start != expected) or (expected is None and start > cp.crediting_start):
            shown = expected or cp.crediting_start
            _refuse(_("%(component)s would leave a gap: its next period starts on %(expected)s (PROC-AC-003 v03.0 "
                      "para 218)."), "cp_period_gap", {**params, "expected": str(shown)}, field="start")


def _last_ends(cp_ids):
    """{cp id: the end of its latest period that keeps its dates}: one GROUP BY."""
    return dict(ComponentClaim.objects.filter(component_id__in=cp_ids).exclude(period__state__in=FREES)
                .values("component_id").annotate(end=Max("period__end")).order_by().values_list("component_id", "end"))


def poa_period_submit(*, poa, user, start, end, claims, report, comment=""):
    """PROC-AC-003 v03.0 paras 201, 217-220: the coordinating/managing entity reports a batch of CPs for
    one monitoring period, with the reductions or removals of each CP for each vintage year."""
    upload_check(report)

    def apply(obj, actor):
        components = {cp: _claims_check(start=start, end=end, claims=lines)
                      for cp, lines in _components_clean(obj, claims).items()}
        batch_check(poa=obj, start=start, end=end, components=components)
        sums = defaultdict(int)
        for lines in components.values():
            for vintage, quantity in lines.items():
                sums[vintage] += quantity
        _claims_check(start=start, end=end, claims=dict(sums))  # the period's totals, bounded as a project's
        number = (MonitoringPeriod.objects.filter(activity_id=obj.pk).order_by("-number")
                  .values_list("number", flat=True).first() or 0) + 1
        period = MonitoringPeriod.objects.create(activity=obj, number=number, start=start, end=end)
        VintageClaim.objects.bulk_create([VintageClaim(period=period, vintage=v, claimed=q) for v, q in sorted(sums.items())])
        ComponentClaim.objects.bulk_create(
            [ComponentClaim(period=period, component=cp, vintage=v, claimed=q)
             for cp in sorted(components, key=lambda c: c.number) for v, q in sorted(components[cp].items())])
        document_store(activity=obj, actor=actor, kind=Document.Kind.MONITORING_REPORT, uploaded=report, period=period)
        event_record(
            stream=obj.stream, kind=EventKind.MONITORING_SUBMITTED, actor=actor, activity=obj, to_state=period.state,
            comment=comment,
            payload={"monitoring_period": number, "start": start, "end": end,
                     "claims": {str(v): q for v, q in sorted(sums.items())},
                     "components": {cp.reference: {str(v): q for v, q in sorted(lines.items())}
                                    for cp, lines in sorted(components.items(), key=lambda i: i[0].number)}},
        )
        return period

    return action_run(subject=poa, name="submit_monitoring_report", user=user, apply=apply)


def cp_verified_apply(period, verified_by_cp):
    """The DOE's verified amounts per CP per vintage (para 220), written on the period's CP lines;
    returns their sums per vintage for `period_certify`, or None for a project's period."""
    lines = {(c.component.reference, c.vintage): c for c in period.cp_claims.select_related("component")} \
        if period.activity.kind == "poa" else {}
    if not lines:
        if verified_by_cp:
            raise ServiceError(_("Only a PoA's period is verified per component project."), field="verified",
                               code="verified_by_cp_unexpected")
        return None
    try:
        given = {(str(ref), int(v)): int(q) for ref, per in (verified_by_cp or {}).items()
                 for v, q in per.items()}
    except (TypeError, ValueError, AttributeError):
        raise ServiceError(_("Verified quantities are whole numbers."), field="verified", code="verified_invalid") from None
    if set(given) != set(lines):
        raise ServiceError(_("Give the verified quantity of every component project for every vintage claimed, and "
                             "only those (PROC-AC-003 v03.0 para 220)."), field="verified",
                           code="verified_vintages_mismatch")
    sums = defaultdict(int)
    for key, quantity in given.items():
        line = lines[key]
        if quantity < 0:
            raise ServiceError(_("A verified quantity cannot be negative."), field="verified", code="verified_negative")
        if quantity > line.claimed:
            params = {"component": key[0], "vintage": key[1], "quantity": quantity, "claimed": line.claimed}
            raise ServiceError(_("%(component)s, vintage %(vintage)s: %(quantity)s verified exceeds the %(claimed)s "
                                 "claimed.") % params, field="verified", code="verified_exceeds_claimed", params=params)
        line.verified = quantity
        sums[key[1]] += quantity
    ComponentClaim.objects.bulk_update(list(lines.values()), ["verified"])
    return dict(sums)


def verified_sums(verified_by_cp):
    """{vintage: units} of the DOE's {CP reference: {vintage: units}}; bad input is refused by `cp_verified_apply`."""
    sums = defaultdict(int)
    try:
        for per in verified_by_cp.values():
            for vintage, quantity in per.items():
                sums[int(vintage)] += int(quantity)
    except (TypeError, ValueError, AttributeError):
        raise ServiceError(_("Verified quantities are whole numbers."), field="verified", code="verified_invalid") from None
    return dict(sums)


def _host_totals(poa_id, *, period):
    """{(host id, vintage): units} counted against the hosts' maxima: the periods requested or issued, and `period`."""
    rows = (ComponentClaim.objects.filter(period__activity_id=poa_id)
            .filter(period__state__in=COUNTED).exclude(period=period)
            .values("component__host_id", "vintage").annotate(units=Sum("verified")).order_by())
    totals = defaultdict(int)
    for row in rows:
        totals[(row["component__host_id"], row["vintage"])] += row["units"] or 0
    for row in period.cp_claims.values("component__host_id", "vintage").annotate(units=Sum("verified")).order_by():
        totals[(row["component__host_id"], row["vintage"])] += row["units"] or 0
    return totals


def issuance_holds(period):
    """None, or why the issuance of this PoA batch may not be requested or decided (paras 219, 220, 222)."""
    if not is_poa_period(period):
        return None
    request = getattr(period, "issuance", None) if hasattr(period, "issuance") else None
    verified = sum(c.verified or 0 for c in period.claims.all())
    if request is not None and request.units_requested != verified:
        return _blocked("poa_request_per_cp",
                        ngettext("A PoA's request states the verified amount of each CP for each vintage: request all "
                                 "%(verified)s unit verified (PROC-AC-003 v03.0 para 220).",
                                 "A PoA's request states the verified amount of each CP for each vintage: request all "
                                 "%(verified)s units verified (PROC-AC-003 v03.0 para 220).", verified), {"verified": verified},
                        shown={"verified": f"{verified:,}"})
    waiting = (MonitoringPeriod.objects.filter(activity_id=period.activity_id, end__lt=period.start,
                                               state__in=NOT_REQUESTED).order_by("number").first())
    if waiting is not None:
        return _blocked("poa_batch_order",
                        _("Batch %(batch)s of the previous monitoring period has not been requested for issuance yet "
                          "(PROC-AC-003 v03.0 para 219)."), {"batch": waiting.number})
    if period.state == P.VERIFIED:  # the request's submission (para 221), not its later decisions
        late = cp_issuance_deadline_problem(period)
        if late is not None:
            return late
    from .models import PoAHost

    hosts = {h.pk: h for h in PoAHost.objects.filter(poa_id=period.activity_id).select_related("party")}
    for (host_id, vintage), total in sorted(_host_totals(period.activity_id, period=period).items()):
        host = hosts[host_id]
        if host.max_annual is not None and total > host.max_annual:
            params = {"party": host.party.name, "vintage": vintage, "total": total, "cap": host.max_annual}
            return _blocked(
                "poa_host_cap_exceeded",
                _("Blocked: the units of %(party)s's CPs for %(vintage)s would total %(total)s t CO2e, above the "
                  "host's maximum annual amount of %(cap)s t CO2e (PROC-AC-003 v03.0 para 222)."), params,
                shown={**params, "total": f"{total:,}", "cap": f"{host.max_annual:,}"})
    return None


def cp_issuance_deadline(cp, rule_set):
    """The last day on which issuance is requested for `cp`'s crediting period (PROC-AC-003 v03.0
    para 221: within `cp_issuance_request_years` after its end; reading poa-issuance-10)."""
    from dateutil.relativedelta import relativedelta

    return cp.crediting_end + relativedelta(years=rule_set.cp_issuance_request_years)


def cp_issuance_deadline_problem(period, today=None):
    """None, or the Blocked naming the first CP of the batch whose deadline of para 221 has passed:
    no A6.4ERs are issued for it for that crediting period."""
    from methodologies.models import RuleSet

    today = today or timezone.localdate()
    rule_set = RuleSet.objects.in_force(today)
    components = (ComponentProject.objects.filter(claims__period=period).distinct().order_by("number"))
    for cp in components:
        deadline = cp_issuance_deadline(cp, rule_set)
        if today > deadline:
            params = {"cp": cp.reference, "end": cp.crediting_end.isoformat(), "deadline": deadline.isoformat(),
                      "years": rule_set.cp_issuance_request_years}
            return _blocked(
                "cp_issuance_deadline_passed",
                _("The issuance of %(cp)s for its crediting period ending %(end)s was to be requested by %(deadline)s, "
                  "within %(years)s years after its end: no A6.4ERs are issued for it for that period "
                  "(PROC-AC-003 v03.0 para 221)."), params)
    return None


def _exempt_hosts(poa_id, rule_set, on_date):
    """{host id: SOP exempt}: an LDC or SIDS host that did not opt out in its own approval (6/CMA.6 para 20;
    PROC-AC-003 v03.0 paras 12(d), 25)."""
    from .models import PoAHost

    exempt = {}
    for host in PoAHost.objects.filter(poa_id=poa_id).select_related("party", "approval"):
        exempt[host.pk] = bool(rule_set.sop_exempt_ldc_sids and host.party.is_ldc_or_sids(on_date)
                               and not getattr(host.approval, "sop_exemption_opt_out", False))
    return exempt


def tranche_lines(period, *, rule_set, on_date):
    """[(vintage, verified, tag)] of a PoA batch, a line per CP per vintage, in serial order: by vintage,
    the CPs of hosts that pay the share of proceeds first (so the levies, taken from the lowest serials,
    come from them where they can), then by CP number; `tag`: what the block carries (para 220)."""
    from pacm.registry.services.issuance import TrancheTag

    exempt = _exempt_hosts(period.activity_id, rule_set, on_date)
    rows = period.cp_claims.select_related("component__host").filter(verified__gt=0)
    rows = sorted(rows, key=lambda c: (c.vintage, exempt[c.component.host_id], c.component.number))
    return [(c.vintage, c.verified, TrancheTag(component_id=c.component_id, host_party_id=c.component.host.party_id,
                                               label=c.component.reference)) for c in rows]


def split_per_host(*, period, split, rule_set, on_date, omge_rate, risk_rating, negligible):
    """The split with the share of proceeds levied per host (reading poa-issuance-3): on the units of the
    CPs of each host that is not exempt, none on an exempt host's; OMGE and buffer on the whole gross.
    Returns (split, {host Party: exempt})."""
    from methodologies import arithmetic

    from .models import PoAHost

    exempt = _exempt_hosts(period.activity_id, rule_set, on_date)
    gross = defaultdict(int)
    for row in period.cp_claims.values("component__host_id").annotate(units=Sum("verified")).order_by():
        gross[row["component__host_id"]] += row["units"] or 0
    sop = 0
    for host_id, units in gross.items():
        if units and not exempt[host_id]:
            sop += arithmetic.issuance_split(gross=units, rule_set=rule_set, omge_rate=omge_rate, sop_exempt=False,
                                             risk_rating=risk_rating, negligible=negligible).share_of_proceeds
    names = dict(PoAHost.objects.filter(pk__in=list(exempt)).values_list("pk", "party__name"))
    paying = any(units and not exempt[h] for h, units in gross.items())
    split = replace(split, share_of_proceeds=sop, net=split.gross - sop - split.omge - split.buffer,
                    sop_rate=rule_set.sop_rate if paying else None)
    return split, {names[h]: exempt[h] for h in sorted(exempt, key=lambda h: names[h])}


def fee_hosts(activity):
    """The Parties whose LDC/SIDS status waives a PoA's fees (PROC-AC-003 v03.0 App.1 para 4: any host), or None."""
    if activity.kind != "poa":
        return None
    from .models import PoAHost

    return [h.party for h in PoAHost.objects.filter(poa_id=activity.pk).select_related("party")]


def first_issuance_on(cp):
    """The day of the CP's first issuance (para 128's 180 days count from it), or None."""
    from pacm.registry.models import UnitBlock

    first = UnitBlock.objects.filter(component=cp).aggregate(first=Min("issuance__issued_at"))["first"]
    return timezone.localdate(first) if first else None


def units_issued_for(cp):
    """Every A6.4ER issued for the CP (para 139): its blocks, wherever they are now (units never vanish)."""
    from pacm.registry.models import UnitBlock

    return UnitBlock.objects.filter(component=cp).aggregate(
        n=Sum(F("serial_end") - F("serial_start") + 1))["n"] or 0

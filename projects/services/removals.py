"""Monitoring of removals (A6.4-STAN-METH-002 v01.0 paras 20-33; issue 10).

A removals activity's monitoring report states, per vintage, the net removals (para 30(c); may
be negative) and the net change in GHG storage (para 30(a)). At the DOE's certification:

- negative net removals are a crediting deficit (para 30(d)), carried in the activity's deficit
  ledger (`DeficitEntry`) and deducted, in whole units, from the next issuances until paid off
  (para 30(c)(iv); `deficit_deduct_at_issuance`, run by the issuing task);
- a negative change in storage is a reversal of as much (para 30(e)): recorded as a `Reversal`
  in its "reported" state through `reversal_report`, for the reversal flow to take up;
- a period after the last crediting period (post-crediting, paras 26-27, 33) ends at
  verification: nothing is issued for it.

The participants may ask the SB to end post-crediting monitoring (para 28): the activity's
`request_monitoring_termination`, decided by the Board (`terminate_monitoring` or
`refuse_monitoring_termination`).
"""
from django.db.models import Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from methodologies.arithmetic import deficit_deduct, removals_vintage
from methodologies.models import Methodology
from pacm.common import bounds
from pacm.common.errors import ServiceError

from .. import events
from ..machines import ACTIVITY, PERIOD
from ..models import DeficitEntry, MonitoringPeriod, Reversal
from .base import transition_fire

# Reading removals-4 (docs/rules-coverage.md): the SB determines whether a reversal is avoidable
# (paras 56-58); until it does, a reversal found in a monitoring report is recorded as avoidable,
# which holds further issuance back, the conservative side.
PROVISIONAL_KIND = Reversal.Kind.AVOIDABLE

# Para 28: the two grounds on which the SB may allow post-crediting monitoring to end.
TERMINATION_GROUNDS = {
    "negligible_risk": gettext_lazy("(a) The stored GHGs are at a negligible risk of reversal"),
    "reversals_remediated": gettext_lazy("(b) Potential future reversals are remediated under section 4.6.3"),
}


def is_removals(activity):
    """STAN-METH-002 applies to activities of a removals methodology."""
    return activity.methodology_version.methodology.kind == Methodology.Kind.REMOVALS


def is_post_crediting(activity, start):
    """Paras 26-27: a removals activity's period that starts after its last crediting period ended."""
    return is_removals(activity) and start > activity.crediting_end


def removals_report_check(*, activity, start, end, claims, storage):
    """The report's rows {vintage: (claimable, net removals, storage change)} of a removals
    activity (para 30), or None for any other activity (which gives no storage changes)."""
    if not is_removals(activity):
        if storage:
            raise ServiceError(
                _("Only a removals activity reports changes in GHG storage."),
                field="storage", code="storage_not_removals",
            )
        return None
    if start <= activity.crediting_end < end:
        params = {"crediting_end": activity.crediting_end}
        raise ServiceError(
            _("The crediting period ends on %(crediting_end)s: report up to that day, and monitor the post-crediting "
              "period in a report of its own (A6.4-STAN-METH-002 paras 26-27).") % params,
            field="end", code="period_straddles_crediting_end", params=params,
        )
    storage = storage or {}
    try:
        storage = {int(v): int(q) for v, q in storage.items()}
    except (TypeError, ValueError):
        raise ServiceError(_("Vintages and quantities are whole numbers."), field="storage", code="storage_invalid") from None
    # Reading removals-1: a vintage whose report states no change in storage shows no loss of it.
    if not set(storage) <= set(claims):
        raise ServiceError(
            _("Give the net change in GHG storage only for vintages reported (A6.4-STAN-METH-002 para 30)."),
            field="storage", code="storage_vintages_mismatch",
        )
    if any(abs(q) > bounds.UNITS_MAX for q in storage.values()):
        params = {"limit": bounds.limit(bounds.UNITS_MAX)}
        raise ServiceError(
            _("A change in storage is at most %(limit)s t CO2e either way.") % params,
            field="storage", code="storage_too_large", params=params,
        )
    rows = {}
    for vintage, net in claims.items():
        result = removals_vintage(net_removals=net, storage_change=storage.get(vintage, 0))
        rows[vintage] = (result.claimable, net, storage.get(vintage))
    return rows


def deficit_balance(activity):
    """The activity's crediting deficit now: incurred minus deducted (one aggregate query)."""
    totals = DeficitEntry.objects.filter(activity=activity).aggregate(
        incurred=Sum("quantity", filter=Q(kind=DeficitEntry.Kind.INCURRED)),
        deducted=Sum("quantity", filter=Q(kind=DeficitEntry.Kind.DEDUCTED)),
    )
    return (totals["incurred"] or 0) - (totals["deducted"] or 0)


def _vintages(period):
    return {c.vintage: removals_vintage(net_removals=c.net_removals, storage_change=c.storage_change or 0)
            for c in period.claims.all() if c.net_removals is not None}


def removals_after_certify(*, period, user, actor):
    """Para 30(d)-(e), at the DOE's certification (the caller holds the activity's lock): record the
    deficit; hand the reversal to the reversal flow; end a post-crediting period at verification."""
    activity = period.activity
    vintages = _vintages(period)
    deficit = sum(v.deficit for v in vintages.values())
    if deficit:
        entry = DeficitEntry.objects.create(
            activity=activity, period=period, kind=DeficitEntry.Kind.INCURRED, quantity=deficit,
            balance=deficit_balance(activity) + deficit,
        )
        events.deficit_incurred(entry=entry, actor=actor,
                                vintages={str(y): v.deficit for y, v in sorted(vintages.items()) if v.deficit})
    reversal = sum(v.reversal for v in vintages.values())
    if reversal:
        reversal_candidate(period=period, user=user, quantity=reversal)
    if period.post_crediting:
        period_end_post_crediting(
            period=period, user=user,
            comment=_("Post-crediting monitoring: no units are issued for this period (A6.4-STAN-METH-002 para 27)."),
        )


def reversal_candidate(*, period, user, quantity):
    """Para 30(e): the storage lost is a reversal. Reading removals-3: only removals that were
    credited can be reversed (the reversal flow's own check, reading 17), so the candidate is what
    the report shows, up to the units issued for the activity and not yet reported reversed."""
    from .reversals import reversal_report, reversible_check

    try:
        reversible_check(activity=period.activity, quantity=quantity)
    except ServiceError as error:
        quantity = error.params.get("room", 0) if error.code == "reversal_above_issued" else 0
    if quantity < 1:
        return None
    return reversal_report(
        activity=period.activity, user=user, quantity=quantity, kind=PROVISIONAL_KIND,
        description=_("Negative net change in GHG storage in monitoring period %(number)s (%(start)s to %(end)s), "
                      "certified by the DOE (A6.4-STAN-METH-002 para 30(e)).")
        % {"number": period.number, "start": period.start, "end": period.end},
    )


def deficit_deduct_at_issuance(*, period, request, actor):
    """Para 30(c)(iv): the issuing task (holding the activity's lock) pays the deficit first from
    the units requested. Returns the units deducted; records the line and its event."""
    activity = period.activity
    deducted, balance, _left = deficit_deduct(balance=deficit_balance(activity), units=request.units_requested)
    if deducted:
        entry = DeficitEntry.objects.create(
            activity=activity, period=period, kind=DeficitEntry.Kind.DEDUCTED, quantity=deducted, balance=balance,
        )
        events.deficit_deducted(entry=entry, actor=actor, units_requested=request.units_requested)
    request.deficit_deducted = deducted
    return deducted


# --- Post-crediting monitoring: termination on request (para 28) --------------------------------


@ACTIVITY.serves("request_monitoring_termination")
def activity_request_monitoring_termination(*, activity, user, comment, ground=None, expected_state=None):
    """Para 28: the participants ask the SB to allow post-crediting monitoring to end, on ground
    (a) or (b), demonstrating it in their reasons (transparent and verifiable information)."""
    if ground not in TERMINATION_GROUNDS:
        raise ServiceError(
            _("Say on which ground of A6.4-STAN-METH-002 para 28 monitoring may end: (a) negligible risk of "
              "reversal, or (b) future reversals remediated."),
            field="ground", code="termination_ground_required",
        )
    return transition_fire(model=type(activity), pk=activity.pk, name="request_monitoring_termination", user=user,
                           comment=comment, payload={"ground": ground}, expected_state=expected_state)


@ACTIVITY.serves("terminate_monitoring")
def activity_terminate_monitoring(*, activity, user, comment, expected_state=None):
    """Para 28: the SB allows post-crediting monitoring to end (the Board's decision)."""
    return transition_fire(model=type(activity), pk=activity.pk, name="terminate_monitoring", user=user,
                           comment=comment, expected_state=expected_state)


@ACTIVITY.serves("refuse_monitoring_termination")
def activity_refuse_monitoring_termination(*, activity, user, comment, expected_state=None):
    """Para 28: the SB refuses; monitoring continues (the activity is registered again)."""
    return transition_fire(model=type(activity), pk=activity.pk, name="refuse_monitoring_termination", user=user,
                           comment=comment, expected_state=expected_state)


@PERIOD.serves("end_post_crediting")
def period_end_post_crediting(*, period, user, comment="", expected_state=None):
    return transition_fire(model=MonitoringPeriod, pk=period.pk, name="end_post_crediting", user=user,
                           comment=comment, expected_state=expected_state)


def deficit_ledger(activity):
    """The activity's deficit lines, oldest first, with their period numbers (one query)."""
    return DeficitEntry.objects.filter(activity=activity).select_related("period").order_by("id")


"""Monitoring of removals (A6.4-STAN-METH-002 v01.0 paras 26-30, 33; pacm issue 10).

A removals activity's monitoring report states, per vintage, the net removals (para 30(c); may be
negative) and the net change in GHG storage (para 30(a)). At the DOE's certification:

- negative net removals are a crediting deficit (para 30(d)), carried in the activity's deficit
  ledger (`DeficitEntry`) and deducted, in whole units, from the next issuances until paid off
  (para 30(c)(iv); `deficit_deduct_at_issuance`, run by the issuing task);
- a negative change in storage is a reversal of as much (para 30(e)): recorded as an observed
  event of the activity (projects.reversals), which the SB takes up as any other (paras 44-58);
- a period after the last crediting period (post-crediting, paras 26-27, 33) is verified and
  issues nothing (the issuance request's guard `not_post_crediting`).

The participants may ask the SB to end post-crediting monitoring (para 28).
"""
import datetime

from django.db.models import Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from methodologies.models import Methodology, RuleSet
from pacm.common import bounds
from pacm.common.errors import ServiceError
from pacm.engine.run import write_run

from . import events
from .arithmetic import deficit_deduct, removals_vintage
from .cycle import TerminationState
from .machine import TERMINATION
from .models import DeficitEntry, MonitoringTermination, RemovalsVintage, StorageLoss


def is_removals(activity):
    """STAN-METH-002 applies to activities of a removals methodology."""
    return activity.methodology_version.methodology.kind == Methodology.Kind.REMOVALS


def is_post_crediting(activity, start):
    """Paras 26-27: a removals activity's period that starts after its last crediting period ended."""
    return is_removals(activity) and start > activity.crediting_end


def period_is_post_crediting(period):
    return is_post_crediting(period.activity, period.start)


def monitoring_terminated(activity):
    """Para 28: the SB allowed post-crediting monitoring to end."""
    return activity.monitoring_terminations.filter(state=TerminationState.GRANTED).exists()


def removals_report_check(*, activity, start, end, claims, storage):
    """{vintage: (claimable, net removals, storage change)} of a removals report (para 30), or None
    for any other activity (which states no change in storage)."""
    if not is_removals(activity):
        if storage:
            raise ServiceError(_("Only a removals activity reports changes in GHG storage."), field="storage",
                               code="storage_not_removals")
        return None
    if monitoring_terminated(activity):
        raise ServiceError(_("The Supervisory Body allowed post-crediting monitoring of this activity to end: no "
                             "further monitoring report is taken (A6.4-STAN-METH-002 para 28)."),
                           field="start", code="monitoring_terminated")
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
        raise ServiceError(_("Vintages and quantities are whole numbers."), field="storage",
                           code="storage_invalid") from None
    if not set(storage) <= set(claims):
        raise ServiceError(_("Give the net change in GHG storage only for vintages reported (A6.4-STAN-METH-002 "
                             "para 30)."), field="storage", code="storage_vintages_mismatch")
    if any(abs(q) > bounds.UNITS_MAX for q in storage.values()):
        params = {"limit": bounds.limit(bounds.UNITS_MAX)}
        raise ServiceError(_("A change in storage is at most %(limit)s t CO2e either way.") % params,
                           field="storage", code="storage_too_large", params=params)
    # Reading removals-1: a vintage whose report states no change in storage shows no loss of it.
    return {vintage: (removals_vintage(net_removals=net, storage_change=storage.get(vintage, 0)).claimable, net,
                      storage.get(vintage, 0))
            for vintage, net in claims.items()}


def removals_rows_write(*, period, rows):
    RemovalsVintage.objects.bulk_create([RemovalsVintage(period=period, vintage=v, net_removals=n, storage_change=s)
                                         for v, (_c, n, s) in sorted(rows.items())])


def deficit_balance(activity):
    """The activity's crediting deficit now: incurred minus deducted (one aggregate query)."""
    totals = DeficitEntry.objects.filter(activity=activity).aggregate(
        incurred=Sum("quantity", filter=Q(kind=DeficitEntry.Kind.INCURRED)),
        deducted=Sum("quantity", filter=Q(kind=DeficitEntry.Kind.DEDUCTED)),
    )
    return (totals["incurred"] or 0) - (totals["deducted"] or 0)


def _vintages(period):
    return {r.vintage: removals_vintage(net_removals=r.net_removals, storage_change=r.storage_change)
            for r in period.removals.all()}


def removals_after_certify(*, period, actor):
    """Para 30(d)-(e), inside the DOE's certification (the activity is locked): record the deficit,
    and hand a loss of storage to the observed-event flow. Nothing for another kind of activity."""
    vintages = _vintages(period)
    if not vintages:
        return {}
    activity = period.activity
    deficit = sum(v.deficit for v in vintages.values())
    extra = {}
    if deficit:
        entry = DeficitEntry.objects.create(activity=activity, period=period, kind=DeficitEntry.Kind.INCURRED,
                                            quantity=deficit, balance=deficit_balance(activity) + deficit)
        events.deficit_incurred(entry=entry, actor=actor,
                                vintages={str(y): v.deficit for y, v in sorted(vintages.items()) if v.deficit})
        extra["deficit"] = deficit
    reversal = sum(v.reversal for v in vintages.values())
    if reversal:
        loss = storage_loss_record(period=period, actor=actor, quantity=reversal,
                                   vintages={str(y): v.reversal for y, v in sorted(vintages.items()) if v.reversal})
        extra["observed_event"] = loss.event.number
    return extra


def storage_loss_record(*, period, actor, quantity, vintages):
    """Para 30(e) with section 4.6: the storage lost is a reversal. It opens an observed event of the
    activity in its first state (notified), so the SB instructs the suspension (para 44) and the
    flow runs as for a notice of the participants (paras 45-58); the SB determines the magnitude
    (reading removals-3: the quantity the report shows is the event's description, not yet its
    determination). The DOE whose certification found it is recorded as the notifier."""
    from pacm.engine.notify import notify_on_commit

    from ..machines import PERIOD
    from ..reversals import events as reversal_events
    from ..reversals.machine import EVENT
    from ..reversals.models import ObservedEvent

    activity, today = period.activity, timezone.localdate()
    number = (activity.observed_events.aggregate(n=Max("number"))["n"] or 0) + 1
    description = _("Negative net change in GHG storage of %(quantity)s t CO2e in monitoring period %(number)s "
                    "(%(start)s to %(end)s), certified by the DOE (A6.4-STAN-METH-002 para 30(e)).") % {
        "quantity": f"{quantity:,}", "number": period.number, "start": period.start, "end": period.end}
    event = ObservedEvent.objects.create(
        activity=activity, number=number, description=description,
        location=_("Monitoring period %(number)s of the activity") % {"number": period.number},
        occurred_from=period.start, occurred_to=period.end, aware_on=today, notified_at=timezone.now(),
        notice_due_on=today + datetime.timedelta(days=RuleSet.objects.in_force(today).observed_event_notice_days),
        late=False, notified_by=actor.organisation, state_entered_at=timezone.now(),
    )
    reversal_events.event_notified(event=event, actor=actor)
    loss = StorageLoss.objects.create(period=period, quantity=quantity, event=event)
    events.storage_loss_recorded(loss=loss, actor=actor, vintages=vintages)
    # The SB acts next on the new event (para 44): told as for a notice.
    notify_on_commit(machine=EVENT, obj=event, write=PERIOD.write("certify"), actor=actor, write_machine=PERIOD.name)
    return loss


def deficit_deduct_at_issuance(*, period, units, actor):
    """Para 30(c)(iv): the issuing task (holding the activity's lock) pays the deficit first from the
    units requested. Returns the units deducted; records the line and its event."""
    activity = period.activity
    if not is_removals(activity):
        return 0
    deducted, balance, _left = deficit_deduct(balance=deficit_balance(activity), units=units)
    if deducted:
        entry = DeficitEntry.objects.create(activity=activity, period=period, kind=DeficitEntry.Kind.DEDUCTED,
                                            quantity=deducted, balance=balance)
        events.deficit_deducted(entry=entry, actor=actor, units_requested=units)
    return deducted


def deficit_ledger(activity):
    """The activity's deficit lines, oldest first, with their period numbers (one query)."""
    return DeficitEntry.objects.filter(activity=activity).select_related("period").order_by("id")


# --- Post-crediting monitoring: termination on request (para 28) --------------------------------


def termination_request(*, activity, user, ground, demonstration, evidence=None):
    """Para 28: the participants ask the SB to allow post-crediting monitoring to end, on ground
    (a) or (b), with transparent and verifiable information (their demonstration and a document)."""
    from ..models import Document
    from ..services.base import action_run
    from ..services.design import document_store, upload_check

    if ground not in MonitoringTermination.Ground.values:
        raise ServiceError(_("Say on which ground of A6.4-STAN-METH-002 para 28 monitoring may end."),
                           field="ground", code="termination_ground_required")
    demonstration = bounds.text_required(demonstration, field="demonstration",
                                         message=_("Give the transparent and verifiable information (para 28)."))
    if evidence is not None:
        upload_check(evidence)

    def apply(obj, actor):
        version = None
        if evidence is not None:
            version = document_store(activity=obj, actor=actor, kind=Document.Kind.REVERSAL_EVIDENCE, uploaded=evidence,
                                     title=_("Post-crediting monitoring: request to end it"))
        number = (obj.monitoring_terminations.aggregate(n=Max("number"))["n"] or 0) + 1
        termination = MonitoringTermination.objects.create(
            activity=obj, number=number, ground=ground, demonstration=demonstration, evidence=version,
            requested_at=timezone.now(), state_entered_at=timezone.now())
        events.termination_requested(termination=termination, actor=actor, comment=demonstration)
        return termination

    return action_run(subject=activity, name="request_monitoring_termination", user=user, apply=apply)


@TERMINATION.serves("grant_termination")
def termination_grant(*, termination, user, comment="", expected_state=None):
    """Para 28: the SB allows post-crediting monitoring to end: no report is due or taken any more;
    the open due date of the activity's next report is closed with it (projects.reversals)."""

    def after(obj, actor):
        from ..reversals.services import report_dues_close

        return {"closed_dues": report_dues_close(activity=obj.activity, actor=actor)}

    return write_run(machine=TERMINATION, pk=termination.pk, name="grant_termination", user=user,
                     expected_state=expected_state, comment=comment, after=after)


@TERMINATION.serves("refuse_termination")
def termination_refuse(*, termination, user, comment="", expected_state=None):
    return write_run(machine=TERMINATION, pk=termination.pk, name="refuse_termination", user=user,
                     expected_state=expected_state, comment=comment)

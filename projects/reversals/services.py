"""One function per write of an observed event and of a report due date (A6.4-STAN-METH-002 v01.0
paras 21-25, 43-58). Every one runs through the engine's skeleton (`write_run`): the activity is
locked first, then the event; the registry's moves (pacm.registry.services) run inside."""
import datetime

from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from methodologies.models import RuleSet
from pacm.common import bounds
from pacm.common.errors import ServiceError
from pacm.common.retry import conflict_retry
from pacm.engine.run import write_run
from pacm.registry.models import SuspensionReason
from pacm.registry.services import buffer_remediate, buffer_replenish, suspension_lift, suspension_start
from pacm.registry.services.reversals import AUTHORIZED, CONTRIBUTION, unit_type_clean

from . import events
from .cycle import EventState
from .due_cycle import DueState
from .machine import DUE, EVENT
from .models import ObservedEvent, ReportDue


def _rules(on_date=None):
    return RuleSet.objects.in_force(on_date or timezone.localdate())


def day_end(date):
    """The moment a deadline "within N days" has passed: the start of the next day."""
    return timezone.make_aware(datetime.datetime.combine(date + datetime.timedelta(days=1), datetime.time.min))


def _date(value, field):
    bounds.date_check(value, field=field)
    return value


# --- The observed event -------------------------------------------------------------------------


def observed_event_notify(*, activity, user, description, location, occurred_from, aware_on, occurred_to=None):
    """Para 43: the participants notify an observed event: a brief description, the date or dates of
    its occurrence and its location. Later than the rule set's days after becoming aware, the notice
    is taken and recorded as late."""
    from ..services.base import action_run

    description = bounds.text_required(description, field="description", message=_("Describe the event."))
    location = bounds.text_required(location, field="location", message=_("Give the location of the event."))
    occurred_from, aware_on = _date(occurred_from, "occurred_from"), _date(aware_on, "aware_on")
    today = timezone.localdate()
    if occurred_to is not None:
        _date(occurred_to, "occurred_to")
        if occurred_to < occurred_from:
            raise ServiceError(_("The event cannot end before it began."), field="occurred_to", code="event_dates_order")
        if occurred_to > today:
            raise ServiceError(_("The end of the event cannot be in the future."), field="occurred_to",
                               code="event_date_future")
    if occurred_from > today or aware_on > today:
        raise ServiceError(_("The event's dates cannot be in the future."), field="occurred_from",
                           code="event_date_future")
    if aware_on < occurred_from:
        raise ServiceError(_("The participants cannot have become aware of the event before it began."),
                           field="aware_on", code="event_aware_before_start")

    def apply(obj, actor):
        # Para 43 (RuleSet.observed_event_notice_days, the rule set in force when they became aware).
        notice_due = aware_on + datetime.timedelta(days=_rules(aware_on).observed_event_notice_days)
        number = (obj.observed_events.aggregate(n=Max("number"))["n"] or 0) + 1
        event = ObservedEvent.objects.create(
            activity=obj, number=number, description=description, location=location, occurred_from=occurred_from,
            occurred_to=occurred_to, aware_on=aware_on, notified_at=timezone.now(), notice_due_on=notice_due,
            late=today > notice_due, notified_by=actor.organisation, state_entered_at=timezone.now(),
        )
        events.event_notified(event=event, actor=actor)
        return event

    return action_run(subject=activity, name="notify_observed_event", user=user, apply=apply)


def _fire(event, name, user, comment="", expected_state=None, prepare=None, after=None):
    return write_run(machine=EVENT, pk=event.pk, name=name, user=user, expected_state=expected_state,
                     comment=comment, prepare=prepare, after=after)


def _preliminary_due(event):
    """Para 46: verified and submitted within 90 days of the end of the event (rule-set data)."""
    if event.occurred_to is None:
        return None
    days = _rules(event.occurred_to).preliminary_assessment_days
    return day_end(event.occurred_to + datetime.timedelta(days=days))


def _report_due(event):
    """Para 47: the verified monitoring report within 365 days of the end of the event."""
    end = event.occurred_to or timezone.localdate()
    return day_end(end + datetime.timedelta(days=_rules(end).reversal_report_days))


def _due_payload(event):
    return {"due_at": event.due_at.isoformat() if event.due_at else None}


@EVENT.serves("suspend_units")
def event_suspend_units(*, event, user, comment="", expected_state=None):
    """Para 44: the SB instructs the registry administrator to suspend the activity's units."""

    def after(obj, actor):
        suspension = suspension_start(activity=obj.activity, reason=SuspensionReason.OBSERVED_EVENT,
                                      detail=f"Observed event {obj.number}", actor_label=actor.name)
        obj.suspension = suspension
        obj.due_at = _preliminary_due(obj)
        obj.save(update_fields=["suspension", "due_at"])
        return {"suspension": suspension.pk, **_due_payload(obj)}

    return _fire(event, "suspend_units", user, comment, expected_state, after=after)


@EVENT.serves("record_event_end")
def event_record_end(*, event, user, occurred_to):
    """Para 45: an ongoing event has ended (or been fully contained): the deadlines count from here."""

    _date(occurred_to, "occurred_to")

    def apply(activity, actor, current):
        if occurred_to < current.occurred_from:
            raise ServiceError(_("The event cannot end before it began."), field="occurred_to", code="event_dates_order")
        if occurred_to > timezone.localdate():
            raise ServiceError(_("The end of the event cannot be in the future."), field="occurred_to",
                               code="event_date_future")
        current.occurred_to = occurred_to
        if current.state == EventState.ASSESSMENT:
            current.due_at = _preliminary_due(current)
        current.save(update_fields=["occurred_to", "due_at"])
        events.event_end_recorded(event=current, actor=actor)
        return current

    return _event_action(event, "record_event_end", user, apply)


def _event_action(event, name, user, apply):
    """An action of the event machine on the event (its own subject), locked in the machine's order."""
    def run(obj, actor):
        return apply(obj.activity, actor, obj)

    return write_run(machine=EVENT, pk=event.pk, name=name, user=user, apply=run)


def _store(obj, actor, report):
    from ..models import Document
    from ..services.design import document_store, upload_check

    if report is None:
        return None
    upload_check(report)
    return document_store(activity=obj.activity, actor=actor, kind=Document.Kind.REVERSAL_EVIDENCE, uploaded=report,
                          title=_("Observed events: assessment reports"))


@EVENT.serves("submit_preliminary")
def event_submit_preliminary(*, event, user, report=None, comment="", expected_state=None):
    """Paras 45-46: the preliminary assessment report (it concludes: no actual reversal)."""

    def prepare(obj, actor):
        version = _store(obj, actor, report)
        if version is not None:
            obj.preliminary = version
            obj.save(update_fields=["preliminary"])

    return _fire(event, "submit_preliminary", user, comment, expected_state, prepare=prepare,
                 after=lambda obj, actor: {"report": obj.preliminary_id, **_keep_due(obj)})


def _keep_due(obj):
    """A transition inside the preliminary window keeps its deadline (the engine clears due_at)."""
    obj.due_at = _preliminary_due(obj)
    obj.save(update_fields=["due_at"])
    return _due_payload(obj)


def _full_due(obj):
    obj.due_at = _report_due(obj)
    obj.save(update_fields=["due_at"])
    return _due_payload(obj)


@EVENT.serves("conclude_reversal")
def event_conclude_reversal(*, event, user, comment="", expected_state=None):
    """Para 47: the preliminary assessment finds an actual reversal: the monitoring report is due."""
    return _fire(event, "conclude_reversal", user, comment, expected_state, after=lambda obj, actor: _full_due(obj))


@EVENT.serves("preliminary_lapse")
def event_preliminary_lapse(*, event, user=None, actor=None, comment="", expected_state=None):
    """Paras 46-47: no verified preliminary report within the window: the monitoring report is due."""
    return _fire(event, "preliminary_lapse", actor or user, comment, expected_state,
                 after=lambda obj, a: _full_due(obj))


@EVENT.serves("verify_preliminary")
def event_verify_preliminary(*, event, user, comment="", expected_state=None):
    return _fire(event, "verify_preliminary", user, comment, expected_state, after=lambda obj, actor: _keep_due(obj))


def _lift(obj, actor):
    lifted = None
    if obj.suspension_id is not None:
        lifted = suspension_lift(suspension=obj.suspension, actor_label=actor.name)
    return {"lifted": lifted.pk if lifted is not None else None}


@EVENT.serves("approve_preliminary")
def event_approve_preliminary(*, event, user, comment="", expected_state=None):
    """Para 46: the SB approves the report and instructs the registry to resume the operations."""
    return _fire(event, "approve_preliminary", user, comment, expected_state, after=_lift)


@EVENT.serves("reject_preliminary")
def event_reject_preliminary(*, event, user, comment="", expected_state=None):
    return _fire(event, "reject_preliminary", user, comment, expected_state, after=lambda obj, actor: _full_due(obj))


@EVENT.serves("full_report_lapse")
def event_full_report_lapse(*, event, user=None, actor=None, comment="", expected_state=None):
    """Past the 365 days the report is overdue; the suspension holds until the SB lifts it."""
    return _fire(event, "full_report_lapse", actor or user, comment, expected_state)


@EVENT.serves("submit_full_report")
def event_submit_full_report(*, event, user, report=None, comment="", expected_state=None):
    """Para 47: the monitoring report of the event, prepared as para 19 asks."""

    def prepare(obj, actor):
        version = _store(obj, actor, report)
        if version is not None:
            obj.full_report = version
            obj.save(update_fields=["full_report"])

    return _fire(event, "submit_full_report", user, comment, expected_state, prepare=prepare,
                 after=lambda obj, actor: {"report": obj.full_report_id})


@EVENT.serves("verify_full_report")
def event_verify_full_report(*, event, user, comment="", expected_state=None):
    return _fire(event, "verify_full_report", user, comment, expected_state)


def _reversible_room(activity, event):
    """Reading reversals-2: what is reversed was credited, so the reversals determined for an
    activity add up to at most the units ever issued for it (gross)."""
    from ..models import IssuanceRequest

    issued = IssuanceRequest.objects.filter(period__activity=activity, issued_at__isnull=False).aggregate(
        n=Sum("gross"))["n"] or 0
    others = activity.observed_events.exclude(pk=event.pk).aggregate(
        a=Sum("authorized_quantity"), m=Sum("contribution_quantity"))
    return max(issued - (others["a"] or 0) - (others["m"] or 0), 0)


@EVENT.serves("determine_reversal")
def event_determine_reversal(*, event, user, authorized, contribution, avoidable, comment="", expected_state=None):
    """Paras 48, 56: the SB determines the magnitude, by type of unit, and whether it is avoidable."""
    authorized = bounds.whole_check(authorized, field="authorized", maximum=bounds.UNITS_MAX, minimum=0)
    contribution = bounds.whole_check(contribution, field="contribution", maximum=bounds.UNITS_MAX, minimum=0)
    if avoidable not in (True, False):
        raise ServiceError(_("Say whether the reversal is avoidable or unavoidable."), field="avoidable",
                           code="determination_required")

    def prepare(obj, actor):
        room = _reversible_room(obj.activity, obj)
        if authorized + contribution > room:
            params = {"room": room}
            raise ServiceError(
                _("At most %(room)s t CO2e can be determined as reversed: the units issued for this activity less "
                  "the reversals determined before.") % {"room": f"{room:,}"},
                field="authorized", code="reversal_above_issued", params=params,
            )
        obj.authorized_quantity, obj.contribution_quantity, obj.avoidable = authorized, contribution, avoidable
        obj.save(update_fields=["authorized_quantity", "contribution_quantity", "avoidable"])

    return _fire(event, "determine_reversal", user, comment, expected_state, prepare=prepare,
                 after=lambda obj, actor: {"authorized": authorized, "mc": contribution, "avoidable": avoidable})


def _remediate(obj, actor):
    """Para 57: cancel what is still to be cancelled, by type; returns {type: cancelled now}."""
    wanted = {AUTHORIZED: obj.authorized_quantity - obj.cancelled_authorized,
              CONTRIBUTION: obj.contribution_quantity - obj.cancelled_contribution}
    cancelled = buffer_remediate(quantities=wanted, reference=f"{obj.activity.reference} observed event {obj.number}",
                                 actor_label=actor.name)
    obj.cancelled_authorized += cancelled.get(AUTHORIZED, 0)
    obj.cancelled_contribution += cancelled.get(CONTRIBUTION, 0)
    obj.save(update_fields=["cancelled_authorized", "cancelled_contribution"])
    return cancelled


@EVENT.serves("cancel_from_buffer")
@conflict_retry
def event_cancel_from_buffer(*, event, user, comment="", expected_state=None):
    """Paras 53, 56-57: the registry administrator cancels buffer units equal to the reversal, of the
    same authorization status, purpose "remediation of reversals"; a pool that cannot cover it
    leaves a shortfall, recorded on the event. For an avoidable reversal the replenishment's due
    date starts (para 58, `RuleSet.buffer_replenishment_days`)."""

    def after(obj, actor):
        cancelled = _remediate(obj, actor)
        if obj.avoidable and obj.cancelled:
            today = timezone.localdate()
            obj.replenish_due_on = today + datetime.timedelta(days=_rules(today).buffer_replenishment_days)
            obj.save(update_fields=["replenish_due_on"])
        # A6.4-STAN-METH-002 v01.0 para 61: a loss event makes the next stress test due (projects.removals).
        from ..removals.stress import stress_test_after_loss

        stress_test_after_loss(actor=actor, cause=f"{obj.activity.reference} observed event {obj.number}")
        return {"cancelled": cancelled, "shortfall": obj.magnitude - obj.cancelled,
                "replenish_due_on": obj.replenish_due_on.isoformat() if obj.replenish_due_on else None}

    return _fire(event, "cancel_from_buffer", user, comment, expected_state, after=after)


@EVENT.serves("lift_suspension")
def event_lift_suspension(*, event, user, comment="", expected_state=None):
    """Only the SB lifts the suspension (paras 44, 46)."""
    return _fire(event, "lift_suspension", user, comment, expected_state, after=_lift)


@EVENT.serves("cover_shortfall")
@conflict_retry
def event_cover_shortfall(*, event, user):
    """The registry administrator cancels more buffer units against a shortfall once the pool holds them."""

    def apply(activity, actor, current):
        cancelled = _remediate(current, actor)
        if not any(cancelled.values()):
            raise ServiceError(_("The buffer pool holds no units of the type still owed."), code="buffer_empty")
        events.shortfall_covered(event=current, actor=actor, cancelled=cancelled)
        return current

    return _event_action(event, "cover_shortfall", user, apply)


@EVENT.serves("replenish_buffer")
@conflict_retry
def event_replenish_buffer(*, event, user, from_account, unit_type, quantity):
    """Para 58: the participants forward the same amount and type back to the pool."""
    unit_type = unit_type_clean(unit_type)
    quantity = bounds.whole_check(quantity, field="quantity", maximum=bounds.UNITS_MAX)

    def apply(activity, actor, current):
        owed = current.owed_by_type().get(unit_type, 0)
        if not 1 <= quantity <= owed:
            params = {"owed": owed, "unit_type": unit_type}
            raise ServiceError(
                ngettext("Replenish between 1 and the %(owed)s unit of this type still owed.",
                         "Replenish between 1 and the %(owed)s units of this type still owed.", owed) % {"owed": f"{owed:,}"},
                field="quantity", code="replenishment_out_of_range", params=params,
            )
        row = buffer_replenish(
            user=user, from_account=from_account, unit_type=unit_type, quantity=quantity,
            participant_ids=list(activity.participants.values_list("pk", flat=True)),
            reference=f"{activity.reference} observed event {current.number}",
        )
        if unit_type == AUTHORIZED:
            current.replenished_authorized += row.quantity
        else:
            current.replenished_contribution += row.quantity
        current.save(update_fields=["replenished_authorized", "replenished_contribution"])
        events.buffer_replenished(event=current, actor=actor, unit_type=unit_type, row=row)
        return current

    return _event_action(event, "replenish_buffer", user, apply)


def replenishment_owed_events(activity):
    """Para 58: the activity's avoidable reversals not yet replenished (they hold back its issuance)."""
    rows = activity.observed_events.filter(avoidable=True, state__in=(EventState.REMEDIATED, EventState.CLOSED))
    return [e for e in rows if e.replenishment_owed > 0]


# --- Due dates of monitoring reports of removals (paras 21-25) ------------------------------------


def _add_years(date, years):
    try:
        return date.replace(year=date.year + years)
    except ValueError:  # 29 February
        return date.replace(year=date.year + years, day=28)


def _due_fire(due, name, user, comment="", expected_state=None, prepare=None, after=None):
    return write_run(machine=DUE, pk=due.pk, name=name, user=user, expected_state=expected_state, comment=comment,
                     prepare=prepare, after=after)


def report_due_open(*, activity, due_on, basis, actor):
    """A new due date (inside the caller's write on the activity)."""
    number = (activity.report_dues.aggregate(n=Max("number"))["n"] or 0) + 1
    due = ReportDue.objects.create(activity=activity, number=number, due_on=due_on, due_at=day_end(due_on),
                                   state_entered_at=timezone.now())
    events.due_set(due=due, actor=actor, basis=basis)
    return due


def report_interval(activity):
    version = activity.methodology_version
    return version.first_report_max_years, version.report_interval_max_years


def report_dues_sync():
    """Open the first due date of every registered removals activity whose methodology version sets
    one (para 21(a): from the start of the first crediting period). Idempotent; run with the timers."""
    from pacm.engine.run import lock
    from pacm.parties.roles import Actor

    from ..cycle import ActivityState
    from ..models import Activity

    opened = []
    candidates = Activity.objects.filter(
        state=ActivityState.REGISTERED, methodology_version__first_report_max_years__isnull=False,
        report_dues__isnull=True,
    ).values_list("pk", flat=True)
    from django.db import transaction

    for pk in list(candidates):
        with transaction.atomic():
            activity = lock(Activity, pk)
            if activity.report_dues.exists():
                continue
            first, _interval = report_interval(activity)
            due_on = _add_years(activity.crediting_start, first)
            opened.append(report_due_open(activity=activity, due_on=due_on, basis="para 21(a)",
                                          actor=Actor.timer("report_dues_sync")))
    return opened


def report_due_met(*, activity, actor, period):
    """The participants submitted a monitoring report (inside that write): the open due date is met
    (or met late) and the next is due within the methodology's interval (para 21(b))."""
    first, interval = report_interval(activity)
    if first is None:
        return None
    open_due = activity.report_dues.filter(
        state__in=(DueState.OPEN, DueState.EXTENSION_REQUESTED, DueState.MISSED)).order_by("number").first()
    if open_due is not None:
        name = "meet_late" if open_due.state == DueState.MISSED else "meet_due_date"
        _due_fire(open_due, name, actor, after=lambda obj, a: {"monitoring_period": period.number})
    if interval is None:
        return None
    due_on = _add_years(timezone.localdate(), interval)
    return report_due_open(activity=activity, due_on=due_on, basis="para 21(b)", actor=actor)


@DUE.serves("request_extension")
def due_request_extension(*, due, user, requested_due_on, comment="", expected_state=None):
    """Para 24: the participants ask the SB, with a transparent and verifiable justification."""
    _date(requested_due_on, "requested_due_on")

    def prepare(obj, actor):
        obj.requested_due_on = requested_due_on
        obj.justification = comment
        obj.save(update_fields=["requested_due_on", "justification"])

    def after(obj, actor):
        obj.due_at = day_end(obj.due_on)  # the due date holds while the SB considers the request
        obj.save(update_fields=["due_at"])
        return {"requested_due_on": requested_due_on.isoformat()}

    return _due_fire(due, "request_extension", user, comment, expected_state, prepare=prepare, after=after)


@DUE.serves("grant_extension")
def due_grant_extension(*, due, user, comment="", expected_state=None):
    def after(obj, actor):
        previous = obj.due_on
        obj.due_on = obj.requested_due_on
        obj.due_at = day_end(obj.due_on)
        obj.save(update_fields=["due_on", "due_at"])
        return {"previous_due_on": previous.isoformat(), "due_on": obj.due_on.isoformat()}

    return _due_fire(due, "grant_extension", user, comment, expected_state, after=after)


@DUE.serves("refuse_extension")
def due_refuse_extension(*, due, user, comment="", expected_state=None):
    def after(obj, actor):
        obj.due_at = day_end(obj.due_on)
        obj.save(update_fields=["due_at"])
        return {"requested_due_on": obj.requested_due_on.isoformat() if obj.requested_due_on else None}

    return _due_fire(due, "refuse_extension", user, comment, expected_state, after=after)


@DUE.serves("miss_due_date")
def due_miss(*, due, user=None, actor=None, comment="", expected_state=None):
    """Para 25: no report by the due date: issuance, transfer and cancellation are suspended."""

    def after(obj, a):
        suspension = suspension_start(activity=obj.activity, reason=SuspensionReason.MISSED_REPORT,
                                      detail=f"Monitoring report due {obj.due_on.isoformat()}", actor_label=a.name)
        obj.suspension = suspension
        obj.save(update_fields=["suspension"])
        return {"suspension": suspension.pk}

    return _due_fire(due, "miss_due_date", actor or user, comment, expected_state, after=after)


@DUE.serves("meet_due_date")
def due_meet(*, due, user, comment="", expected_state=None):
    return _due_fire(due, "meet_due_date", user, comment, expected_state)


@DUE.serves("meet_late")
def due_meet_late(*, due, user, comment="", expected_state=None):
    return _due_fire(due, "meet_late", user, comment, expected_state)


@DUE.serves("end_with_termination")
def due_end_with_termination(*, due, user, comment="", expected_state=None):
    return _due_fire(due, "end_with_termination", user, comment, expected_state)


def report_dues_close(*, activity, actor):
    """A6.4-STAN-METH-002 v01.0 para 28: post-crediting monitoring ended (inside the SB's grant):
    the open due dates end with it. Returns their numbers."""
    open_dues = list(activity.report_dues.filter(state__in=(DueState.OPEN, DueState.EXTENSION_REQUESTED))
                     .order_by("number"))
    for due in open_dues:
        due_end_with_termination(due=due, user=actor)
    return [due.number for due in open_dues]


@DUE.serves("lift_due_suspension")
def due_lift_suspension(*, due, user, comment="", expected_state=None):
    return _due_fire(due, "lift_due_suspension", user, comment, expected_state, after=_lift)

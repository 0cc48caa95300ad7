"""What every service shares: locking, the permission check, firing a declared transition."""
import contextvars
import datetime
from contextlib import contextmanager

from django.db import transaction
from django.utils import timezone

from methodologies.models import RuleSet
from pacm.common.errors import Refused, ServiceError
from pacm.parties.roles import Actor, Role, actor_for

from .. import events, guards
from ..cycle import ACTIVITY_BY_NAME, ACTIVITY_TIMED, PERIOD_BY_NAME, PERIOD_TIMED
from ..models import Activity, MonitoringPeriod

# Transitions that a timer fires when a due date passes: never before it.
TIMED_NAMES = frozenset(ACTIVITY_TIMED.values()) | frozenset(PERIOD_TIMED.values())


def lock(model, pk):
    """The row, locked for the rest of the transaction (SELECT ... FOR NO KEY UPDATE).

    NO KEY: rows that merely point at it (a serial block of the activity) are still written by
    others meanwhile, so a move never waits on an activity lock (docs/architecture.md, "Lock order").
    """
    try:
        return model.objects.select_for_update(no_key=True).get(pk=pk)
    except model.DoesNotExist:
        raise ServiceError(f"No such {model._meta.verbose_name}.") from None


def activity_of(obj):
    return obj if isinstance(obj, Activity) else obj.activity


def actor_require(*, user, activity, roles, what):
    """The actor through which `user` may do `what` on `activity`; refuse otherwise."""
    if isinstance(user, Actor):
        if user.role in roles:
            return user
        raise Refused(f"{user.name} may not {what}.")
    actor = actor_for(user, activity, roles)
    if actor is None:
        raise Refused(f"You may not {what} for {activity.reference}.")
    return actor


def timer_due(obj, now=None):
    now = now or timezone.now()
    return obj.due_at is not None and obj.due_at <= now


def check_guards(obj, spec):
    for name in spec.guards:
        message = getattr(guards, name)(obj)
        if message:
            raise ServiceError(message)


_expected_state = contextvars.ContextVar("pacm_expected_state", default=None)


@contextmanager
def expecting_state(state):
    """Fire only if the row is still in `state` once locked: the state the person was looking at.

    Views wrap a button's service call in it, so a stale page or a double click never applies a
    transition that is also allowed from the state the first click led to.
    """
    token = _expected_state.set(state or None)
    try:
        yield
    finally:
        _expected_state.reset(token)


def transition_fire(*, model, pk, name, user, comment="", prepare=None, after=None, payload=None):
    """Fire the declared transition `name` on row `pk` of `model` as `user` (or a timer Actor).

    `prepare(obj, actor)` writes the data the transition needs before its guards are checked;
    `after(obj, actor)` writes what follows from it (a fee, a task on commit) and may return
    extra payload for the event. Both run inside the same transaction.
    """
    table = ACTIVITY_BY_NAME if model is Activity else PERIOD_BY_NAME
    spec = table[name]
    with transaction.atomic():
        if model is Activity:
            obj = activity = lock(Activity, pk)
        else:
            # The activity row first, always: its lock keeps its event stream linear.
            activity_id = model.objects.filter(pk=pk).values_list("activity_id", flat=True).first()
            activity = lock(Activity, activity_id)
            obj = lock(model, pk)
            obj.activity = activity
        actor = actor_require(user=user, activity=activity, roles=spec.actors, what=spec.label.lower())
        expected = _expected_state.get()
        if expected and obj.state != expected:
            raise Refused(
                f"'{spec.label}' was not done: {activity.reference} changed while you were looking and is now "
                f"{obj.get_state_display().lower()}."
            )
        if obj.state not in spec.source:
            raise Refused(
                f"'{spec.label}' is not possible while {activity.reference} is "
                f"{obj.get_state_display().lower()}."
            )
        if spec.name in TIMED_NAMES and not timer_due(obj):
            raise Refused(f"'{spec.label}' is not due yet.")
        comment = (comment or "").strip()
        if spec.needs_reason and not comment:
            raise ServiceError("Give the reasons for this decision.", field="comment")
        if prepare is not None:
            prepare(obj, actor)
        check_guards(obj, spec)
        from_state = obj.state
        getattr(obj, name)()
        now = timezone.now()
        obj.state_entered_at = now
        obj.due_at = due_date(now, spec.timer) if spec.timer else None
        obj.save()
        extra = after(obj, actor) if after is not None else None
        events.state_changed(
            obj=obj, actor=actor, from_state=from_state, to_state=obj.state, transition=spec.name,
            comment=comment, payload={**(payload or {}), **(extra or {})},
        )
        events.notify_on_commit(obj=obj, transition=spec.name)
    return obj


def due_date(now, timer_key):
    """Timers count calendar days from the rule set in force (policy.md §3)."""
    days = RuleSet.objects.in_force(timezone.localdate(now)).timer_days(timer_key)
    return now + datetime.timedelta(days=days)


def available_transitions(*, obj, user):
    """The transitions this user may fire now, each with the guard message that blocks it, if any."""
    table = ACTIVITY_BY_NAME if isinstance(obj, Activity) else PERIOD_BY_NAME
    activity = activity_of(obj)
    result = []
    for spec in table.values():
        if obj.state not in spec.source or Role.TIMER in spec.actors:
            continue
        if actor_for(user, activity, spec.actors) is None:
            continue
        checked = [g for g in spec.guards if guards.INPUT_GUARDS.get(g) not in spec.inputs]
        blocked = next((m for m in (getattr(guards, g)(obj) for g in checked) if m), None)
        result.append((spec, blocked))
    return result


__all__ = [
    "MonitoringPeriod",
    "actor_require",
    "available_transitions",
    "check_guards",
    "lock",
    "transition_fire",
]

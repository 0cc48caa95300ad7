"""The one skeleton every declared write runs through.

In one transaction: lock the owner row, then the subject (the machine's lock order); find the
actor through the subject's ties; refuse a stale page (`expected_state`), a state the write is
not declared in, a timed transition before its due date, a decision without reasons; let the
caller prepare the data the guards read; run each guard once; then fire the transition (state,
timer, save, one typed event) or apply the action (which records its own typed event); then
queue the notifications on commit.
"""
import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pacm.common import clock, ctes
from pacm.common.errors import Refused, ServiceError
from pacm.events.services import event_record
from pacm.parties.roles import Actor, actor_for

from .declarations import Blocked
from .machines import machine_for


def lock(model, pk, manager=None):
    """The row, locked for the rest of the transaction (SELECT ... FOR NO KEY UPDATE).

    NO KEY: rows that merely point at it (a serial block of the activity) are still written by
    others meanwhile, so a move never waits on an activity lock (docs/architecture.md, "Lock order").
    `manager`: the model's manager to read through, when not `objects`.
    """
    try:
        return getattr(model, manager or "objects").select_for_update(no_key=True).get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise ServiceError(
            _("No such %(model)s.") % {"model": model._meta.verbose_name}, code="not_found",
            params={"model": model._meta.model_name},
        ) from None


def subject_lock(machine, pk):
    """The subject locked in the machine's order: its owner first, always, then itself.

    The owner's lock keeps its event stream linear; taking it first everywhere keeps two writes
    on one owner from deadlocking.
    """
    if not machine.owner:
        return lock(machine.model, pk)
    owner_id = machine.model.objects.filter(pk=pk).values_list(f"{machine.owner}_id", flat=True).first()
    if owner_id is None:
        raise ServiceError(
            _("No such %(model)s.") % {"model": machine.model._meta.verbose_name}, code="not_found",
            params={"model": machine.model._meta.model_name},
        )
    owner = lock(machine.owner_model, owner_id, machine.owner_manager)
    obj = lock(machine.model, pk)
    setattr(obj, machine.owner, owner)
    return obj


def actor_require(*, user, subject, roles, what):
    """The actor through which `user` may do `what` on `subject`; refuse otherwise."""
    if isinstance(user, Actor):
        if user.role in roles:
            return user
        params = {"actor": user.name, "what": what}
        raise Refused(_("%(actor)s may not %(what)s.") % params, code="not_permitted", params=params)
    actor = actor_for(user, subject, roles)
    if actor is None:
        params = {"what": what, "subject": describe(subject)}
        raise Refused(_("You may not %(what)s for %(subject)s.") % params, code="not_permitted", params=params)
    return actor


def describe(subject):
    machine = _machine_or_none(subject)
    if machine is not None and machine.describe is not None:
        return machine.describe(subject)
    return str(subject)


def _machine_or_none(subject):
    try:
        return machine_for(subject)
    except LookupError:
        return None


def timer_due(obj, now=None):
    now = now or clock.now()  # the demo clock in a demo, the real time elsewhere (pacm.common.clock)
    return obj.due_at is not None and obj.due_at <= now


def guard_check(machine, obj, spec, *, skip_inputs=False):
    """The first guard of `spec` that does not hold, as a Blocked; None when all hold."""
    for name in spec.guards:
        if skip_inputs and name in spec.input_guards:
            continue
        result = machine.guard(name)(obj)
        if result:
            return result if isinstance(result, Blocked) else Blocked(code=name, message=str(result))
    return None


def state_label(obj):
    return obj.get_state_display().lower()


def write_run(
    *, machine, pk, name, user, expected_state=None, comment="", prepare=None, apply=None, after=None,
    payload=None, locked=None, head=None, pending=(),
):
    """Run the declared write `name` on row `pk` of `machine.model` as `user` (or a system Actor).

    `prepare(obj, actor)` writes the data the guards read; `apply(obj, actor)` is an action's
    write (it records the action's typed event and returns the result); `after(obj, actor)`
    writes what follows a transition (a fee, a task on commit) and may return extra payload for
    its event. All run inside the one transaction.

    `locked`: the subject, already locked by the caller inside its own transaction in this order
    (its owner first, `subject_lock`), with the owner set on it: the rows are not read again and no
    savepoint is taken (the issuing task, pacm issue 8); a refusal then fails the caller's transaction.
    `head`: with `locked`, the owner's stream's last (sequence, hash) as the caller left it; `pending`:
    with `locked`, events of the owner's stream the caller built but has not saved, written with the
    transition's event in one statement (pacm.events.services.event_record).
    """
    spec = machine.write(name)
    if locked is not None and not transaction.get_connection().in_atomic_block:
        raise RuntimeError("write_run(locked=...) runs inside the transaction that locked the subject")
    with transaction.atomic(savepoint=locked is None):
        obj = subject_lock(machine, pk) if locked is None else locked
        actor = actor_require(user=user, subject=obj, roles=spec.actors, what=spec.label.lower())
        if expected_state and obj.state != expected_state:
            params = {"write": spec.name, "expected": expected_state, "state": obj.state}
            shown = {"label": spec.label, "subject": describe(obj), "state": state_label(obj)}
            error = Refused(
                _("'%(label)s' was not done: %(subject)s changed while you were looking and is now %(state)s.")
                % shown,
                code="stale_page", params=params,
            )
            error.subject = obj  # pacm issue 9: the stale page says what changed (pacm.common.refusals)
            raise error
        if not spec.allowed_in(obj.state, machine.terminal):
            shown = {"label": spec.label, "subject": describe(obj), "state": state_label(obj)}
            error = Refused(
                str(spec.refusal) if spec.refusal else _("'%(label)s' is not possible while %(subject)s is %(state)s.") % shown,
                code="wrong_state",
                params={"write": spec.name, "state": obj.state},
            )
            error.subject = obj
            raise error
        if spec.is_transition and spec.name in machine.timed_names and not timer_due(obj):
            raise Refused(
                _("'%(label)s' is not due yet.") % {"label": spec.label}, code="not_due", params={"write": spec.name}
            )
        comment = (comment or "").strip()
        if spec.needs_reason and not comment:
            raise ServiceError(_("Give the reasons for this decision."), field="comment", code="reasons_required")
        if prepare is not None:
            prepare(obj, actor)
        blocked = guard_check(machine, obj, spec)
        if blocked:
            raise ServiceError(blocked.message, code=blocked.code, params=blocked.params)
        if spec.is_transition:
            result = _transition_apply(machine, obj, spec, actor, comment=comment, after=after, payload=payload,
                                       head=head if locked is not None else None,
                                       pending=pending if locked is not None else ())
        else:
            result = apply(obj, actor) if apply is not None else None
            if after is not None:
                after(obj, actor)
        from .notify import notify_on_commit

        notify_on_commit(machine=machine, obj=obj, write=spec, actor=actor)
        if not spec.is_transition and spec.creates and result is not None:
            from .machines import machine_named

            notify_on_commit(machine=machine_named(spec.creates), obj=result, write=spec, actor=actor,
                             write_machine=machine.name)
    return result


def _transition_apply(machine, obj, spec, actor, *, comment, after, payload, head=None, pending=()):
    if pending and after is not None:
        raise RuntimeError("pending events go with the transition's own event: no `after` may record between them")
    from_state = obj.state
    getattr(obj, spec.name)()  # the django-fsm transition bound from the same declaration
    now = clock.now()
    obj.state_entered_at = now
    obj.due_at = due_date(machine, now, spec.timer) if spec.timer else None
    saved_with = ()
    if pending and _save_folds(obj):
        # With the events, in their statement (pacm issue 8; PostgreSQL): the row as save() writes it.
        saved_with = [("subject", *ctes.update(obj, [f.attname for f in obj._meta.concrete_fields
                                                     if not f.primary_key]))]
    else:
        obj.save()
    extra = after(obj, actor) if after is not None else None
    state_changed(
        machine=machine, obj=obj, actor=actor, from_state=from_state, transition=spec.name, comment=comment,
        payload={**(payload or {}), **(extra or {})}, head=head if after is None else None,
        pending=pending, saved_with=saved_with,
    )
    return obj


def _save_folds(obj):
    """Whether `obj.save()` may be one part of a writing CTE: PostgreSQL, and a save that is only its
    UPDATE (no save of the model's own, no receiver of its save signals)."""
    from django.db import models
    from django.db.models.signals import post_save, pre_save

    model = type(obj)
    return (ctes.folds() and model.save is models.Model.save and not pre_save.has_listeners(model)
            and not post_save.has_listeners(model))


def state_changed(*, machine, obj, actor, from_state, transition, comment="", payload=None, head=None, pending=(),
                  saved_with=()):
    """The typed event of a transition: on the owner's stream, with the documents it rests on."""
    owner = machine.owner_of(obj)
    data = {"transition": transition}
    if machine.documents is not None:
        data["documents"] = machine.documents(obj)
    if machine.event_context is not None:
        data.update(machine.event_context(obj))
    data.update(payload or {})
    return event_record(
        stream=owner.stream, kind=machine.event_kind, actor=actor, activity=machine.event_activity(obj) if machine.event_activity else None,
        from_state=from_state, to_state=obj.state, comment=comment, payload=data, head=head, pending=pending,
        saved_with=saved_with,
    )


def due_date(machine, now, timer_key):
    """Timers count calendar days from the rule set in force (policy.md §3), via the machine."""
    days = machine.timer_days(timer_key, timezone.localdate(now))
    return now + datetime.timedelta(days=days)


def write_check(*, machine, obj, name, user, what=None):
    """The skeleton's checks for a write whose rows the caller has already locked in its own
    global order (the registry's moves lock every account they touch at once, lowest key first,
    so that crossing transfers never deadlock): actor through the subject's ties, the declared
    state, the guards. Returns the actor; refuses as `write_run` does."""
    spec = machine.write(name)
    actor = actor_require(user=user, subject=obj, roles=spec.actors, what=what or spec.label.lower())
    if not spec.allowed_in(obj.state, machine.terminal):
        shown = {"label": spec.label, "subject": describe(obj), "state": state_label(obj)}
        raise Refused(
            str(spec.refusal) if spec.refusal else _("'%(label)s' is not possible while %(subject)s is %(state)s.") % shown,
            code="wrong_state", params={"write": spec.name, "state": obj.state},
        )
    blocked = guard_check(machine, obj, spec)
    if blocked:
        raise ServiceError(blocked.message, code=blocked.code, params=blocked.params)
    return actor

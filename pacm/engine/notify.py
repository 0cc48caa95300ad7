"""Who is told of a change, decided once it has committed.

Every transition and action tells the people who may act next on its subject (from the same
declarations as `available_actions`) and the subject's audience (its participants), but not
the person who acted. The work runs in a Celery task on commit, so a slow mail server or a
broker outage never holds the change back.
"""
from django.db import transaction

from .machines import machine_for


def notify_on_commit(*, machine, obj, write, actor, write_machine=None):
    """Queue the notification of `write` on `obj` (of `machine`); `write_machine` names the machine
    that declares the write when it is another's (an action that created `obj`)."""
    import uuid

    from . import tasks

    actor_user_id = actor.user.pk if actor.user is not None else None
    # One key per committed write: the task, run twice with it, creates and sends nothing twice.
    args = (machine.name, obj.pk, write.name, actor_user_id, uuid.uuid4().hex, write_machine)
    transaction.on_commit(lambda: tasks.notify_write.delay(*args), robust=True)


def awaited_writes(subject):
    """The writes on `subject` now waiting for someone: the offered writes (available_actions'
    declarations) that are `awaited` and, for an action, whose `waiting` condition holds."""
    from .offers import offered_writes

    machine = machine_for(subject)
    writes = []
    for spec in offered_writes(machine, subject.state):
        if not spec.awaited:
            continue
        if spec.waiting is not None:
            from .offers import waiting_condition

            waiting = waiting_condition(spec)
            if not machine.model.objects.filter(pk=subject.pk).filter(waiting).exists():
                continue
        writes.append(spec)
    return writes


def users_awaited(subject):
    """The users who may act next on `subject` (guards aside: a guard usually waits on them)."""
    from django.contrib.auth import get_user_model

    from pacm.parties.roles import organisations_tied

    roles = set()
    for spec in awaited_writes(subject):
        roles |= set(spec.actors)
    if not roles:
        return get_user_model().objects.none()
    return get_user_model().objects.filter(
        is_active=True, memberships__organisation__in=organisations_tied(subject, roles)
    )


def recipients(*, subject, actor_user_id=None):
    """The users told of a change on `subject`: who may act next (`users_awaited`), plus its
    audience (its participants), minus the actor."""
    from django.contrib.auth import get_user_model

    from pacm.parties.roles import organisations_tied

    machine = machine_for(subject)
    users = users_awaited(subject)
    if machine.audience:
        audience = get_user_model().objects.filter(
            is_active=True, memberships__organisation__in=organisations_tied(subject, machine.audience)
        )
        users = users | audience
    users = users.distinct()
    if actor_user_id is not None:
        users = users.exclude(pk=actor_user_id)
    return users.order_by("pk")

"""What every service of projects/ shares: the engine's skeleton, bound to this app's machines.

Every write of an activity or a monitoring period, transition or action, runs through
`pacm.engine.run.write_run`: locks in the machine's order, actor, state (and the state the page
showed: `expected_state`), guards once, write, one typed event, work on commit.
"""
from pacm.engine.machines import machine_for
from pacm.engine.offers import item_require
from pacm.engine.run import actor_require as _actor_require
from pacm.engine.run import lock, timer_due, write_run

from ..models import MonitoringPeriod


def actor_require(*, user, activity, roles, what):
    """The actor through which `user` may do `what` on `activity`; refuse otherwise."""
    return _actor_require(user=user, subject=activity, roles=roles, what=what)


def transition_fire(*, model, pk, name, user, comment="", prepare=None, after=None, payload=None,
                    expected_state=None, locked=None, head=None, pending=()):
    """Fire the declared transition `name` on row `pk` of `model` (the engine finds its machine);
    `locked`: the row already locked by the caller (pacm.engine.run.write_run)."""
    return write_run(
        machine=machine_for(model), pk=pk, name=name, user=user, expected_state=expected_state, comment=comment,
        prepare=prepare, after=after, payload=payload, locked=locked, head=head, pending=pending,
    )


def action_run(*, subject, name, user, apply, prepare=None, expected_state=None, item=None):
    """Run the declared action `name` on `subject`; `apply(obj, actor)` writes and records its event.

    With `item` (a finding, a fee, a reversal: the row, or a callable that locks and returns it
    once the subject is locked), the action's own `item_ok` is asked again under the lock and the
    item is handed to `apply(obj, actor, item)`.
    """
    machine = machine_for(subject)
    spec = machine.write(name)

    def run(obj, actor):
        if item is None:
            return apply(obj, actor)
        current = item(obj) if callable(item) else item
        item_require(spec, current, actor)
        return apply(obj, actor, current)

    return write_run(
        machine=machine, pk=subject.pk, name=name, user=user, expected_state=expected_state, prepare=prepare,
        apply=run,
    )


__all__ = [
    "MonitoringPeriod",
    "action_run",
    "actor_require",
    "lock",
    "timer_due",
    "transition_fire",
]

"""`available_actions(user, subject)`: what this person may do here now, and why not.

One answer, from the declarations, for every page, dashboard queue and notification: each
write of the subject's machine that is declared in the subject's state, whose roles the user
holds on the subject through its ties, with the first guard that blocks it (its message says
why). The services check the same declarations again when they act.
"""
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from pacm.common.errors import Refused
from pacm.parties.roles import SYSTEM_ROLES, Role, roles_on, tie_exists, tie_q, ties_of, user_kinds

from .machines import machine_for
from .run import guard_check


@dataclass(frozen=True)
class Offer:
    write: object
    actor: object
    blocked: object = None  # a Blocked: why it cannot be done yet, or None
    item: object = None  # the sub-object an action applies to (a finding, a fee), if any

    @property
    def name(self):
        return self.write.name

    @property
    def label(self):
        return self.write.label


class Offers(list):
    """The offers of one subject for one user, with lookups for pages and tests."""

    def __init__(self, offers, roles):
        super().__init__(offers)
        self.roles = roles

    @property
    def names(self):
        return {o.name for o in self}

    def has(self, name):
        return any(o.name == name for o in self)

    def get(self, name):
        return next((o for o in self if o.name == name), None)

    def items(self, name):
        return [o.item for o in self if o.name == name]

    def transitions(self):
        return [o for o in self if o.write.is_transition]

    def require(self, name, what=None, item=None):
        """A form the page does not offer is refused (403) before any input is read."""
        ok = any(o.name == name and (item is None or o.item == item) for o in self)
        if not ok:
            params = {"write": name, "what": what or name.replace("_", " ")}
            raise Refused(_("You may not %(what)s here now.") % params, code="not_offered", params=params)


def _actor(spec, roles):
    for role in Role:
        if role in spec.actors and role in roles:
            return roles[role]
    return None


def offered_writes(machine, state):
    """The writes a person may take in `state` (timers' and the Board's own excluded)."""
    return [
        w for w in machine.writes.values()
        if not (w.actors <= SYSTEM_ROLES) and not w.internal and w.name not in machine.timed_names
        and w.allowed_in(state, machine.terminal)
    ]


def available_actions(user, subject, *, roles=None):
    """Offers for `user` on `subject` now: transitions and actions, each with its blocker."""
    machine = machine_for(subject)
    roles = roles_on(user, subject) if roles is None else roles
    offers = []
    for spec in offered_writes(machine, subject.state):
        actor = _actor(spec, roles)
        if actor is None:
            continue
        blocked = guard_check(machine, subject, spec, skip_inputs=True)
        if getattr(spec, "items", None) is not None:
            for item in spec.items(subject):
                if spec.item_ok is None or spec.item_ok(item, actor):
                    offers.append(Offer(spec, actor, blocked, item))
            continue
        offers.append(Offer(spec, actor, blocked))
    return Offers(offers, roles)


def item_require(spec, item, actor):
    """The service's side of an item action: the same `item_ok` the page asked."""
    if spec.item_ok is not None and not spec.item_ok(item, actor):
        params = {"write": spec.name, "what": spec.label.lower()}
        raise Refused(_("You may not %(what)s now.") % params, code="not_permitted", params=params)


def waiting_condition(spec, user=None):
    """The write's `waiting` Q; a callable that takes `user` narrows it to that person (a vote not
    cast yet by them), and is asked without one when nobody in particular is meant."""
    import inspect

    waiting = spec.waiting
    if not callable(waiting):
        return waiting
    if "user" in inspect.signature(waiting).parameters:
        return waiting(user=user)
    return waiting()


def waiting_q(user, machine, *, kinds=None):
    """Rows of `machine.model` on which something waits for `user`: from the same declarations.

    A transition waits in its source states; an action marked `pending` waits where its
    `waiting` condition holds. Each is filtered by the user's ties (EXISTS, no fan-out).

    The writes without a `waiting` condition are grouped by tie (pacm issue 8): one EXISTS per
    tie the user can hold (`kinds`, user_kinds), in the union of those writes' states; the same
    rows as one EXISTS per write and tie, with a fraction of the SQL to build and plan.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    kinds = user_kinds(user) if kinds is None else kinds
    ties = [tie for tie in ties_of(machine.model) if tie.kind in kinds]
    states_of_tie = {}  # tie index -> (states named by its writes, whether a write waits in any open state)
    q = Q(pk__in=[])
    for spec in machine.writes.values():
        if spec.actors <= SYSTEM_ROLES or spec.internal or spec.name in machine.timed_names:
            continue
        if not spec.awaited:
            continue
        if spec.waiting is not None:
            states = Q(state__in=list(spec.source)) if spec.source is not None else ~Q(state__in=list(machine.terminal))
            q |= states & tie_q(user, machine.model, spec.actors, kinds=kinds) & waiting_condition(spec, user)
            continue
        for index, tie in enumerate(ties):
            if tie.role in spec.actors:
                named, anywhere = states_of_tie.get(index, (frozenset(), False))
                if spec.source is None:
                    states_of_tie[index] = (named, True)
                else:
                    states_of_tie[index] = (named | set(spec.source), anywhere)
    for index, (named, anywhere) in states_of_tie.items():
        # Open states (not terminal) and the named ones: everything but the terminal states not named.
        states = ~Q(state__in=sorted(set(machine.terminal) - named)) if anywhere else Q(state__in=sorted(named))
        q |= states & tie_exists(user, ties[index], machine.model)
    return q

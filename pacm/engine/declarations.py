"""The writes a machine declares: transitions (change the state) and actions (write beside it).

A declaration names who may do it (roles resolved through the subject's ties), in which states
of the subject, the guards that must hold, whether reasons are required, and for a transition
its target and the timer that starts on entering it. Guards are functions of the subject that
return None when they hold, or a `Blocked` (or a plain message) that says why not.
"""
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Blocked:
    """Why a write may not be done now: a stable code, its parameters, and the message."""

    code: str
    message: str
    params: dict = field(default_factory=dict)

    def __str__(self):
        return self.message


@dataclass(frozen=True)
class Write:
    name: str
    actors: frozenset
    label: str
    # States of the subject in which the write may be done (None: every non-terminal state).
    source: tuple | None = None
    guards: tuple = ()
    needs_reason: bool = False
    style: str = "primary"
    # Inputs given with the write itself; a guard that checks one of them is met by the form.
    inputs: tuple = ()
    # Guards that check an input (by guard name): not evaluated when offering the write.
    input_guards: tuple = ()
    # A Q (or a callable returning one) on the subject's model: when the write waits for someone,
    # beyond its source states (dashboards' queues; e.g. a review window still open).
    waiting: object = None
    # Whether the write waits for someone (shown in "waiting for you"): transitions do unless
    # they are a choice (withdraw, deregister); actions do only when marked so.
    pending: bool | None = None
    # Taken only by another write's service (no button, no offer): e.g. a period ended with its
    # activity.
    internal: bool = False
    # What a person reads when the subject's state does not allow the write (default: generic).
    refusal: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def is_transition(self):
        return False

    @property
    def awaited(self):
        return self.is_transition if self.pending is None else self.pending

    def allowed_in(self, state, terminal):
        return state not in terminal if self.source is None else state in self.source


@dataclass(frozen=True)
class Transition(Write):
    target: str = ""
    # Timer started on entering `target`: a rule-set key (RuleSet.timer_days(key)).
    timer: str | None = None

    @property
    def is_transition(self):
        return True


@dataclass(frozen=True)
class Action(Write):
    """A write beside the state: upload a document, raise a finding, engage a DOE, ...

    `items(subject)` lists the sub-objects the action applies to (a finding to answer, a fee to
    record), each offered on its own; `item_ok(item)` says whether one may be acted on now.
    `waiting` is a Q on the subject's model that says when the action waits for someone: the
    dashboards' queues use it, so an action can be "waiting" without a state of its own.
    """

    items: object = None
    item_ok: object = None
    # The machine of the subject the action creates (a monitoring report creates a period): the
    # people who act next on the new subject are told too.
    creates: str | None = None


def _tuple(source):
    if source is None:
        return None
    return tuple(source) if isinstance(source, (list, tuple, set, frozenset)) else (source,)


def T(name, source, target, actors, label, **kw):
    """A transition, declared in a table row."""
    return Transition(name=name, source=_tuple(source), target=target, actors=frozenset(actors), label=label, **kw)


def A(name, source, actors, label, **kw):
    """An action beside the state, declared in a table row (source None: any open state)."""
    return Action(name=name, source=_tuple(source), actors=frozenset(actors), label=label, **kw)

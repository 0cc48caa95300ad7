"""Machine: one stateful model's declaration, and the registry the engine looks machines up in.

A machine names its model, its states, its writes (transitions and actions), its terminal and
timed states, the subject that owns its event stream (`owner`: the activity for a monitoring
period; the programme for a component project later), the order its rows are locked in
(owner first), the ties that say who holds which role on it, and its services. Adding a machine
is a model, a table and its services: `transition_fire`, the timer pass, notifications and
`available_actions` find it here and name no model.
"""
from dataclasses import dataclass, field

from pacm.parties.roles import SYSTEM_ROLES, ties_register


@dataclass
class Machine:
    name: str
    model: type
    states: type  # a TextChoices
    initial: str
    transitions: tuple
    terminal: frozenset
    actions: tuple = ()
    # {state: name of the transition a timer fires when the state's due date has passed}
    timed: dict = field(default_factory=dict)
    # Foreign key from the model to the row that owns the event stream and is locked first.
    owner: str | None = None
    # The owner's manager the lock reads through, when not its default one (a monitoring period's
    # owner is an activity or a PoA: projects.machines.PERIOD, pacm issue 7).
    owner_manager: str | None = None
    ties: tuple = ()
    # The module whose functions the guards are named after.
    guards: object = None
    # Event kind recorded for this machine's transitions.
    event_kind: str = ""
    # Keyword the machine's services take their subject by ("activity", "period", ...).
    subject_kwarg: str = "subject"
    # (subject) -> the document versions a decision on it is taken on, for its events.
    documents: object = None
    # (subject) -> what people read: "A64-000001 Title" or "A64-000001 period 2".
    describe: object = None
    # (subject) -> the URL of its page, for notifications and dashboards.
    url: object = None
    # (subject) -> extra fields every event of this machine carries ({"monitoring_period": 2}).
    event_context: object = None
    # (subject) -> the activity the event row links to (Event.activity), or None.
    event_activity: object = None
    # (timer key, date) -> days: the rule set in force says how long a timed state lasts.
    timer_days: object = None
    # Roles told of every change besides those who may act next (the participants).
    audience: frozenset = frozenset()
    services: dict = field(default_factory=dict)

    def __post_init__(self):
        self.writes = {w.name: w for w in (*self.transitions, *self.actions)}
        if len(self.writes) != len(self.transitions) + len(self.actions):
            raise ValueError(f"{self.name}: two writes share a name")
        self.timed_names = frozenset(self.timed.values())

    # -- declarations -------------------------------------------------------------------------
    def write(self, name):
        try:
            return self.writes[name]
        except KeyError:
            raise KeyError(f"{self.name} declares no write {name!r}") from None

    def pressable(self):
        """Writes a person may take: all but those only the system fires."""
        return [w for w in self.writes.values() if not w.actors <= SYSTEM_ROLES]

    def owner_of(self, obj):
        return getattr(obj, self.owner) if self.owner else obj

    @property
    def owner_model(self):
        if not self.owner:
            return self.model
        return self.model._meta.get_field(self.owner).related_model

    def stream_of(self, obj):
        return self.owner_of(obj).stream

    def guard(self, name):
        return getattr(self.guards, name)

    # -- services -----------------------------------------------------------------------------
    def serves(self, name):
        """Decorator: the service function of write `name` (one per write, no string dispatch)."""
        self.write(name)

        def register(fn):
            self.services[name] = fn
            return fn

        return register

    def service(self, name):
        return self.services[name]

    def call(self, name, obj, **kwargs):
        """Call the service of `name` on `obj` (the timer pass, the generic button view)."""
        return self.services[name](**{self.subject_kwarg: obj}, **kwargs)


_REGISTRY = {}


def machine_register(machine):
    """Register a machine (from an AppConfig.ready()); its ties become the model's ties."""
    if machine.name in _REGISTRY and _REGISTRY[machine.name].model is not machine.model:
        raise ValueError(f"a machine named {machine.name!r} is already registered")
    _REGISTRY[machine.name] = machine
    ties_register(machine.model, machine.ties)
    return machine


def machine_unregister(name):
    """Tests register throwaway machines; they remove them when done."""
    _REGISTRY.pop(name, None)


def machines():
    return list(_REGISTRY.values())


def machine_named(name):
    return _REGISTRY[name]


def machine_for(obj_or_model):
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    # A proxy model with its own machine (a PoA is an Activity) is found before its parent's.
    for machine in _REGISTRY.values():
        if machine.model is model:
            return machine
    for machine in _REGISTRY.values():
        if machine.model is model or issubclass(model, machine.model):
            return machine
    raise LookupError(f"no machine is registered for {model.__name__}")

"""The declared payload shape of every event kind, checked when an event is written.

A shape names the keys an event of the kind must carry and those it may carry; `event_record`
refuses a payload with a key the shape does not name or without one it requires (a programming
error: the log would otherwise drift from what its readers expect). The registry's kinds are
declared here; the activity cycle's kinds are declared by `projects.events`, which writes them.
"""
from dataclasses import dataclass

from .models import EventKind


class EventShapeError(TypeError):
    """A payload that does not match its kind's declared shape (a bug in the caller)."""


@dataclass(frozen=True)
class Shape:
    required: frozenset
    optional: frozenset = frozenset()

    def check(self, kind, payload):
        keys = set(payload)
        unknown = keys - self.required - self.optional
        missing = self.required - keys
        if unknown or missing:
            raise EventShapeError(
                f"event {kind}: payload does not match its shape"
                + (f"; unknown keys {sorted(unknown)}" if unknown else "")
                + (f"; missing keys {sorted(missing)}" if missing else "")
            )


_SHAPES = {}


def shape_register(kind, required=(), optional=()):
    """Declare the payload shape of `kind` (once; declaring the same shape again is harmless)."""
    kind = str(kind)  # a registered machine may bring kinds of its own
    shape = Shape(required=frozenset(required), optional=frozenset(optional))
    if kind in _SHAPES and _SHAPES[kind] != shape:
        raise ValueError(f"event kind {kind} already has another shape")
    _SHAPES[kind] = shape
    return shape


def shape_of(kind):
    try:
        return _SHAPES[str(kind)]
    except KeyError:
        raise EventShapeError(f"event kind {kind!r} has no declared payload shape") from None


def shape_check(kind, payload):
    shape_of(kind).check(kind, payload or {})


def kinds_without_shape():
    return [k for k in EventKind if k not in _SHAPES]


# The registry's mechanism-wide operations (pacm.registry.services).
shape_register(
    EventKind.UNITS_MOVED,
    required={"transaction", "kind", "from", "to", "quantity", "first_transfer", "purpose", "beneficiary", "ranges"},
)
shape_register(
    EventKind.ACCOUNT_OPENED, required={"number", "kind", "name", "organisation", "party"},
    # RMP 63; PROC-REGS-001 paras 27-32: what a holding account rests on (issue 6 §5).
    optional={"authorized_by", "authorization_basis", "authorization_document", "authorization_date"},
)

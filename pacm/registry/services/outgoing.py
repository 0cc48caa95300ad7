"""Moving units out of an account on someone's instruction: one shared path for every kind.

The caller has locked the source account row (SELECT ... FOR UPDATE), so moves out of one
account serialize, no unit is spent twice, and the account's event chain stays linear.
"""
from pacm.common import bounds
from pacm.common.errors import ServiceError
from pacm.events.models import EventKind
from pacm.events.services import event_record

from ..models import TERMINAL_KINDS, AccountKind, UnitBlock
from .accounts import account_stream
from .moves import blocks_in_serial_order, move_write, plan_take, units_sum

TEXT_MAX = 200


def quantity_clean(quantity):
    """A whole number of units, at least 1 (7/CMA.4 annex I para 28: units are indivisible)."""
    if isinstance(quantity, str) and quantity.strip().isdigit():
        quantity = int(bounds.digits_normalise(quantity.strip()))
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise ServiceError("Give a whole number of units, at least 1.", field="quantity")
    if quantity > bounds.BIGINT_MAX:  # what a ledger column holds; the units held are checked next
        raise ServiceError(f"Give at most {bounds.limit(bounds.BIGINT_MAX)} units.", field="quantity")
    return quantity


def text_clean(value, *, field, required):
    if bounds.text_problem(value) == bounds.CONTROL_MESSAGE:
        raise ServiceError(bounds.CONTROL_MESSAGE, field=field)
    value = bounds.text_clean(value)  # only spaces or invisible characters: nothing given
    if required and not value:
        raise ServiceError(f"Give the {field}.", field=field)
    if len(value) > TEXT_MAX:
        raise ServiceError(f"The {field} is at most {TEXT_MAX} characters.", field=field)
    return value


def terminal_refuse(account):
    """7/CMA.4 annex I para 45: units in a cancellation or retirement account never move again."""
    if account.kind in TERMINAL_KINDS:
        raise ServiceError(
            f"{account.number} is a {AccountKind(account.kind).label.lower()} account: its units can never move again."
        )


def eligible_blocks(account, *, activity=None, vintage=None, **filters):
    qs = UnitBlock.objects.filter(account=account, **filters)
    if activity is not None:
        qs = qs.filter(activity_id=getattr(activity, "pk", activity))
    if vintage is not None:
        qs = qs.filter(vintage=vintage)
    return qs


def units_move_out(*, source, target, quantity, kind, eligible, actor, purpose="", beneficiary="", what="",
                   up_to=False):
    """Move `quantity` units of `eligible` (blocks in `source`) to `target`; record the event.

    With `up_to`, move as many as there are, up to `quantity`, and return None when none.
    """
    held = units_sum(eligible)
    if up_to:
        quantity = min(quantity, held)
        if quantity == 0:
            return None
    elif quantity > held:
        raise ServiceError(
            f"{source.number} holds {held:,} {what + ' ' if what else ''}units; {quantity:,} cannot be moved.",
            field="quantity",
        )
    takes = plan_take(blocks=blocks_in_serial_order(eligible), quantity=quantity, from_account=source)
    row = move_write(
        takes=takes, from_account=source, to_account=target, kind=kind, actor_label=actor.name, purpose=purpose,
        beneficiary=beneficiary,
    )
    event_record(
        stream=account_stream(source), kind=EventKind.UNITS_MOVED, actor=actor,
        payload={
            "transaction": row.pk, "kind": str(kind), "from": source.number, "to": target.number,
            "quantity": row.quantity, "first_transfer": row.first_transfer, "purpose": purpose,
            "beneficiary": beneficiary,
            "ranges": [[b.activity_id, b.vintage, start, end, flag] for b, start, end, flag in row.ranges],
        },
    )
    return row

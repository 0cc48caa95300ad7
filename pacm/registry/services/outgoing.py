"""Moving units out of an account on someone's instruction: one shared path for every kind.

The caller has locked the source account row (SELECT ... FOR UPDATE), so moves out of one
account serialize, no unit is spent twice, and the account's event chain stays linear.
"""
from django.db.models import Subquery
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pacm.common import bounds, ctes
from pacm.common.errors import ServiceError
from pacm.events.models import Event, EventKind
from pacm.events.services import event_build

from ..models import TERMINAL_KINDS, AccountKind, UnitBlock
from .accounts import account_stream
from .moves import blocks_in_serial_order, move_write, units_sum
from .suspensions import suspended_activity_ids, suspension_error, suspension_of, suspensions_open
from .totals import balance_held

TEXT_MAX = 200


def quantity_clean(quantity):
    """A whole number of units, at least 1 (7/CMA.4 annex I para 28: units are indivisible)."""
    if isinstance(quantity, str) and quantity.strip().isdigit():
        quantity = int(bounds.digits_normalise(quantity.strip()))
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise ServiceError(_("Give a whole number of units, at least 1."), field="quantity", code="quantity_invalid")
    if quantity > bounds.BIGINT_MAX:  # what a ledger column holds; the units held are checked next
        params = {"limit": bounds.limit(bounds.BIGINT_MAX)}
        raise ServiceError(ngettext("Give at most %(limit)s unit.", "Give at most %(limit)s units.", bounds.BIGINT_MAX) % params, field="quantity", code="quantity_too_large",
                           params=params)
    return quantity


def text_clean(value, *, field, required):
    if bounds.has_control(value):
        raise ServiceError(_(bounds.CONTROL_MESSAGE), field=field, code="invalid")
    value = bounds.text_clean(value)  # only spaces or invisible characters: nothing given
    if required and not value:
        params = {"field": field}
        raise ServiceError(_("Give the %(field)s.") % params, field=field, code="text_required", params=params)
    if len(value) > TEXT_MAX:
        params = {"field": field, "text_max": TEXT_MAX}
        raise ServiceError(
            _("The %(field)s is at most %(text_max)s characters.") % params,
            field=field, code="text_too_long", params=params,
        )
    return value


def terminal_refuse(account):
    """7/CMA.4 annex I para 45: units in a cancellation or retirement account never move again."""
    pool_refuse(account)
    if account.kind in TERMINAL_KINDS:
        params = {"account": account.number, "label": AccountKind(account.kind).label.lower()}
        raise ServiceError(
            _("%(account)s is a %(label)s account: its units can never move again.") % params,
            code="account_final", params=params,
        )


def pool_refuse(account):
    """A6.4-STAN-METH-002 paras 54-55: Buffer A6.4ERs are only ever cancelled (to remediate reversals,
    by the registry administrator); they are never transferred, used or cancelled by anyone's hand."""
    if account.kind == AccountKind.BUFFER:
        params = {"account": account.number}
        raise ServiceError(
            _("%(account)s is the Reversal Risk Buffer Pool Account: its units are only cancelled by the registry "
              "administrator to remediate reversals, never transferred or used (A6.4-STAN-METH-002 paras 54-55).")
            % params,
            code="buffer_pool_cancel_only", params=params,
        )


def eligible_blocks(account, *, activity=None, vintage=None, **filters):
    qs = UnitBlock.objects.filter(account=account, **filters)
    if activity is not None:
        qs = qs.filter(activity_id=getattr(activity, "pk", activity))
    if vintage is not None:
        qs = qs.filter(vintage=vintage)
    return qs


def units_plan(*, source, quantity, eligible, what="", up_to=False, whole_account=False, suspension_exempt=False,
               head_of=None):
    """The blocks a move of `quantity` units out of `source` takes, [(block, units from its front)], read only.

    The one planner: `units_move_out` writes what it returns, and the account page's confirmation
    step shows it before anything moves (pacm issue 9). Refuses as the move would; None when `up_to`
    and nothing is held. `head_of` (PostgreSQL): a stream whose last (sequence, hash) the block reads
    carry (`block.head`, pacm issue 8), for the move's event: read after the caller's lock of the
    stream's owner, so never a stale snapshot.
    """
    offered = eligible
    if suspension_exempt:
        suspended = set()
    elif ctes.folds():
        # PostgreSQL: the suspensions are read with the blocks (pacm issue 8); their ids only on a refusal.
        suspended = None
        eligible = eligible.exclude(activity_id__in=suspensions_open().values("activity_id"))
    else:
        suspended = suspended_activity_ids()
        if suspended:
            eligible = eligible.exclude(activity_id__in=sorted(suspended))
    read = eligible
    if head_of is not None and ctes.folds():
        last = Event.objects.filter(stream=head_of).order_by("-sequence")
        read = eligible.annotate(head_sequence=Subquery(last.values("sequence")[:1]),
                                 head_hash=Subquery(last.values("hash")[:1]))
    # pacm issue 8: no sum over every block of the account; the blocks are taken in serial order, a
    # chunk at a time, until the quantity is met. Only a refusal (too few units) counts what is held.
    takes, remaining = [], quantity
    for block in blocks_in_serial_order(read):
        block.account = source  # what first_transfer_applies reads; the same row, no query
        take = min(block.quantity, remaining)
        takes.append((block, take))
        remaining -= take
        if remaining == 0:
            break
    if remaining and up_to:
        if not takes:
            return None
    elif remaining:
        if suspended is None:
            suspended = suspended_activity_ids()
        if suspended:
            held_back = offered.filter(activity_id__in=sorted(suspended)).values_list("activity_id", flat=True).first()
            if held_back is not None:
                raise suspension_error(suspension_of(held_back))
        # The maintained balance counts every unit of the account: only when none is held back.
        held = balance_held(source) if whole_account and not suspended else units_sum(eligible)
        params = {"source": source.number, "held": held, "what": what or "", "quantity": quantity}
        shown = {**params, "held": f"{held:,}", "quantity": f"{quantity:,}"}
        # pacm issue 9: "holds 1 unit", "holds 2 units".
        if what:
            message = ngettext("%(source)s holds %(held)s %(what)s unit; %(quantity)s cannot be moved.",
                               "%(source)s holds %(held)s %(what)s units; %(quantity)s cannot be moved.", held) % shown
        else:
            message = ngettext("%(source)s holds %(held)s unit; %(quantity)s cannot be moved.",
                               "%(source)s holds %(held)s units; %(quantity)s cannot be moved.", held) % shown
        raise ServiceError(
            message,
            field="quantity", code="units_insufficient", params=params,
        )
    return takes


def takes_ranges(takes):
    """[(block, first serial, last serial)] that `takes` moves: the front of each block."""
    return [(block, block.serial_start, block.serial_start + take - 1) for block, take in takes]


def takes_digest(*, target, takes):
    """A digest of the receiver and the exact ranges of a planned move, for the confirmation step."""
    import hashlib

    text = ";".join([target.number] + [f"{b.pk}:{b.activity_id}:{b.vintage}:{start}-{end}"
                                       for b, start, end in takes_ranges(takes)])
    return hashlib.sha256(text.encode()).hexdigest()


def units_move_out(*, source, target, quantity, kind, eligible, actor, purpose="", beneficiary="", what="",
                   up_to=False, whole_account=False, suspension_exempt=False, expected=None):
    """Move `quantity` units of `eligible` (blocks in `source`) to `target`; record the event.

    With `up_to`, move as many as there are, up to `quantity`, and return None when none.
    `whole_account`: `eligible` is every block of `source`, so what it holds is its maintained
    balance (models.AccountBalance), read instead of summing its blocks.
    Units of a suspended activity (A6.4-STAN-METH-002 v01.0 paras 25, 44) are never taken; a move
    that would need them is refused with `units_suspended`. Only the registry administrator's
    remediation cancellation (para 57) is `suspension_exempt`.
    """
    takes = units_plan(source=source, quantity=quantity, eligible=eligible, what=what, up_to=up_to,
                       whole_account=whole_account, suspension_exempt=suspension_exempt,
                       head_of=account_stream(source))
    if takes is None:
        return None
    if expected is not None and takes_digest(target=target, takes=takes) != expected:
        # pacm issue 9: the person confirmed other ranges (or another receiver) than these.
        raise ServiceError(
            _("The account changed since you looked: these are not the serial ranges you confirmed. Review again."),
            code="ranges_changed",
        )
    first = takes[0][0]
    head = (first.head_sequence or 0, first.head_hash) if hasattr(first, "head_sequence") else None

    def event(row):
        # The event of the move, written with it (pacm issue 8).
        return event_build(
            stream=account_stream(source), kind=EventKind.UNITS_MOVED, actor=actor, head=head,
            payload={
                "transaction": row.pk, "kind": str(kind), "from": source.number, "to": target.number,
                "quantity": row.quantity, "first_transfer": row.first_transfer, "purpose": purpose,
                "beneficiary": beneficiary,
                "ranges": [[b.activity_id, b.vintage, start, end, flag] for b, start, end, flag in row.ranges],
            },
        )

    return move_write(
        takes=takes, from_account=source, to_account=target, kind=kind, actor_label=actor.name, purpose=purpose,
        beneficiary=beneficiary, event=event,
    )

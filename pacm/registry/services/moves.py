"""The one engine that moves serial ranges between accounts (rules.md §5.4).

A move takes units from the front of blocks in serial order; a whole block changes account, the
last block may be split: the old row shrinks first, then a new row is inserted for the moved
range (its parent is the old block), so ranges never overlap at any statement. One
LedgerTransaction per move, one LedgerEntry per range moved, and a bounded number of queries
however many units or blocks move.
"""
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from pacm.common import ctes
from pacm.common.errors import ServiceError
from pacm.events.models import Event
from pacm.events.services import events_save, events_saved

from ..models import LedgerEntry, LedgerTransaction, UnitBlock
from .first_transfer import first_transfer_applies
from .totals import move_all_deltas, totals_add, totals_statements

FIRST_CHUNK = 8
MAX_CHUNK = 256
WRITE_BATCH = 500
SERIAL_ORDER = ("activity_id", "vintage", "serial_start")


class LedgerError(RuntimeError):
    """An invariant of the ledger failed: a bug, never bad input. The transaction rolls back."""


def units_sum(queryset):
    """Units in the blocks of `queryset`, in one query."""
    return queryset.aggregate(n=Sum(F("serial_end") - F("serial_start") + 1))["n"] or 0


def blocks_in_serial_order(queryset):
    """Yield blocks in serial order a chunk at a time, so a move reads only what it needs."""
    size, after = FIRST_CHUNK, None
    while True:
        page = queryset.order_by(*SERIAL_ORDER)
        if after is not None:
            a, v, s = after
            page = page.filter(
                Q(activity_id__gt=a) | Q(activity_id=a, vintage__gt=v) | Q(activity_id=a, vintage=v, serial_start__gt=s)
            )
        chunk = list(page[:size])
        yield from chunk
        if len(chunk) < size:
            return
        last = chunk[-1]
        after = (last.activity_id, last.vintage, last.serial_start)
        size = min(size * 2, MAX_CHUNK)


def plan_take(*, blocks, quantity, from_account):
    """[(block, units taken from its front)] for `quantity` units, stopping once satisfied."""
    takes, remaining = [], quantity
    for block in blocks:
        if remaining == 0:
            break
        block.account = from_account  # what first_transfer_applies reads; the same row, no query
        take = min(block.quantity, remaining)
        takes.append((block, take))
        remaining -= take
    if remaining:
        raise LedgerError(f"{remaining} units were not found in {from_account.number}.")
    return takes


def _batched(ids):
    for i in range(0, len(ids), WRITE_BATCH):
        yield ids[i : i + WRITE_BATCH]


def first_transfer_flags(*, takes, to_account, kind):
    """Per take, whether it is a first transfer; refuse one to an entity its Party has not authorized."""
    flags = [first_transfer_applies(block=block, to_account=to_account, kind=kind) for block, _ in takes]
    organisation = to_account.organisation if to_account.organisation_id else None
    if any(flags) and organisation is not None and not organisation.authorized_by_party:
        # RMP 45: no first transfer into the account of an entity its Party has not authorized.
        params = {"organisation": organisation.name}
        raise ServiceError(
            _("%(organisation)s has not been authorized by its Party, so it cannot receive a first transfer of authorized units (RMP 45).") % params,
            code="first_transfer_not_authorized", params=params,
        )
    return flags


def block_split_off(*, block, take, to_account, flag, now):
    """The new block for the first `take` units of `block`, in `to_account` (its parent is `block`)."""
    return UnitBlock(
        activity_id=block.activity_id, host_party_id=block.host_party_id, vintage=block.vintage,
        issuance_id=block.issuance_id, serial_start=block.serial_start, serial_end=block.serial_start + take - 1,
        account=to_account, authorization_status=block.authorization_status,
        first_transfer_definition=block.first_transfer_definition,
        first_transferred=block.first_transferred or flag,
        first_transferred_at=now if flag else block.first_transferred_at, parent=block,
        negligible_risk=block.negligible_risk, component_id=block.component_id,
    )


def move_write(*, takes, from_account, to_account, kind, actor_label, issuance=None, purpose="", beneficiary="",
               idempotency_key=None, event=None):
    """Write one planned move; refuse a first transfer to an entity its Party has not authorized.

    `event(row)`: the move's event, built (pacm.events.services.event_build) from the transaction row
    once it has its id; written with the move (on PostgreSQL in the move's last statement, pacm issue 8)."""
    flags = first_transfer_flags(takes=takes, to_account=to_account, kind=kind)
    first_transfer = any(flags)
    now = timezone.now()
    # The maintained totals move with the units, in this transaction (pacm issue 8).
    deltas, balances, holdings = move_all_deltas(takes=takes, flags=flags, from_account=from_account,
                                                 to_account=to_account)
    fields = dict(
        kind=kind, issuance=issuance, from_account=from_account, to_account=to_account,
        quantity=sum(take for _, take in takes), first_transfer=first_transfer,
        # RMP 71-72: the host applies a CA for the first transfer of every authorized unit.
        corresponding_adjustment=first_transfer,
        purpose=purpose, beneficiary=beneficiary, actor_label=actor_label, idempotency_key=idempotency_key,
    )
    if ctes.folds():
        return _move_fold(row=LedgerTransaction(**fields), takes=takes, flags=flags, to_account=to_account, now=now,
                          totals=(deltas, balances, holdings), event=event)
    transaction_row = LedgerTransaction.objects.create(**fields)
    whole_first, whole_plain, split_off, entries = [], [], [], []
    for (block, take), flag in zip(takes, flags, strict=True):
        if take == block.quantity:
            (whole_first if flag else whole_plain).append(block.pk)
            block.account = to_account
            if flag:
                block.first_transferred, block.first_transferred_at = True, now
            entries.append((block, block.serial_start, block.serial_end, flag))
            continue
        moved = block_split_off(block=block, take=take, to_account=to_account, flag=flag, now=now)
        # Shrink the old row first, then insert the new one: no statement ever sees an overlap.
        block.serial_start += take
        UnitBlock.objects.filter(pk=block.pk).update(serial_start=block.serial_start)
        split_off.append(moved)
        entries.append((moved, moved.serial_start, moved.serial_end, flag))
    if split_off:
        UnitBlock.objects.bulk_create(split_off)
    for ids in _batched(whole_first):
        UnitBlock.objects.filter(pk__in=ids).update(
            account=to_account, first_transferred=True, first_transferred_at=now
        )
    for ids in _batched(whole_plain):
        UnitBlock.objects.filter(pk__in=ids).update(account=to_account)
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(transaction=transaction_row, block=block, vintage=block.vintage, serial_start=start,
                        serial_end=end, first_transfer=flag)
            for block, start, end, flag in entries
        ],
        batch_size=WRITE_BATCH,
    )
    totals_add(deltas, balances, holdings)
    transaction_row.ranges = [(block, start, end, flag) for block, start, end, flag in entries]
    if event is not None:
        events_save([event(transaction_row)])
    return transaction_row


def _move_fold(*, row, takes, flags, to_account, now, totals, event):
    """PostgreSQL: the move in two statements of writing CTEs (pacm issue 8). First the blocks that move
    whole and the shrink of those split, with the transaction (its id comes back); then the blocks split
    off, the entries, the totals, balances and holding groups and the event. The split-off blocks come
    after their parents shrank, in a later statement: the exclusion constraint checks every row as it
    is written, so no statement ever sees two rows over one serial."""
    changed, split_off, entries = [], [], []
    for (block, take), flag in zip(takes, flags, strict=True):
        if take == block.quantity:
            block.account = to_account
            if flag:
                block.first_transferred, block.first_transferred_at = True, now
            changed.append(block)
            entries.append((block, block.serial_start, block.serial_end, flag))
            continue
        moved = block_split_off(block=block, take=take, to_account=to_account, flag=flag, now=now)
        block.serial_start += take
        changed.append(block)
        split_off.append(moved)
        entries.append((moved, moved.serial_start, moved.serial_end, flag))
    table = ctes.quote(UnitBlock._meta.db_table)
    values, params = ctes.values(
        [(b.pk, b.account_id, b.serial_start, b.first_transferred, b.first_transferred_at) for b in changed],
        ["bigint", "bigint", "bigint", "boolean", "timestamptz"])
    ((pk,),) = ctes.run([
        ("blocks", f"UPDATE {table} b SET account_id = v.acc, serial_start = v.s, first_transferred = v.ft, "
         f"first_transferred_at = v.fta FROM (VALUES {values}) AS v(id, acc, s, ft, fta) WHERE b.id = v.id", params),
        ("txn", *ctes.insert(LedgerTransaction, [row], returning="id")),
    ])
    ctes.saved(row, pk)
    row.ranges = entries
    parts = []
    if split_off:
        parts.append(("children", *ctes.insert(UnitBlock, split_off, returning="id, vintage, serial_start")))
    values, params = ctes.values(
        [(b.pk if b in changed else None, b.vintage, start, end, flag) for b, start, end, flag in entries],
        ["bigint", "integer", "bigint", "bigint", "boolean"])
    block_id, child_join = "v.b", ""
    if split_off:
        block_id = "COALESCE(v.b, c.id)"
        child_join = " LEFT JOIN children c ON v.b IS NULL AND c.vintage = v.v AND c.serial_start = v.s"
    parts.append(("entries", f"INSERT INTO {ctes.quote(LedgerEntry._meta.db_table)} (transaction_id, block_id, "
                  f"vintage, serial_start, serial_end, first_transfer) SELECT %s::bigint, {block_id}, v.v, v.s, v.e, "
                  f"v.f FROM (VALUES {values}) AS v(b, v, s, e, f){child_join}", [row.pk, *params]))
    parts += [(f"w{i}", sql, p) for i, (sql, p) in enumerate(totals_statements(*totals))]
    built = event(row) if event is not None else None
    if built is not None:
        parts.append(("event", *ctes.insert(Event, [built], returning="id")))
    # What the statement returns: the ids of the blocks split off (by vintage and first serial) and the event's.
    selects = (["SELECT 'c', id, vintage, serial_start FROM children"] if split_off else []) + (
        ["SELECT 'e', id, NULL, NULL FROM event"] if built is not None else [])
    parts.append(("ids", " UNION ALL ".join(selects) or "SELECT NULL, NULL, NULL, NULL WHERE false", []))
    found = {(tag, vintage, serial): pk for tag, pk, vintage, serial in ctes.run(parts)}
    for child in split_off:
        child.parent_id = child.parent.pk
        ctes.saved(child, found[("c", child.vintage, child.serial_start)])
    if built is not None:
        ctes.saved(built, found[("e", None, None)])
        events_saved([built])
    return row

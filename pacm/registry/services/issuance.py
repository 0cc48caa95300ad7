"""Issuing units and levying, cancelling, buffering and forwarding them (rules.md §4.5, §5.4).

Called by the issuing task inside its transaction, with the IssuanceRequest row locked, so two
runs of one issuance never interleave. Every step is its own LedgerTransaction keyed
`issuance:<pk>:<step>`: a step whose key exists is skipped, so a second run changes nothing.
The steps are planned in memory and written together in a fixed number of multi-row statements
(pacm issue 8; docs/benchmarks.md "Write path against the floor").
"""
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pacm.common import ctes
from pacm.common.errors import ServiceError
from pacm.events.models import Event

from ..models import (
    Account,
    AccountKind,
    AuthorizationStatus,
    FirstTransferDefinition,
    LedgerEntry,
    LedgerTransaction,
    SerialCounter,
    Suspension,
    TransactionKind,
    UnitBlock,
)
from .accounts import accounts_lock, mechanism_accounts
from .moves import WRITE_BATCH, LedgerError, block_split_off, first_transfer_flags, move_write, plan_take
from .suspensions import suspension_check
from .totals import (
    ZERO,
    balance_deltas,
    delta_add,
    holding_deltas_of_blocks,
    issue_deltas,
    move_deltas,
    totals_add,
    totals_statements,
)

OIMP_DEFINITIONS = (
    FirstTransferDefinition.ISSUANCE, FirstTransferDefinition.AUTHORIZATION, FirstTransferDefinition.USE
)
MAX_VINTAGE = 32767
MOVED_INTO = (AccountKind.PENDING, AccountKind.SOP_ADAPTATION, AccountKind.OMGE_MANDATORY, AccountKind.BUFFER)


@dataclass(frozen=True)
class TrancheTag:
    """What a PoA's tranche carries onto its blocks: the component project and its host (PROC-AC-003 v03.0 para 220)."""

    component_id: int
    host_party_id: int
    label: str = ""


class Tranche(tuple):
    """A tranche row (vintage, quantity, status, definition) with, for a PoA's, its `tag`."""

    def __new__(cls, row, tag=None):
        obj = super().__new__(cls, row)
        obj.tag = tag
        return obj


def _is_count(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _tranches_clean(tranches):
    """(vintage, quantity, status, definition) rows, checked; zero quantities dropped."""
    cleaned = []
    for row in tranches:
        try:
            vintage, quantity, status, definition = row
        except (TypeError, ValueError):
            raise ServiceError(
                _("Each tranche is (vintage, quantity, authorization status, first-transfer definition)."),
                code="tranche_malformed",
            ) from None
        if not _is_count(vintage) or not 1 <= vintage <= MAX_VINTAGE:
            params = {"vintage": vintage}
            raise ServiceError(
                _("Vintage %(vintage)s is not a year.") % {**params, "vintage": repr(vintage)},
                code="vintage_invalid", params=params,
            )
        if not _is_count(quantity) or quantity < 0:
            params = {"vintage": vintage}
            raise ServiceError(
                _("Tranche %(vintage)s: the quantity must be a whole number of units.") % params,
                code="tranche_quantity_invalid", params=params,
            )
        status = str(status)
        if status not in AuthorizationStatus.values:
            params = {"vintage": vintage, "status": status}
            raise ServiceError(
                _("Tranche %(vintage)s: unknown authorization status %(status)s.") % {**params, "status": repr(status)},
                code="authorization_status_unknown", params=params,
            )
        definition = str(definition or "")
        # 7/CMA.4 annex I para 38; RMP 42: the statement's status and first-transfer definition.
        if status == AuthorizationStatus.MITIGATION_CONTRIBUTION:
            definition = ""
        elif status == AuthorizationStatus.NDC:
            if definition not in ("", FirstTransferDefinition.INTERNATIONAL):
                params = {"vintage": vintage}
                raise ServiceError(
                    _("Tranche %(vintage)s: NDC-authorized units are first-transferred internationally.") % params,
                    code="first_transfer_definition_invalid", params=params,
                )
            definition = FirstTransferDefinition.INTERNATIONAL
        elif definition not in OIMP_DEFINITIONS:
            params = {"vintage": vintage}
            raise ServiceError(
                _("Tranche %(vintage)s: OIMP authorization needs the host's first-transfer definition (RMP 42).") % params,
                code="first_transfer_definition_required", params=params,
            )
        if quantity:
            cleaned.append(Tranche((vintage, quantity, status, definition), getattr(row, "tag", None)))
    return cleaned


def _distribution_clean(distribution):
    cleaned = []
    for row in distribution:
        try:
            account, units = row
        except (TypeError, ValueError):
            raise ServiceError(_("Each distribution line is (account, units)."), code="distribution_malformed") from None
        if not isinstance(account, Account) or account.pk is None:
            raise ServiceError(
                _("Each distribution line names an existing account."),
                code="distribution_account_unknown",
            )
        if not _is_count(units) or units < 0:
            params = {"account": account.number}
            raise ServiceError(
                _("%(account)s: the units forwarded must be a whole number.") % params,
                code="distribution_units_invalid", params=params,
            )
        if account.kind != AccountKind.HOLDING:
            # RMP 60; 7/CMA.4 annex I para 41: the rest is forwarded to holding accounts.
            params = {"account": account.number}
            raise ServiceError(
                _("%(account)s is not a holding account.") % params,
                code="distribution_not_holding", params=params,
            )
        cleaned.append((account, units))
    return cleaned


def _split_check(split, tranches, distribution):
    if split.share_of_proceeds + split.omge + split.buffer + split.net != split.gross:
        raise ServiceError(_("The split does not add up to the gross quantity."), code="split_mismatch")
    if min(split.share_of_proceeds, split.omge, split.buffer, split.net) < 0:
        raise ServiceError(_("The split has a negative share."), code="split_negative")
    issued = sum(q for _, q, _, _ in tranches)
    if issued != split.gross:
        params = {"issued": issued, "gross": split.gross}
        raise ServiceError(
            ngettext("The tranches add up to %(issued)s unit; the gross is %(gross)s.",
                     "The tranches add up to %(issued)s units; the gross is %(gross)s.", issued) % {**params, "issued": f"{issued:,}", "gross": f"{split.gross:,}"},
            code="tranches_mismatch", params=params,
        )
    forwarded = sum(u for _, u in distribution)
    if forwarded != split.net:
        params = {"forwarded": forwarded, "net": split.net}
        raise ServiceError(
            ngettext("The distribution adds up to %(forwarded)s unit; the net is %(net)s.",
                     "The distribution adds up to %(forwarded)s units; the net is %(net)s.", forwarded) % {**params, "forwarded": f"{forwarded:,}", "net": f"{split.net:,}"},
            code="distribution_mismatch", params=params,
        )


def _counters_advance(*, activity, tranches, head_of=None, issuance=None):
    """{vintage: first free serial}: the serial counters in one statement (pacm issue 8): insert or
    advance each vintage's counter by the units it issues, returning the new next serial; the row stays
    locked to the transaction's end, so two issuances of one vintage never share a serial.

    `head_of` (PostgreSQL): a stream whose last (sequence, hash) the same statement reads, set on
    `issuance.stream_head`: a statement after the caller's locks, so never a stale snapshot; it also
    checks the activity's suspension (`suspension_check`, which the caller then skips)."""
    per_vintage = {}
    for vintage, quantity, _status, _definition in tranches:
        per_vintage[vintage] = per_vintage.get(vintage, 0) + quantity
    table = connection.ops.quote_name(SerialCounter._meta.db_table)
    rows = sorted(per_vintage.items())
    sql = (f"INSERT INTO {table} (activity_id, vintage, next_serial) VALUES "
           + ", ".join(["(%s, %s, %s)"] * len(rows))
           + f" ON CONFLICT (activity_id, vintage) DO UPDATE SET next_serial = {table}.next_serial + "
           "excluded.next_serial - 1 RETURNING vintage, next_serial")
    params = [p for vintage, quantity in rows for p in (activity.pk, vintage, quantity + 1)]
    with connection.cursor() as cursor:
        if head_of is None or not ctes.folds():
            cursor.execute(sql, params)
            return {vintage: next_serial - per_vintage[vintage] for vintage, next_serial in cursor.fetchall()}
        events = ctes.quote(Event._meta.db_table)
        suspensions = ctes.quote(Suspension._meta.db_table)
        # And whether the activity's units are suspended (A6.4-STAN-METH-002 v01.0 paras 25, 44): a row
        # (NULL, -1) refuses the issuance, whose transaction then rolls back whole with the counters.
        cursor.execute(
            f"WITH c AS ({sql}) SELECT vintage, next_serial, NULL::integer, NULL::text FROM c UNION ALL "
            f"(SELECT NULL, NULL, e.sequence, e.hash FROM {events} e WHERE e.stream = %s "
            "ORDER BY e.sequence DESC LIMIT 1) UNION ALL SELECT NULL, -1, NULL, NULL WHERE EXISTS "
            f"(SELECT 1 FROM {suspensions} s WHERE s.activity_id = %s AND s.lifted_at IS NULL)",
            [*params, head_of, activity.pk])
        rows = cursor.fetchall()
    if any(v is None and n == -1 for v, n, _s, _h in rows):
        suspension_check(activity)  # the refusal, with the suspension it names
    issuance.stream_head = next(((seq, h) for v, n, seq, h in rows if v is None and n is None), (0, None))
    return {vintage: next_serial - per_vintage[vintage] for vintage, next_serial, _s, _h in rows if vintage is not None}


def _issued_blocks(*, issuance, activity, tranches, pending, next_free, negligible=False):
    """Step 1 (7/CMA.4 annex I para 37): every unit into the pending account, serials never reused."""
    blocks = []
    for row in tranches:
        vintage, quantity, status, definition = row
        tag = getattr(row, "tag", None)  # a PoA's: the CP and its host (PROC-AC-003 v03.0 para 220)
        start = next_free[vintage]
        next_free[vintage] = start + quantity
        blocks.append(
            UnitBlock(
                activity=activity, host_party_id=tag.host_party_id if tag else activity.host_party_id, vintage=vintage,
                issuance=issuance, serial_start=start, serial_end=start + quantity - 1, account=pending,
                authorization_status=status, first_transfer_definition=definition, negligible_risk=negligible,
                component_id=tag.component_id if tag else None,
            )
        )
    return blocks


def _issue(*, issuance, activity, tranches, pending, actor_label, key, negligible=False):
    """Step 1 written alone: a run resuming after it found its later steps undone (`_steps_resume`)."""
    blocks = _issued_blocks(issuance=issuance, activity=activity, tranches=tranches, pending=pending,
                            next_free=_counters_advance(activity=activity, tranches=tranches), negligible=negligible)
    UnitBlock.objects.bulk_create(blocks)
    totals_add(issue_deltas(blocks=blocks, account=pending),
               balance_deltas(takes=[(b, b.quantity) for b in blocks], from_account=None, to_account=pending),
               holding_deltas_of_blocks(blocks))
    row = LedgerTransaction.objects.create(
        kind=TransactionKind.ISSUANCE, issuance=issuance, from_account=None, to_account=pending,
        quantity=sum(b.quantity for b in blocks), actor_label=actor_label, idempotency_key=key,
    )
    LedgerEntry.objects.bulk_create(
        [LedgerEntry(transaction=row, block=b, vintage=b.vintage, serial_start=b.serial_start, serial_end=b.serial_end)
         for b in blocks]
    )
    return row


def _levy_parts(split, tranches):
    """{step: (authorized units, mitigation contribution units)} for the SOP, OMGE and buffer steps (rule 5)."""
    from methodologies.arithmetic import levies_by_status

    authorized = sum(q for _, q, status, _ in tranches if status != AuthorizationStatus.MITIGATION_CONTRIBUTION)
    mitigation = sum(q for _, q, status, _ in tranches if status == AuthorizationStatus.MITIGATION_CONTRIBUTION)
    # pacm issue 10 (reading risk-buffer-7): the buffer, a share of every A6.4ER issued (A6.4-STAN-METH-002
    # para 55), takes both kinds in proportion too, so the pool holds each authorization status as issued (para 53).
    sop, omge, buffer = levies_by_status(
        levies=[split.share_of_proceeds, split.omge, split.buffer], authorized=authorized,
        mitigation_contribution=mitigation, rounding=getattr(split, "levy_authorized_rounding", "up"),
    )
    return {"share_of_proceeds": sop, "omge": omge, "buffer": buffer}


def _step_takes(*, name, quantity, blocks, levy_parts, pending):
    """[(block, units)] a step takes from this issuance's pending blocks, in serial order."""
    if name in levy_parts:
        # pacm issue 6 §5 rule 5: each levy takes authorized and mitigation contribution units
        # in proportion (methodologies.arithmetic.levies_by_status), each kind in serial order.
        from_authorized, from_mc = levy_parts[name]
        takes = plan_take(blocks=[b for b in blocks if b.is_authorized], quantity=from_authorized,
                          from_account=pending)
        takes += plan_take(blocks=[b for b in blocks if not b.is_authorized], quantity=from_mc,
                           from_account=pending)
        return [(block, take) for block, take in takes if take]
    return plan_take(blocks=blocks, quantity=quantity, from_account=pending)


def _steps_plan(*, issued, steps, levy_parts, pending, issuance, actor_label, prefix):
    """Every step's move, planned in memory on the issued blocks (pacm issue 8): the blocks end as the
    step-by-step moves of `move_write` would leave them (a whole block changes account, a partial take
    shrinks it and splits off a child), with one transaction and its entries per step. Returns
    (transactions with their entries, children, totals deltas, balance deltas); nothing is written."""
    now = timezone.now()
    blocks = sorted(issued, key=lambda b: (b.vintage, b.serial_start))
    planned, children = [], []
    totals, balances = defaultdict(lambda: ZERO), defaultdict(int)
    for name, quantity, to_account, kind in steps:
        if quantity == 0:
            continue  # a zero step creates no transaction
        takes = _step_takes(name=name, quantity=quantity, blocks=blocks, levy_parts=levy_parts, pending=pending)
        flags = first_transfer_flags(takes=takes, to_account=to_account, kind=kind)
        for key, value in move_deltas(takes=takes, from_account=pending, to_account=to_account, flags=flags).items():
            totals[key] = delta_add(totals[key], value)
        for key, value in balance_deltas(takes=takes, from_account=pending, to_account=to_account).items():
            balances[key] += value
        row = LedgerTransaction(
            kind=kind, issuance=issuance, from_account=pending, to_account=to_account,
            quantity=sum(take for _, take in takes), first_transfer=any(flags),
            # RMP 71-72: the host applies a CA for the first transfer of every authorized unit.
            corresponding_adjustment=any(flags), actor_label=actor_label, idempotency_key=f"{prefix}:{name}",
        )
        entries = []
        for (block, take), flag in zip(takes, flags, strict=True):
            if take == block.quantity:
                block.account = to_account
                if flag:
                    block.first_transferred, block.first_transferred_at = True, now
                entries.append((block, block.serial_start, block.serial_end, flag))
                continue
            moved = block_split_off(block=block, take=take, to_account=to_account, flag=flag, now=now)
            block.serial_start += take
            children.append(moved)
            entries.append((moved, moved.serial_start, moved.serial_end, flag))
        row.ranges = entries
        planned.append(row)
        blocks = [b for b in blocks if b.account_id == pending.pk]
    return planned, children, totals, balances


def _issuance_write(*, issuance, activity, tranches, pending, steps, levy_parts, actor_label, prefix, negligible=False,
                    issuance_save=False, head_of=None):
    """The whole issuance in a fixed number of multi-row statements (pacm issue 8): the serial counters;
    the issued blocks as every step leaves them; their children; every step's transaction; every entry;
    the totals and balances. The blocks are written in their final state, so no row is written twice.
    On PostgreSQL everything after the counters is one statement of writing CTEs (`_issuance_fold`)."""
    next_free = _counters_advance(activity=activity, tranches=tranches, head_of=head_of, issuance=issuance)
    issued = _issued_blocks(issuance=issuance, activity=activity, tranches=tranches, pending=pending,
                            next_free=next_free, negligible=negligible)
    issue_row = LedgerTransaction(
        kind=TransactionKind.ISSUANCE, issuance=issuance, from_account=None, to_account=pending,
        quantity=sum(b.quantity for b in issued), actor_label=actor_label, idempotency_key=f"{prefix}:issue",
    )
    issue_row.ranges = [(b, b.serial_start, b.serial_end, False) for b in issued]
    totals = issue_deltas(blocks=issued, account=pending)
    balances = balance_deltas(takes=[(b, b.quantity) for b in issued], from_account=None, to_account=pending)
    planned, children, move_totals, move_balances = _steps_plan(
        issued=issued, steps=steps, levy_parts=levy_parts, pending=pending, issuance=issuance,
        actor_label=actor_label, prefix=prefix,
    )
    for key, value in move_totals.items():
        totals[key] = delta_add(totals[key], value)
    for key, units in move_balances.items():
        balances[key] += units
    rows = [issue_row, *planned]
    if ctes.folds():
        _issuance_fold(issued=issued, children=children, rows=rows, totals=totals, balances=balances,
                       issuance=issuance if issuance_save else None)
        return rows
    UnitBlock.objects.bulk_create(issued)
    for child in children:
        child.parent_id = child.parent.pk
    if children:
        UnitBlock.objects.bulk_create(children)
    LedgerTransaction.objects.bulk_create(rows)
    LedgerEntry.objects.bulk_create(
        [LedgerEntry(transaction=row, block=block, vintage=block.vintage, serial_start=start, serial_end=end,
                     first_transfer=flag)
         for row in rows for block, start, end, flag in row.ranges],
        batch_size=WRITE_BATCH,
    )
    # The blocks are in their final state: the holding groups are theirs (issued and children alike).
    totals_add(totals, balances, holding_deltas_of_blocks([*issued, *children]))
    if issuance_save:
        issuance.save()
    return rows


def _issuance_fold(*, issued, children, rows, totals, balances, issuance):
    """PostgreSQL: the issued blocks, their children, the transactions, the entries, the totals, balances
    and holding groups (and the issuance request's row, when given) in ONE statement of writing CTEs
    (pacm issue 8). The ids are joined, not read back: a child finds its parent by (vintage, last serial)
    (the parent's never moves: a take shrinks it from the front), an entry its transaction by the step's
    key and its block as the parent or the child; the statement returns them for the rows in memory."""
    parts = [("parents", *ctes.insert(UnitBlock, issued, returning="id, vintage, serial_end"))]
    if children:
        parts.append(("children", *ctes.insert(
            UnitBlock, children, exclude=("parent_id",),
            extra=[("pv", "integer", lambda c: c.parent.vintage), ("pe", "bigint", lambda c: c.parent.serial_end)],
            select=(["parent_id"], ["p.id"]), join="JOIN parents p ON p.vintage = v.pv AND p.serial_end = v.pe",
            returning="id, vintage, serial_start")))
    parts.append(("txns", *ctes.insert(LedgerTransaction, rows, returning="id, idempotency_key")))
    # Each entry: its step's key, its range, and how to find its block (a child by its first serial, an
    # issued block by its last).
    values, params = ctes.values(
        [(row.idempotency_key, block.vintage, start, end, flag, block.parent is not None,
          block.serial_start if block.parent is not None else block.serial_end)
         for row in rows for block, start, end, flag in row.ranges],
        ["text", "integer", "bigint", "bigint", "boolean", "boolean", "bigint"])
    entry = ctes.quote(LedgerEntry._meta.db_table)
    block_id, child_join = "p.id", ""
    if children:
        block_id = "COALESCE(c.id, p.id)"
        child_join = "LEFT JOIN children c ON v.child AND c.vintage = v.v AND c.serial_start = v.k "
    parts.append(("entries", f"INSERT INTO {entry} (transaction_id, block_id, vintage, serial_start, serial_end, "
                  f"first_transfer) SELECT t.id, {block_id}, v.v, v.s, v.e, v.f FROM (VALUES {values}) "
                  "AS v(key, v, s, e, f, child, k) JOIN txns t ON t.idempotency_key = v.key "
                  f"{child_join}LEFT JOIN parents p ON NOT v.child AND p.vintage = v.v AND p.serial_end = v.k",
                  params))
    # The blocks are in their final state: the holding groups are theirs (issued and children alike).
    parts += [(f"w{i}", sql, p) for i, (sql, p) in enumerate(
        totals_statements(totals, balances, holding_deltas_of_blocks([*issued, *children])))]
    if issuance is not None:
        parts.append(("request", *ctes.update(issuance, [f.attname for f in issuance._meta.concrete_fields
                                                          if not f.primary_key])))
    children_ids = ("UNION ALL SELECT 'c', id, vintage, serial_start, NULL FROM children " if children else "")
    parts.append(("ids", "SELECT 'p', id, vintage, serial_end, NULL FROM parents "
                  f"{children_ids}UNION ALL SELECT 't', id, NULL, NULL, idempotency_key FROM txns", []))
    found = {(tag, vintage, serial, key): pk for tag, pk, vintage, serial, key in ctes.run(parts)}
    for block in issued:
        ctes.saved(block, found[("p", block.vintage, block.serial_end, None)])
    for child in children:
        child.parent_id = child.parent.pk
        ctes.saved(child, found[("c", child.vintage, child.serial_start, None)])
    for row in rows:
        ctes.saved(row, found[("t", None, None, row.idempotency_key)])


def _steps_resume(*, issuance, steps, done, levy_parts, pending, actor_label, prefix):
    """A run that finds some steps done (never one run of this module: it writes every step in one
    transaction) takes the rest, step by step, from the issuance's blocks still pending."""
    results = []
    blocks = list(UnitBlock.objects.filter(issuance=issuance, account=pending).order_by("vintage", "serial_start"))
    for name, quantity, to_account, kind in steps:
        key = f"{prefix}:{name}"
        if key in done:
            results.append(done[key])
            continue
        if quantity == 0:
            continue
        takes = _step_takes(name=name, quantity=quantity, blocks=blocks, levy_parts=levy_parts, pending=pending)
        results.append(move_write(
            takes=takes, from_account=pending, to_account=to_account, kind=kind, actor_label=actor_label,
            issuance=issuance, idempotency_key=key,
        ))
        blocks = [b for b in blocks if b.account_id == pending.pk]
    return results


def issuance_execute(*, issuance, tranches, split, distribution, actor_label, accounts_locked=False, first_run=False,
                     issuance_save=False, head_of=None):
    """Issue `split.gross` units for `issuance` and move them on, step by step (rules.md §4.5).

    1 issuance into PENDING; 2 share of proceeds to the Adaptation Fund (RMP 58); 3 OMGE
    cancellation (RMP 59); 4 buffer deposit (policy.md §2); 5 forwarding to each receiving
    account in order (RMP 60). The SOP and OMGE steps take the authorized and the mitigation
    contribution units in proportion (pacm issue 6 §5 rule 5; 7/CMA.4 annex I paras 39-40;
    PROC-REGS-001 v02.1 para 43(c)-(f)); every step takes each kind from this issuance's pending
    blocks in serial order. Returns the step transactions (existing ones included) in order.

    Runs in the caller's transaction (no savepoint of its own, pacm issue 8). Every step's
    transaction carries the key `issuance:<pk>:<step>` (unique): a second run finds them and
    changes nothing. `accounts_locked`: the caller locked the receiving accounts (in key order);
    `first_run`: the caller knows, under its lock of the request, that no step was written, so the
    keys are not looked up (a second write would still be refused by their unique constraint).
    `issuance_save`: the caller set the issuance request's fields; its row is saved with the units (on
    PostgreSQL in their statement). `head_of`: the stream whose last (sequence, hash) is read with the
    serial counters on PostgreSQL, left on `issuance.stream_head` (None when not read).
    """
    issuance.stream_head = None
    tranches = _tranches_clean(tranches)
    distribution = _distribution_clean(distribution)
    _split_check(split, tranches, distribution)
    prefix = f"issuance:{issuance.pk}"
    with transaction.atomic(savepoint=False):
        # Lock order (accounts_lock): the caller holds the activity, period and request rows; then
        # the holders' accounts the units are forwarded to, in one statement by key. The
        # mechanism's own accounts are not locked: every issuance moves units into them, and a
        # move in needs only the key-share lock that writing a block takes, which no move out
        # (FOR NO KEY UPDATE) excludes, so issuances of different activities still run side by side.
        if not accounts_locked:
            accounts_lock(*[account for account, _ in distribution])
        activity = issuance.period.activity
        # A6.4-STAN-METH-002 v01.0 paras 25, 44: no issuance while the activity's units are suspended;
        # on PostgreSQL a first run checks it in the serial counters' statement (`_counters_advance`).
        folded_check = ctes.folds() and first_run and head_of is not None
        if not folded_check:
            suspension_check(activity)
        accounts = mechanism_accounts()
        if any(kind not in accounts for kind in MOVED_INTO):
            raise LedgerError("The mechanism's accounts are missing: run the migrations.")
        pending = accounts[AccountKind.PENDING]
        steps = [
            ("share_of_proceeds", split.share_of_proceeds, accounts[AccountKind.SOP_ADAPTATION],
             TransactionKind.SHARE_OF_PROCEEDS),
            ("omge", split.omge, accounts[AccountKind.OMGE_MANDATORY], TransactionKind.OMGE_CANCELLATION),
            ("buffer", split.buffer, accounts[AccountKind.BUFFER], TransactionKind.BUFFER_DEPOSIT),
        ] + [(f"forward:{i}", units, account, TransactionKind.FORWARDING)
             for i, (account, units) in enumerate(distribution, start=1)]
        keys = [f"{prefix}:issue"] + [f"{prefix}:{name}" for name, _, _, _ in steps]
        done = {} if first_run else {
            row.idempotency_key: row for row in LedgerTransaction.objects.filter(idempotency_key__in=keys)}
        levy_parts = _levy_parts(split, tranches)
        negligible = getattr(split, "negligible_risk", False)  # A6.4-STAN-METH-002 para 39(b)
        if not done:
            if not folded_check:
                head_of = None  # the counters' statement as it is: the check ran above
            return _issuance_write(issuance=issuance, activity=activity, tranches=tranches, pending=pending,
                                   steps=steps, levy_parts=levy_parts, actor_label=actor_label, prefix=prefix,
                                   negligible=negligible, issuance_save=issuance_save, head_of=head_of)
        key = f"{prefix}:issue"
        first = done.get(key) or _issue(
            issuance=issuance, activity=activity, tranches=tranches, pending=pending, actor_label=actor_label, key=key,
            negligible=negligible,
        )
        # Conservation is kept by the maintained totals (services.totals, moved in each step), checked by
        # `reconcile_totals` and the ledger's property tests: no re-read of what was just written (issue 8).
        results = [first] + _steps_resume(issuance=issuance, steps=steps, done=done, levy_parts=levy_parts,
                                          pending=pending, actor_label=actor_label, prefix=prefix)
        if issuance_save:
            issuance.save()
        return results

"""The maintained totals of the registry (models.RegistryTotal), the accounts' balances
(models.AccountBalance) and their holding groups (models.AccountHolding; pacm issue 8).

Every ledger move adds its deltas to the three in one statement (three on SQLite, which has no
writing CTE), in the move's transaction; the rows are written in key order so two moves never lock
them crosswise. `totals_compute`, `balances_compute` and `holdings_compute` recompute them from the
blocks and the ledger for the reconciliation command.
"""
from collections import defaultdict

from django.db import connection
from django.db.models import F, Sum

from ..models import TOTAL_SHARDS, AccountBalance, AccountHolding, RegistryTotal, TransactionKind, UnitBlock

KEY = ("account_kind", "authorization_status", "vintage", "shard")
# What each row counts: units held, units issued, units first-transferred into accounts of its kind.
VALUES = ("units", "issued", "first_transferred")
ZERO = (0, 0, 0)


def delta_add(a, b):
    """The sum of two (units, issued, first_transferred) deltas."""
    return tuple(x + y for x, y in zip(a, b, strict=True))


def shard_of(activity_id):
    return activity_id % TOTAL_SHARDS


# A holding group: (account id, activity id, vintage, authorization status, first transferred,
# negligible risk, component key); component key is the CP's id or 0 (models.AccountHolding).
HOLDING_KEY = ("account_id", "activity_id", "vintage", "authorization_status", "first_transferred",
               "negligible_risk", "component_key")


def holding_key(block, *, account_id=None, first_transferred=None):
    """The holding group of `block` (in `account_id`, with `first_transferred`, where they are about to change)."""
    return (
        block.account_id if account_id is None else account_id, block.activity_id, block.vintage,
        block.authorization_status, block.first_transferred if first_transferred is None else first_transferred,
        block.negligible_risk, block.component_id or 0,
    )


def holding_deltas_of_blocks(blocks):
    """{holding key: units} of `blocks` as they are (units issued, or a plan's final state)."""
    deltas = defaultdict(int)
    for block in blocks:
        deltas[holding_key(block)] += block.quantity
    return deltas


def move_all_deltas(*, takes, flags, from_account, to_account):
    """(totals, balances, holdings): the deltas of moving `takes` [(block, units)] out of `from_account`
    (the blocks as they are before the move) into `to_account`, first-transferred where `flags` say so,
    in one pass over the takes (as move_deltas, balance_deltas and the holding groups each count them)."""
    totals, balances, holdings = defaultdict(lambda: ZERO), defaultdict(int), defaultdict(int)
    same_kind = from_account.kind == to_account.kind  # the same kind on both sides: no holding total changes
    for (block, take), flag in zip(takes, flags, strict=True):
        shard = shard_of(block.activity_id)
        base = (block.authorization_status, block.vintage, shard)
        into = (to_account.kind, *base)
        if not same_kind:
            out = (from_account.kind, *base)
            totals[out] = delta_add(totals[out], (-take, 0, 0))
            totals[into] = delta_add(totals[into], (take, 0, 0))
        if flag:  # PROC-REGS-001 v02.1 para 74(a): counted on the receiving kind's row
            totals[into] = delta_add(totals[into], (0, 0, take))
        balances[(from_account.pk, shard)] -= take
        balances[(to_account.pk, shard)] += take
        holdings[holding_key(block, account_id=from_account.pk)] -= take
        holdings[holding_key(block, account_id=to_account.pk, first_transferred=block.first_transferred or flag)] += take
    return totals, balances, holdings


def _holdings_upsert(holdings):
    rows = sorted((key, units) for key, units in holdings.items() if units)
    if not rows:
        return None
    table = connection.ops.quote_name(AccountHolding._meta.db_table)
    columns = ", ".join(HOLDING_KEY)
    return (
        f"INSERT INTO {table} ({columns}, component_id, units) VALUES "
        + ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(rows))
        + f" ON CONFLICT ({columns}) DO UPDATE SET units = {table}.units + excluded.units",
        [p for key, units in rows for p in (*key, key[-1] or None, units)],
    )


def totals_statements(totals, balances, holdings=None):
    """[(sql, params)]: the upserts that add these deltas, each in key order (parts of a caller's
    writing CTE on PostgreSQL, pacm.common.ctes)."""
    statements = []
    rows = sorted((key, value) for key, value in totals.items() if value != ZERO)
    if rows:
        table = connection.ops.quote_name(RegistryTotal._meta.db_table)
        statements.append((
            f"INSERT INTO {table} (account_kind, authorization_status, vintage, shard, units, issued, "
            "first_transferred) VALUES "
            + ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(rows))
            + " ON CONFLICT (account_kind, authorization_status, vintage, shard) DO UPDATE SET "
            f"units = {table}.units + excluded.units, issued = {table}.issued + excluded.issued, "
            f"first_transferred = {table}.first_transferred + excluded.first_transferred",
            [p for key, value in rows for p in (*key, *value)],
        ))
    rows = sorted((key, units) for key, units in balances.items() if units)
    if rows:
        table = connection.ops.quote_name(AccountBalance._meta.db_table)
        statements.append((
            f"INSERT INTO {table} (account_id, shard, units) VALUES " + ", ".join(["(%s, %s, %s)"] * len(rows))
            + f" ON CONFLICT (account_id, shard) DO UPDATE SET units = {table}.units + excluded.units",
            [p for (account_id, shard), units in rows for p in (account_id, shard, units)],
        ))
    holding = _holdings_upsert(holdings or {})
    if holding:
        statements.append(holding)
    return statements


def totals_add(deltas, balances=None, holdings=None):
    """Add {(account kind, status, vintage, shard): (units, issued, first transferred)} to the maintained totals,
    {(account id, shard): units} to the balances and {holding key: units} to the holding groups: one statement on
    PostgreSQL (writing CTEs)."""
    statements = totals_statements(deltas, balances or {}, holdings)
    if not statements:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(statements) > 1:
            *first, (last, last_params) = statements
            ctes = ", ".join(f"w{i} AS ({sql})" for i, (sql, _) in enumerate(first))
            cursor.execute(f"WITH {ctes} {last}", [p for _, params in first for p in params] + last_params)
            return
        for sql, params in statements:
            cursor.execute(sql, params)


def balance_deltas(*, takes, from_account, to_account):
    """{(account id, shard): units} of moving `takes` [(block, units)] between two accounts."""
    deltas = defaultdict(int)
    for block, take in takes:
        shard = shard_of(block.activity_id)
        if from_account is not None:  # None: units issued
            deltas[(from_account.pk, shard)] -= take
        deltas[(to_account.pk, shard)] += take
    return deltas


def balance_held(account):
    """Units held in `account`, from its maintained rows (at most TOTAL_SHARDS of them)."""
    return AccountBalance.objects.filter(account=account).aggregate(n=Sum("units"))["n"] or 0


def balances_of(accounts):
    """{account pk: units held} for several accounts, from the maintained rows, in one query."""
    rows = AccountBalance.objects.filter(account__in=accounts).values("account_id").annotate(n=Sum("units")).order_by()
    return {row["account_id"]: row["n"] for row in rows if row["n"]}


def balances_compute():
    """{(account id, shard): units} recomputed from the blocks."""
    rows = UnitBlock.objects.values("account_id", "activity_id").annotate(units=Sum(F("serial_end") - F("serial_start") + 1)).order_by()
    computed = defaultdict(int)
    for row in rows:
        computed[(row["account_id"], shard_of(row["activity_id"]))] += row["units"]
    return {key: units for key, units in computed.items() if units}


def balances_stored():
    return {(row["account_id"], row["shard"]): row["units"]
            for row in AccountBalance.objects.values("account_id", "shard", "units") if row["units"]}


def balances_differences():
    """[((account id, shard), stored, computed)] where the maintained balances and the blocks disagree."""
    stored, computed = balances_stored(), balances_compute()
    return [(key, stored.get(key, 0), computed.get(key, 0)) for key in sorted(set(stored) | set(computed))
            if stored.get(key, 0) != computed.get(key, 0)]


def balances_rebuild():
    computed = balances_compute()
    AccountBalance.objects.all().delete()
    AccountBalance.objects.bulk_create([AccountBalance(account_id=a, shard=s, units=u) for (a, s), u in sorted(computed.items())])


def holdings_compute():
    """{holding key: units} recomputed from the blocks."""
    rows = (UnitBlock.objects.values("account_id", "activity_id", "vintage", "authorization_status",
                                     "first_transferred", "negligible_risk", "component_id")
            .annotate(units=Sum(F("serial_end") - F("serial_start") + 1)).order_by())
    return {(r["account_id"], r["activity_id"], r["vintage"], r["authorization_status"], r["first_transferred"],
             r["negligible_risk"], r["component_id"] or 0): r["units"] for r in rows if r["units"]}


def holdings_stored():
    return {tuple(row[k] for k in HOLDING_KEY): row["units"]
            for row in AccountHolding.objects.values(*HOLDING_KEY, "units") if row["units"]}


def holdings_differences():
    """[(holding key, stored, computed)] where the maintained holding groups and the blocks disagree."""
    stored, computed = holdings_stored(), holdings_compute()
    return [(key, stored.get(key, 0), computed.get(key, 0)) for key in sorted(set(stored) | set(computed))
            if stored.get(key, 0) != computed.get(key, 0)]


def holdings_rebuild():
    computed = holdings_compute()
    AccountHolding.objects.all().delete()
    AccountHolding.objects.bulk_create([
        AccountHolding(**dict(zip(HOLDING_KEY, key, strict=True)), component_id=key[-1] or None, units=units)
        for key, units in sorted(computed.items())
    ], batch_size=5000)


def move_deltas(*, takes, from_account, to_account, flags=None):
    """The deltas of moving `takes` [(block, units)] from one account to another; `flags`, per take,
    whether it is the units' first transfer (PROC-REGS-001 v02.1 para 74(a): AERs first transferred
    are a public total), counted on the receiving kind's row."""
    deltas = defaultdict(lambda: ZERO)
    for (block, take), flag in zip(takes, flags or [False] * len(takes), strict=True):
        base = (block.authorization_status, block.vintage, shard_of(block.activity_id))
        out, into = (from_account.kind, *base), (to_account.kind, *base)
        if from_account.kind != to_account.kind:  # the same kind on both sides: no holding total changes
            deltas[out] = delta_add(deltas[out], (-take, 0, 0))
            deltas[into] = delta_add(deltas[into], (take, 0, 0))
        if flag:
            deltas[into] = delta_add(deltas[into], (0, 0, take))
    return deltas


def issue_deltas(*, blocks, account):
    deltas = defaultdict(lambda: ZERO)
    for block in blocks:
        key = (account.kind, block.authorization_status, block.vintage, shard_of(block.activity_id))
        deltas[key] = delta_add(deltas[key], (block.quantity, block.quantity, 0))
    return deltas


def totals_compute():
    """{key: (units, issued, first transferred)} recomputed from the blocks and the ledger: what the rows
    must hold."""
    computed = defaultdict(lambda: ZERO)
    held = (
        UnitBlock.objects.values("account__kind", "authorization_status", "vintage", "activity_id")
        .annotate(units=Sum(F("serial_end") - F("serial_start") + 1))
        .order_by()
    )
    for row in held:
        key = (row["account__kind"], row["authorization_status"], row["vintage"], shard_of(row["activity_id"]))
        computed[key] = delta_add(computed[key], (row["units"], 0, 0))
    # Units issued: the issuance transactions' entries, by the status, vintage and activity of their blocks.
    issued = (
        UnitBlock.objects.filter(entries__transaction__kind=TransactionKind.ISSUANCE)
        .values("authorization_status", "entries__vintage", "activity_id", "entries__transaction__to_account__kind")
        .annotate(units=Sum(F("entries__serial_end") - F("entries__serial_start") + 1))
        .order_by()
    )
    for row in issued:
        key = (row["entries__transaction__to_account__kind"], row["authorization_status"], row["entries__vintage"],
               shard_of(row["activity_id"]))
        computed[key] = delta_add(computed[key], (0, row["units"], 0))
    # Units first transferred: the entries flagged so, on the row of the kind that received them.
    first = (
        UnitBlock.objects.filter(entries__first_transfer=True)
        .values("authorization_status", "entries__vintage", "activity_id", "entries__transaction__to_account__kind")
        .annotate(units=Sum(F("entries__serial_end") - F("entries__serial_start") + 1))
        .order_by()
    )
    for row in first:
        key = (row["entries__transaction__to_account__kind"], row["authorization_status"], row["entries__vintage"],
               shard_of(row["activity_id"]))
        computed[key] = delta_add(computed[key], (0, 0, row["units"]))
    return {key: value for key, value in computed.items() if value != ZERO}


def totals_stored():
    rows = ((tuple(row[k] for k in KEY), tuple(row[v] for v in VALUES))
            for row in RegistryTotal.objects.values(*KEY, *VALUES))
    return {key: value for key, value in rows if value != ZERO}


def totals_differences():
    """[(key, stored, computed)] where the maintained rows and the ledger disagree."""
    stored, computed = totals_stored(), totals_compute()
    return [
        (key, stored.get(key, ZERO), computed.get(key, ZERO))
        for key in sorted(set(stored) | set(computed))
        if stored.get(key, ZERO) != computed.get(key, ZERO)
    ]


def totals_rebuild():
    """Replace the maintained rows with the recomputed ones (the caller holds a transaction)."""
    computed = totals_compute()
    RegistryTotal.objects.all().delete()
    RegistryTotal.objects.bulk_create(
        [RegistryTotal(**dict(zip(KEY, key, strict=True)), **dict(zip(VALUES, value, strict=True)))
         for key, value in sorted(computed.items())]
    )


"""The maintained totals of the registry (models.RegistryTotal) and the accounts' balances
(models.AccountBalance; pacm issue 8).

Every ledger move adds its deltas to both in one statement (two on SQLite, which has no writing
CTE), in the move's transaction; the rows are written in key order so two moves never lock them
crosswise. `totals_compute` and `balances_compute` recompute them from the blocks and the ledger
for the reconciliation command.
"""
from collections import defaultdict

from django.db import connection
from django.db.models import F, Sum

from ..models import TOTAL_SHARDS, AccountBalance, RegistryTotal, TransactionKind, UnitBlock

KEY = ("account_kind", "authorization_status", "vintage", "shard")


def shard_of(activity_id):
    return activity_id % TOTAL_SHARDS


def _upserts(totals, balances):
    """[(sql, params)]: the upserts that add these deltas, each in key order."""
    statements = []
    rows = sorted((key, value) for key, value in totals.items() if value != (0, 0))
    if rows:
        table = connection.ops.quote_name(RegistryTotal._meta.db_table)
        statements.append((
            f"INSERT INTO {table} (account_kind, authorization_status, vintage, shard, units, issued) VALUES "
            + ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(rows))
            + " ON CONFLICT (account_kind, authorization_status, vintage, shard) DO UPDATE SET "
            f"units = {table}.units + excluded.units, issued = {table}.issued + excluded.issued",
            [p for key, (units, issued) in rows for p in (*key, units, issued)],
        ))
    rows = sorted((key, units) for key, units in balances.items() if units)
    if rows:
        table = connection.ops.quote_name(AccountBalance._meta.db_table)
        statements.append((
            f"INSERT INTO {table} (account_id, shard, units) VALUES " + ", ".join(["(%s, %s, %s)"] * len(rows))
            + f" ON CONFLICT (account_id, shard) DO UPDATE SET units = {table}.units + excluded.units",
            [p for (account_id, shard), units in rows for p in (account_id, shard, units)],
        ))
    return statements


def totals_add(deltas, balances=None):
    """Add {(account kind, status, vintage, shard): (units, issued)} to the maintained totals and
    {(account id, shard): units} to the balances: one statement on PostgreSQL (a writing CTE)."""
    statements = _upserts(deltas, balances or {})
    if not statements:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(statements) == 2:
            (first, first_params), (second, second_params) = statements
            cursor.execute(f"WITH totals AS ({first}) {second}", first_params + second_params)
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


def move_deltas(*, takes, from_account, to_account):
    """The deltas of moving `takes` [(block, units)] from one account to another."""
    deltas = defaultdict(lambda: (0, 0))
    if from_account.kind == to_account.kind:
        return deltas  # the same kind on both sides: no total changes
    for block, take in takes:
        base = (block.authorization_status, block.vintage, shard_of(block.activity_id))
        out, into = (from_account.kind, *base), (to_account.kind, *base)
        deltas[out] = (deltas[out][0] - take, deltas[out][1])
        deltas[into] = (deltas[into][0] + take, deltas[into][1])
    return deltas


def issue_deltas(*, blocks, account):
    deltas = defaultdict(lambda: (0, 0))
    for block in blocks:
        key = (account.kind, block.authorization_status, block.vintage, shard_of(block.activity_id))
        units, issued = deltas[key]
        deltas[key] = (units + block.quantity, issued + block.quantity)
    return deltas


def totals_compute():
    """{key: (units, issued)} recomputed from the blocks and the ledger: what the rows must hold."""
    computed = defaultdict(lambda: (0, 0))
    held = (
        UnitBlock.objects.values("account__kind", "authorization_status", "vintage", "activity_id")
        .annotate(units=Sum(F("serial_end") - F("serial_start") + 1))
        .order_by()
    )
    for row in held:
        key = (row["account__kind"], row["authorization_status"], row["vintage"], shard_of(row["activity_id"]))
        computed[key] = (computed[key][0] + row["units"], computed[key][1])
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
        computed[key] = (computed[key][0], computed[key][1] + row["units"])
    return {key: value for key, value in computed.items() if value != (0, 0)}


def totals_stored():
    return {
        tuple(row[k] for k in KEY): (row["units"], row["issued"])
        for row in RegistryTotal.objects.values(*KEY, "units", "issued")
        if (row["units"], row["issued"]) != (0, 0)
    }


def totals_differences():
    """[(key, stored, computed)] where the maintained rows and the ledger disagree."""
    stored, computed = totals_stored(), totals_compute()
    return [
        (key, stored.get(key, (0, 0)), computed.get(key, (0, 0)))
        for key in sorted(set(stored) | set(computed))
        if stored.get(key, (0, 0)) != computed.get(key, (0, 0))
    ]


def totals_rebuild():
    """Replace the maintained rows with the recomputed ones (the caller holds a transaction)."""
    computed = totals_compute()
    RegistryTotal.objects.all().delete()
    RegistryTotal.objects.bulk_create(
        [RegistryTotal(**dict(zip(KEY, key, strict=True)), units=units, issued=issued)
         for key, (units, issued) in sorted(computed.items())]
    )


"""The maintained totals of the registry (models.RegistryTotal; pacm issue 8).

Every ledger move adds its deltas in one statement, in the move's transaction; the rows are
written in key order so two moves never lock them crosswise. `totals_compute` recomputes them
from the blocks and the ledger for the reconciliation command.
"""
from collections import defaultdict

from django.db import connection
from django.db.models import F, Sum

from ..models import TOTAL_SHARDS, RegistryTotal, TransactionKind, UnitBlock

KEY = ("account_kind", "authorization_status", "vintage", "shard")


def shard_of(activity_id):
    return activity_id % TOTAL_SHARDS


def totals_add(deltas):
    """Add {(account kind, status, vintage, shard): (units, issued)} to the maintained rows."""
    rows = sorted((key, value) for key, value in deltas.items() if value != (0, 0))
    if not rows:
        return
    table = connection.ops.quote_name(RegistryTotal._meta.db_table)
    values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(rows))
    params = [p for key, (units, issued) in rows for p in (*key, units, issued)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (account_kind, authorization_status, vintage, shard, units, issued) VALUES {values} "
            "ON CONFLICT (account_kind, authorization_status, vintage, shard) DO UPDATE SET "
            f"units = {table}.units + excluded.units, issued = {table}.issued + excluded.issued",
            params,
        )


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


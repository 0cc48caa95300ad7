"""The bare-SQL floor (bench/floor.py) writes exactly the rows pacm writes (pacm issue 8).

PostgreSQL only (the floor uses writing CTEs); `make test-services` runs it. Each case starts pacm
and the floor from the same state (a savepoint rolled back between them) and compares every row of
every table either writes, with the row ids replaced by what identifies the row (an activity,
vintage and serial for a block; the kind, key, accounts and quantity for a transaction). Ignored,
because they must differ: the ids themselves (sequences do not roll back), the timestamps
(created_at, first_transferred_at, state_entered_at, issued_at: only whether they are set is
compared), the events' hashes and previous hashes (they cover created_at: each chain is verified
instead), and the transfer event's `transaction` id.
"""
from collections import Counter

import pytest
from django.db import connection, transaction

from bench import floor, world
from pacm.events.models import Event
from pacm.events.services import chain_verify
from pacm.registry.models import (
    Account,
    AccountBalance,
    AccountHolding,
    AccountKind,
    LedgerEntry,
    LedgerTransaction,
    RegistryTotal,
    SerialCounter,
    UnitBlock,
)
from pacm.registry.services import units_transfer
from pacm.registry.services.accounts import account_actor
from projects.cycle import PeriodState
from projects.models import IssuanceRequest, MonitoringPeriod
from projects.services.issuance import issuance_process

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the floor is PostgreSQL SQL (DATABASE_URL)"),
]


def _block_key(block_id, blocks):
    b = blocks[block_id]
    return (b.activity_id, b.vintage, b.serial_start)


def rows_dump():
    """Every row of the tables an issuance or a transfer writes, ids replaced by natural keys."""
    blocks = {b.pk: b for b in UnitBlock.objects.all()}
    txns = {t.pk: t for t in LedgerTransaction.objects.all()}

    def txn_key(t):
        return (t.kind, t.issuance_id, t.from_account_id, t.to_account_id, t.quantity, t.first_transfer,
                t.corresponding_adjustment, t.purpose, t.beneficiary, t.actor_label, t.idempotency_key)

    events = []
    for e in Event.objects.all():
        payload = {k: v for k, v in e.payload.items() if not (e.kind == "registry.units_moved" and k == "transaction")}
        events.append((e.stream, e.sequence, e.kind, e.activity_id, e.actor_id, e.actor_label, e.organisation_id,
                       e.role, e.from_state, e.to_state, e.comment, repr(sorted(payload.items()))))
    return {
        "blocks": Counter(
            (b.activity_id, b.vintage, b.serial_start, b.serial_end, b.account_id, b.authorization_status,
             b.first_transfer_definition, b.first_transferred, b.first_transferred_at is None, b.issuance_id,
             _block_key(b.parent_id, blocks) if b.parent_id else None, b.host_party_id)
            for b in blocks.values()),
        "transactions": Counter(txn_key(t) for t in txns.values()),
        "entries": Counter(
            (txn_key(txns[e.transaction_id]), _block_key(e.block_id, blocks), e.vintage, e.serial_start, e.serial_end,
             e.first_transfer) for e in LedgerEntry.objects.all()),
        "serial_counters": Counter(SerialCounter.objects.values_list("activity_id", "vintage", "next_serial")),
        "totals": Counter(RegistryTotal.objects.exclude(units=0, issued=0, first_transferred=0).values_list(
            "account_kind", "authorization_status", "vintage", "shard", "units", "issued", "first_transferred")),
        "balances": Counter(AccountBalance.objects.exclude(units=0).values_list("account_id", "shard", "units")),
        "holdings": Counter(AccountHolding.objects.exclude(units=0).values_list(
            "account_id", "activity_id", "vintage", "authorization_status", "first_transferred", "negligible_risk",
            "component_key", "component_id", "units")),
        "events": Counter(events),
        "requests": Counter(
            (r.pk, r.rule_set_id, r.gross, r.share_of_proceeds, r.omge, r.buffer, r.net, r.issued_at is None)
            for r in IssuanceRequest.objects.all()),
        "periods": Counter(MonitoringPeriod.objects.values_list("pk", "state", "due_at")),
        "chains": sorted(p for stream in Event.objects.values_list("stream", flat=True).distinct()
                         for p in chain_verify(stream)),
    }


def both(pacm_call, floor_call):
    """What each writes from the same starting state: (pacm's rows, the floor's rows)."""
    dumps = []
    for call in (pacm_call, floor_call):
        point = transaction.savepoint()
        call()
        dumps.append(rows_dump())
        transaction.savepoint_rollback(point)
    return dumps


def assert_same(ours, floors):
    for table in ours:
        assert ours[table] == floors[table], (table, ours[table] - floors[table], floors[table] - ours[table])


@pytest.fixture
def snapshot(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    world.world_build(activities=8, issuances=24, seed=11)
    return list(MonitoringPeriod.objects.filter(state=PeriodState.ISSUING).order_by("pk").values_list("pk", flat=True))


def test_the_floor_issues_the_rows_pacm_issues(snapshot):
    statuses = set()
    for period_id in snapshot:
        ours, floors = both(lambda: issuance_process(period_id=period_id), lambda: floor.floor_issue(period_id))
        assert_same(ours, floors)
        assert ours["chains"] == []
        # Then issue it for real, so the next periods start from a registry with history.
        issuance_process(period_id=period_id)
        statuses |= set(UnitBlock.objects.filter(issuance__period_id=period_id).values_list(
            "authorization_status", flat=True))
    assert {"ndc", "oimp", "mc"} <= statuses  # every kind of tranche was compared


def test_the_floor_transfers_the_rows_pacm_transfers(snapshot):
    for period_id in snapshot:
        issuance_process(period_id=period_id)
    holding = list(Account.objects.filter(kind=AccountKind.HOLDING, organisation__isnull=False)
                   .select_related("organisation").order_by("pk"))
    funded = [a for a in holding if UnitBlock.objects.filter(account=a).exists()]
    from django.contrib.auth import get_user_model

    cases = 0
    for source in funded[:6]:
        user = get_user_model().objects.get(username=f"bench-ap-{source.organisation_id}")
        actor = account_actor(user=user, account=source, what="transfer units")
        first = UnitBlock.objects.filter(account=source).order_by("activity_id", "vintage", "serial_start").first()
        # Another Party's account (an NDC unit's first transfer), then the same Party's.
        foreign = next(a for a in holding if a.organisation.party_id != source.organisation.party_id)
        home = next((a for a in holding if a.pk != source.pk and a.organisation.party_id == source.organisation.party_id),
                    foreign)
        for target, quantity in ((foreign, max(1, first.quantity // 2)), (home, first.quantity),
                                 (foreign, first.quantity + 1)):
            held = sum(b.quantity for b in UnitBlock.objects.filter(account=source))
            if quantity > held:
                continue
            ours, floors = both(
                lambda: units_transfer(user=user, from_account=source, to_account=target, quantity=quantity),
                lambda: floor.floor_transfer(user_id=user.pk, actor=(actor.name, actor.organisation.pk, str(actor.role)),
                                             source_id=source.pk, target_id=target.pk, quantity=quantity),
            )
            assert_same(ours, floors)
            cases += 1
    assert cases >= 6

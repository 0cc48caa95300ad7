"""Phase "floor": pacm's issuance and transfer against the bare-SQL floor (bench/floor.py; pacm issue 8).

On its own PostgreSQL database (`make bench-floor`, or the last step of `make bench`): a small
snapshot (bench/world.py) of issuing periods, then, per account size (the accounts an issuance
forwards to, and a transfer's source, hold 10 or 100,000 blocks before the run), pairs of calls
alternating pacm and the floor (pacm first in even pairs, the floor first in odd ones), each call
timed and its SQL statements counted. The ratio of a pair is pacm's time over the floor's; the
figures are the medians of the paired ratios (`issuance_floor_ratio`, `transfer_floor_ratio`).

Both sides run with notifications off: pacm sends them after its commit, in a task of its own,
which the floor does not emulate. pacm's issuance is the whole task transaction
(`issuance_process`: locks, split, ledger, request, period, events); its transfer is
`units_transfer`.
"""
import random
import statistics
import time
from unittest import mock

from django.contrib.auth import get_user_model
from django.db import connection, transaction

from pacm.registry.models import TOTAL_SHARDS, Account, AccountKind
from projects.cycle import PeriodState
from projects.models import DistributionLine, MonitoringPeriod

from . import floor, world
from .stats import percentile, queries_counted

SIZES = (10, 100_000)
# Units per filler block: large, so a run never empties the first blocks and each account keeps its
# number of blocks (a transfer splits the block at the front: one range moved, the block shrinks).
FILLER_UNITS = 10_000_000


def _fill(*, account, activity, vintage, blocks):
    """`blocks` blocks of FILLER_UNITS units of one activity and vintage into `account`, in one statement,
    with the account's maintained balance (the registry's totals are not this phase's concern)."""
    request_id = MonitoringPeriod.objects.filter(activity_id=activity.pk).values_list("issuance__pk", flat=True).first()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO registry_unitblock (activity_id, host_party_id, vintage, issuance_id, serial_start, serial_end, "
            "account_id, authorization_status, first_transfer_definition, first_transferred, created_at, negligible_risk) "
            "SELECT %s, %s, %s, %s, 1 + (i - 1) * %s::bigint, i * %s::bigint, %s, 'mc', '', false, now(), false "
            "FROM generate_series(1::bigint, %s::bigint) i",
            [activity.pk, activity.host_party_id, vintage, request_id, FILLER_UNITS, FILLER_UNITS, account.pk, blocks],
        )
        cursor.execute(
            "INSERT INTO registry_accountbalance AS b (account_id, shard, units) VALUES (%s, %s, %s) "
            "ON CONFLICT (account_id, shard) DO UPDATE SET units = b.units + excluded.units",
            [account.pk, activity.pk % TOTAL_SHARDS, blocks * FILLER_UNITS],
        )
        # And its holding group (models.AccountHolding), which every move of these blocks updates.
        cursor.execute(
            "INSERT INTO registry_accountholding AS g (account_id, activity_id, vintage, authorization_status, "
            "first_transferred, negligible_risk, component_key, component_id, units) "
            "VALUES (%s, %s, %s, 'mc', false, false, 0, NULL, %s) "
            "ON CONFLICT (account_id, activity_id, vintage, authorization_status, first_transferred, negligible_risk, "
            "component_key) DO UPDATE SET units = g.units + excluded.units",
            [account.pk, activity.pk, vintage, blocks * FILLER_UNITS],
        )


def _timed(call):
    with queries_counted() as counted:
        t0 = time.perf_counter()
        call()
        seconds = time.perf_counter() - t0
    return seconds, counted[0]


def _pairs(calls, *, warmup):
    """[(pacm seconds, pacm statements, floor seconds, floor statements)] for [(pacm call, floor call)]."""
    rows = []
    for i, (ours, theirs) in enumerate(calls):
        if i % 2 == 0:
            a, b = _timed(ours), _timed(theirs)
        else:
            b, a = _timed(theirs), _timed(ours)
        if i >= warmup:
            rows.append((a[0], a[1], b[0], b[1]))
    return rows


def _summary(rows):
    ratios = [a / b for a, _, b, _ in rows]

    def ms(values, q):
        return round(percentile(values, q) * 1000, 2)

    return {
        "pairs": len(rows),
        "pacm_p50_ms": ms([r[0] for r in rows], 50), "pacm_p95_ms": ms([r[0] for r in rows], 95),
        "floor_p50_ms": ms([r[2] for r in rows], 50), "floor_p95_ms": ms([r[2] for r in rows], 95),
        "pacm_statements": statistics.median(r[1] for r in rows),
        "floor_statements": statistics.median(r[3] for r in rows),
        "ratio_median": round(statistics.median(ratios), 2),
        "ratio_p25": round(percentile(ratios, 25), 2), "ratio_p75": round(percentile(ratios, 75), 2),
    }


def floor_run(*, issuance_pairs=60, transfer_pairs=200, seed=64, warmup=5):
    """Build the snapshot, measure both write paths against the floor at each account size."""
    from pacm.registry.services import units_transfer
    from pacm.registry.services.accounts import account_actor
    from projects.services.issuance import issuance_process

    from .vrod import projects_load, retired_volumes

    retired = [q for q in retired_volumes(projects_load()) if q < FILLER_UNITS // 100]
    per_size = issuance_pairs * 2 + warmup * 2
    built = world.world_build(activities=40, issuances=per_size * len(SIZES), seed=seed)
    periods = list(MonitoringPeriod.objects.filter(state=PeriodState.ISSUING).order_by("pk")
                   .values_list("pk", flat=True))
    random.Random(seed).shuffle(periods)
    holding = list(Account.objects.filter(kind=AccountKind.HOLDING, organisation__isnull=False)
                   .select_related("organisation").order_by("pk"))
    users = {u.username: u for u in get_user_model().objects.filter(username__startswith="bench-ap-")}
    filler = MonitoringPeriod.objects.select_related("activity").first().activity
    result = {"snapshot": {"activities": built["activities"], "periods": built["periods"]},
              "filler_units_per_block": FILLER_UNITS, "issuance": {}, "transfer": {}}
    with mock.patch("pacm.engine.notify.notify_on_commit"):
        for n, size in enumerate(SIZES):
            # Issuance: every line of the measured periods forwards into one account holding `size` blocks.
            target = holding[2 * n]
            _fill(account=target, activity=filler, vintage=1990 + n, blocks=size)
            mine = periods[n * per_size:(n + 1) * per_size]
            DistributionLine.objects.filter(request__period_id__in=mine).update(account=target)
            calls = [(lambda p=mine[2 * i]: issuance_process(period_id=p), lambda p=mine[2 * i + 1]: floor.floor_issue(p))
                     for i in range(len(mine) // 2)]
            result["issuance"][f"{size} blocks"] = _summary(_pairs(calls, warmup=warmup))
            # Transfer: out of an account holding `size` blocks, to another holder, of a real retirement's size.
            source = next(a for a in holding[2 * len(SIZES):] if f"bench-ap-{a.organisation_id}" in users
                          and a.pk not in result["transfer"].get("sources", []))
            result["transfer"].setdefault("sources", []).append(source.pk)
            to = holding[2 * n + 1]
            _fill(account=source, activity=filler, vintage=1995 + n, blocks=size)
            user = users[f"bench-ap-{source.organisation_id}"]
            actor = account_actor(user=user, account=source, what="transfer units")
            who = (actor.name, actor.organisation.pk, str(actor.role))
            rng = random.Random(seed + n)
            quantities = [rng.choice(retired) for _ in range(transfer_pairs + warmup)]
            calls = [(lambda q=q: units_transfer(user=user, from_account=source, to_account=to, quantity=q),
                      lambda q=q: floor.floor_transfer(user_id=user.pk, actor=who, source_id=source.pk,
                                                       target_id=to.pk, quantity=q))
                     for q in quantities]
            result["transfer"][f"{size} blocks"] = _summary(_pairs(calls, warmup=warmup))
    result["transfer"].pop("sources")
    result["issuance_floor_ratio"] = max(s["ratio_median"] for s in result["issuance"].values())
    result["transfer_floor_ratio"] = max(s["ratio_median"] for s in result["transfer"].values())
    return result

"""Phase 3: transfers between participants' holding accounts through `units_transfer`.

Each caller owns a share of the source accounts (an account holder acts on their own
accounts), sends to any other holding account, and draws each quantity from the real yearly
retirement volumes of the VROD projects, capped at what the source holds. Every call is timed
and its SQL statements counted. On PostgreSQL several processes call at once.
"""
import multiprocessing
import random
import time
from concurrent.futures import ProcessPoolExecutor

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import F, Sum

from pacm.common.errors import ServiceError
from pacm.registry.models import Account, AccountKind, UnitBlock

from .caller import transfer_caller
from .stats import percentile, progress, queries_counted, summary

REFRESH_EVERY = 500
RANGE_BUCKETS = (("1 range", 1, 1), ("2-9 ranges", 2, 9), ("10-99 ranges", 10, 99), ("100+ ranges", 100, 10**9))


def _balances(accounts):
    rows = (UnitBlock.objects.filter(account__in=accounts).values("account_id")
            .annotate(n=Sum(F("serial_end") - F("serial_start") + 1)))
    held = {a.pk: 0 for a in accounts}
    held.update({r["account_id"]: r["n"] for r in rows})
    return held


def transfer_loop(*, index, callers, count, seed, sizes):
    """One caller's share of the transfers; returns its timings and what went wrong, if anything."""
    from pacm.registry.services import units_transfer

    rng = random.Random(seed * 1000 + index)
    holding = list(Account.objects.filter(kind=AccountKind.HOLDING, organisation__isnull=False)
                   .select_related("organisation").order_by("pk"))
    users = {u.username: u for u in get_user_model().objects.filter(username__startswith="bench-ap-")}
    mine = [a for a in holding if a.pk % callers == index and f"bench-ap-{a.organisation_id}" in users]
    seconds, queries, ranges, errors = [], [], [], {}
    held = {}
    started = time.perf_counter()
    for i in range(count):
        if i % REFRESH_EVERY == 0:
            held = _balances(mine)
        funded = [a for a in mine if held[a.pk] > 0]
        if not funded:  # what the other callers sent in since the last look
            held = _balances(mine)
            funded = [a for a in mine if held[a.pk] > 0]
        if not funded:
            errors["no units left in this caller's accounts"] = count - i
            break
        source = rng.choice(funded)
        target = rng.choice(holding)
        while target.pk == source.pk:
            target = rng.choice(holding)
        quantity = min(rng.choice(sizes), held[source.pk])
        try:
            with queries_counted() as counted:
                t0 = time.perf_counter()
                row = units_transfer(user=users[f"bench-ap-{source.organisation_id}"], from_account=source,
                                     to_account=target, quantity=quantity)
                seconds.append(time.perf_counter() - t0)
            queries.append(counted[0])
            ranges.append(len(row.ranges))
            progress(f"transfers (caller {index + 1}/{callers})", len(seconds), count, started)
            held[source.pk] -= quantity
            if target.pk in held:
                held[target.pk] += quantity
        except ServiceError as error:  # Refused is a ServiceError too
            errors[error.message[:120]] = errors.get(error.message[:120], 0) + 1
        except Exception as error:  # a database error: counted and reported, never hidden
            key = f"{type(error).__name__}: {str(error)[:100]}"
            errors[key] = errors.get(key, 0) + 1
    wall = time.perf_counter() - started
    return {"seconds": seconds, "queries": queries, "ranges": ranges, "errors": errors, "wall": wall,
            "sources": len(mine)}


def transfers_run(*, count, callers, seed, sizes):
    """`count` transfers from `callers` processes (1 = in this process); the combined figures."""
    started = time.perf_counter()
    if callers == 1:
        parts = [transfer_loop(index=0, callers=1, count=count, seed=seed, sizes=sizes)]
    else:
        connection.close()
        shares = [count // callers + (1 if i < count % callers else 0) for i in range(callers)]
        jobs = [{"index": i, "callers": callers, "count": n, "seed": seed, "sizes": sizes}
                for i, n in enumerate(shares)]
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=callers, mp_context=context) as pool:
            parts = list(pool.map(transfer_caller, jobs))
    wall_with_startup = time.perf_counter() - started
    # Throughput over the callers' own loops (the slowest one), without process start-up.
    wall = max(p["wall"] for p in parts)
    seconds = [s for p in parts for s in p["seconds"]]
    queries = [q for p in parts for q in p["queries"]]
    ranges = [r for p in parts for r in p["ranges"]]
    errors = {}
    for p in parts:
        for k, v in p["errors"].items():
            errors[k] = errors.get(k, 0) + v
    return {
        "mode": "in this process, one after the other" if callers == 1 else
        f"{callers} processes at once, each on its own share of source accounts",
        "callers": callers,
        "all": summary(seconds, wall=wall, queries=queries),
        "serial_ranges_per_transfer": {"p50": percentile(ranges, 50), "p95": percentile(ranges, 95),
                                       "max": max(ranges) if ranges else None},
        # What a transfer's cost follows: the serial ranges (blocks) it moves, not its units.
        "by_ranges": {name: summary([s for s, r in zip(seconds, ranges, strict=True) if low <= r <= high],
                                    queries=[q for q, r in zip(queries, ranges, strict=True) if low <= r <= high])
                      for name, low, high in RANGE_BUCKETS},
        "errors": errors,
        "per_caller_wall_s": [round(p["wall"], 1) for p in parts],
        "wall_with_startup_s": round(wall_with_startup, 1),
    }

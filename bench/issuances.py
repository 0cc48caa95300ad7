"""Phase 2: every issuing period of the snapshot through the real task `projects.tasks.issuance_run`.

Embedded default: Celery is eager, so `issuance_run.delay(pk)` runs `issuance_process` inline;
each call is timed and its SQL statements counted. PostgreSQL: all the tasks go to Redis at once
and a real worker (bench/worker.py) runs them; the run is timed from the first dispatch until the
database shows every period issued, and the worker reports each task's own time.
"""
import datetime
import json
import random
import time

from django.db.models import Count
from django.utils import timezone

from projects.cycle import PeriodState
from projects.models import IssuanceRequest, MonitoringPeriod

from .stats import progress, queries_counted, summary
from .world import BUCKETS, size_bucket

ISSUE_TASK = "projects.tasks.issuance_run"
STALL_SECONDS = 30
MAX_SWEEPS = 3


def _pending(seed):
    """The snapshot's issuing periods, in a shuffled order (issuances arrive from many activities)."""
    rows = list(MonitoringPeriod.objects.filter(state=PeriodState.ISSUING).order_by("pk")
                .values_list("pk", "issuance__units_requested"))
    random.Random(seed).shuffle(rows)
    return rows


def _mark_dispatched():
    """What `period_close_appeal_window` records when it dispatches the task."""
    IssuanceRequest.objects.filter(period__state=PeriodState.ISSUING).update(dispatched_at=timezone.now())


def _by_bucket(samples):
    """{bucket: summary} for [(units, seconds, queries)]."""
    result = {}
    for name, _, _ in BUCKETS:
        rows = [(s, q) for u, s, q in samples if size_bucket(u) == name]
        result[name] = summary([s for s, _ in rows], queries=[q for _, q in rows if q is not None])
    return result


def issuances_eager(*, seed):
    """Embedded default: one `issuance_run.delay(pk)` after the other, each timed."""
    from projects.tasks import issuance_run

    rows = _pending(seed)
    _mark_dispatched()
    samples, outcomes = [], {}
    started = time.perf_counter()
    for n, (pk, units) in enumerate(rows, start=1):
        with queries_counted() as queries:
            t0 = time.perf_counter()
            result = issuance_run.delay(pk)
            seconds = time.perf_counter() - t0
        outcome = result.result
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        samples.append((units, seconds, queries[0]))
        progress("issuances", n, len(rows), started)
    wall = time.perf_counter() - started
    return {
        "mode": "Celery eager: issuance_run.delay(pk) in a loop, in this process",
        "outcomes": outcomes,
        "all": summary([s for _, s, _ in samples], wall=wall, queries=[q for _, _, q in samples]),
        "by_size": _by_bucket(samples),
    }


def issuances_worker(*, seed, redis_client, queue, timings_key):
    """PostgreSQL + Redis: dispatch every task, then wait for the worker to issue them all."""
    from projects.services.issuance import issuances_sweep
    from projects.tasks import issuance_run

    rows = _pending(seed)
    units_of = dict(rows)
    issued_before = MonitoringPeriod.objects.filter(state=PeriodState.ISSUED).count()
    target = issued_before + len(rows)
    redis_client.delete(timings_key)
    _mark_dispatched()
    dispatched_at = {}
    started, t_started = time.time(), time.perf_counter()
    for pk, _ in rows:
        dispatched_at[pk] = time.time()
        issuance_run.delay(pk)
    dispatch_seconds = time.time() - started
    curve, sweeps, last_change, last_count = [], [], time.time(), -1
    shown = 0
    while True:
        issued = MonitoringPeriod.objects.filter(state=PeriodState.ISSUED).count()
        now = time.time()
        if issued != last_count:
            last_change, last_count = now, issued
            curve.append((round(now - started, 1), issued - issued_before))
            if (issued - issued_before) * 10 // len(rows) > shown:
                shown = (issued - issued_before) * 10 // len(rows)
                progress("issued by the worker", shown * (len(rows) // 10), len(rows), t_started)
        if issued >= target:
            break
        stalled = now - last_change > STALL_SECONDS and redis_client.llen(queue) == 0
        if stalled:
            if len(sweeps) >= MAX_SWEEPS:
                break
            # What the beat's sweeper does every 5 minutes: re-dispatch periods left issuing.
            swept = issuances_sweep(older_than=datetime.timedelta(0))
            sweeps.append({"at_s": round(now - started, 1), "redispatched": len(swept)})
            last_change = time.time()
        time.sleep(0.5)
    finished = time.time()
    wall = finished - started
    # The notifications each issuance queued behind the other issuances: let the worker finish
    # them here, so they are counted with the issuances and do not run during the transfers.
    while redis_client.llen(queue) or redis_client.hlen("unacked"):
        time.sleep(0.5)
    drained = time.time() - finished
    states = dict(MonitoringPeriod.objects.filter(pk__in=units_of).values_list("state").annotate(n=Count("pk")))
    timings = [json.loads(x) for x in redis_client.lrange(timings_key, 0, -1)]
    issue_runs = [t for t in timings if t["task"] == ISSUE_TASK]
    failures = [t for t in issue_runs if t["state"] != "SUCCESS"]
    last_ok = {}
    for t in issue_runs:
        if t["state"] == "SUCCESS" and t["result"] == "'issued'":
            last_ok[t["arg"]] = t
    samples = [(units_of[pk], t["seconds"], t["queries"]) for pk, t in last_ok.items() if pk in units_of]
    issued_at = dict(IssuanceRequest.objects.filter(period_id__in=units_of, issued_at__isnull=False)
                     .values_list("period_id", "issued_at"))
    end_to_end = [issued_at[pk].timestamp() - dispatched_at[pk] for pk in issued_at]
    others = {}
    for t in timings:
        if t["task"] != ISSUE_TASK:
            others.setdefault(t["task"], []).append(t["seconds"])
    return {
        "mode": "real Celery worker (prefork, concurrency 2) on Redis; all tasks dispatched at once",
        "dispatch_seconds": round(dispatch_seconds, 2),
        "queue_drained_after_s": round(drained, 1),
        "states_after": states,
        "sweeps": sweeps,
        "progress": curve[:: max(1, len(curve) // 60)],
        "all": {**summary([s for _, s, _ in samples], queries=[q for _, _, q in samples]),
                "wall_s": round(wall, 2),
                "per_s": round((len(issued_at)) / wall, 1) if wall else None},
        "by_size": _by_bucket(samples),
        "queued_to_issued": summary(end_to_end),
        "task_runs": len(issue_runs),
        "task_failures": len(failures),
        "failure_examples": sorted({f["result"] for f in failures})[:5],
        "failed_then_swept": len({f["arg"] for f in failures} & set(last_ok)),
        "other_tasks": {name: summary(values) for name, values in others.items()},
    }

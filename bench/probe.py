#!/usr/bin/env python
"""Probe: periods of one activity issued at the same time by a real worker (PostgreSQL + Redis).

    python bench/probe.py [--activities 50 --periods 8]

In the main workload (bench/world.py) periods are 12-month windows starting on any day, so two
periods of an activity share a vintage year and the serial counter's row lock makes their
issuances wait for each other. Calendar-year periods share none. This probe gives each period
one vintage of its own (2021, 2022, ...), dispatches every `issuance_run` in activity order to a
2-process worker, and counts the tasks that fail. Database pacm_bench_probe (recreated), Redis
db 2; writes bench/results/probe.json; exits 1 when a task failed.
"""
import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import backends  # noqa: E402

WAIT_SECONDS = 300


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--activities", type=int, default=50)
    parser.add_argument("--periods", type=int, default=8, help="periods per activity")
    args = parser.parse_args(argv)
    workdir = tempfile.mkdtemp(prefix="pacm-bench-probe-")
    url = backends.PG_URL.rsplit("/", 1)[0] + "/pacm_bench_probe"
    backends.environment_prepare(backend=backends.POSTGRES, workdir=workdir, database_url=url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from bench.world import world_build
    from projects.cycle import PeriodState
    from projects.models import MonitoringPeriod, VintageClaim
    from projects.tasks import issuance_run

    call_command("migrate", verbosity=0, interactive=False)
    world_build(activities=args.activities, issuances=args.activities * args.periods)
    with transaction.atomic():  # one vintage per period, none shared within an activity
        for period in MonitoringPeriod.objects.select_related("issuance"):
            VintageClaim.objects.filter(period=period).delete()
            units = period.issuance.units_requested
            VintageClaim.objects.create(period=period, vintage=2020 + period.number, claimed=units, verified=units)
    client = backends.redis_client()
    worker = backends.worker_start(log_path=Path(workdir) / "worker.log")
    try:
        ids = list(MonitoringPeriod.objects.order_by("activity_id", "number").values_list("pk", flat=True))
        for pk in ids:
            issuance_run.delay(pk)
        started = time.time()
        while client.llen(backends.QUEUE) or client.hlen("unacked"):
            if time.time() - started > WAIT_SECONDS:
                break
            time.sleep(0.5)
    finally:
        backends.worker_stop(worker)
    timings = [json.loads(x) for x in client.lrange(backends.TIMINGS_KEY, 0, -1)]
    failures = [t for t in timings if t["task"] == "projects.tasks.issuance_run" and t["state"] != "SUCCESS"]
    result = {
        "activities": args.activities, "periods": len(ids),
        "issued": MonitoringPeriod.objects.filter(state=PeriodState.ISSUED).count(),
        "left_issuing": MonitoringPeriod.objects.filter(state=PeriodState.ISSUING).count(),
        "task_failures": len(failures),
        "failure_examples": sorted({f["result"] for f in failures})[:3],
        "finished_at": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }
    backends.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (backends.RESULTS_DIR / "probe.json").write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))
    shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failures or result["left_issuing"] else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python
"""`make bench`: a CDM-scale workload through pacm's real write path (docs/benchmarks.md).

    python bench/run.py                       # both backends, full scale, one after the other
    python bench/run.py --backend sqlite      # the embedded default: a temporary SQLite file, Celery eager
    python bench/run.py --backend postgres    # PostgreSQL (pacm_bench, recreated) + Redis db 2 + a real worker
    python bench/run.py --quick               # 10x smaller, a smoke check
    python bench/run.py --scale 0.5           # half the workload
    python bench/run.py --activities 5000 --issuances 20000 --transfers 100000 --cycle 50
    python bench/run.py --floor-only          # only pacm's issuance and transfer against the bare-SQL floor

Phases: the world is loaded as a snapshot (bench/world.py); then a full-cycle sample through
every service (bench/cycle.py), a year of the SB's business plan (registrations, issuance requests,
PoA registrations, CP inclusions, PoA issuances: bench/business_plan.py), every issuance through the real task (bench/issuances.py),
transfers through `units_transfer` (bench/transfers.py), and the registry's invariants
(bench/checks.py). Prints a table and writes bench/results/<backend>.json (full workload;
other scales get a suffix: -quick, -scale0.5, -custom). Then, on a PostgreSQL database of its own
(pacm_bench_floor), pacm's issuance and transfer against the bare-SQL floor (bench/against_floor.py),
written to bench/results/floor.json, its two ratios also into postgres.json.
"""
import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The write path without the PDF documents rendered after each commit (projects.certificates: a worker's job).
os.environ.setdefault("PACM_CERTIFICATES_ON_COMMIT", "false")
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import backends  # noqa: E402

RESULTS = ROOT / "bench" / "results"
FULL = {"activities": 5000, "issuances": 20000, "transfers": 100000, "cycle": 50}
QUICK_FACTOR = 10
LABELS = {backends.SQLITE: "embedded default: SQLite file, Celery eager",
          backends.POSTGRES: "PostgreSQL + Redis + a real Celery worker"}


def arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=[backends.SQLITE, backends.POSTGRES, "both"], default="both")
    parser.add_argument("--quick", action="store_true", help="10x smaller, a smoke check (same as --scale 0.1)")
    parser.add_argument("--scale", type=float, default=1.0, help="a fraction of the full workload, e.g. 0.5")
    for name, value in FULL.items():
        parser.add_argument(f"--{name}", type=int, default=None, help=f"default {value:,} x scale")
    parser.add_argument("--transfer-callers", type=int, default=None,
                        help="processes calling units_transfer at once (default: 1 on SQLite, 4 on PostgreSQL)")
    parser.add_argument("--seed", type=int, default=64)
    parser.add_argument("--plan-year", type=int, choices=(2026, 2027), default=2026,
                        help="the business plan's year whose forecast volumes run (bench/data/business_plan_2026_2027.yaml)")
    parser.add_argument("--no-chain-check", action="store_true", help="skip recomputing every event chain")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (SQLite file, worker log)")
    parser.add_argument("--floor-only", action="store_true",
                        help="only the write path against the bare-SQL floor (PostgreSQL, database pacm_bench_floor)")
    parser.add_argument("--merge", action="store_true", help=argparse.SUPPRESS)  # floor ratios into postgres.json
    parser.add_argument("--plan-only", action="store_true",
                        help="the snapshot, the cycle sample and the business-plan year only (no bulk issuances or transfers)")
    parser.add_argument("--no-floor", action="store_true", help="skip the floor phase after both backends")
    parser.add_argument("--floor-issuance-pairs", type=int, default=60, help="pacm/floor issuance pairs per account size")
    parser.add_argument("--floor-transfer-pairs", type=int, default=200, help="pacm/floor transfer pairs per account size")
    args = parser.parse_args(argv)
    if args.quick:
        args.scale = 1 / QUICK_FACTOR
    for name, value in FULL.items():
        if getattr(args, name) is None:
            setattr(args, name, max(1, round(value * args.scale)))
    return args


def results_path(backend, args):
    """bench/results/<backend>.json for the full workload; another name for any other, so a
    smoke check never overwrites the figures docs/benchmarks.md quotes."""
    full = {name: round(value * args.scale) for name, value in FULL.items()}
    if args.plan_only:
        suffix = "-plan" if args.scale == 1 else f"-plan-scale{args.scale:g}"
    elif args.quick:
        suffix = "-quick"
    elif all(getattr(args, name) == value for name, value in full.items()):
        suffix = "" if args.scale == 1 else f"-scale{args.scale:g}"
    else:
        suffix = "-custom"
    return RESULTS / f"{backend}{suffix}.json"


def _log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _machine():
    cpu = next((line.split(":", 1)[1].strip() for line in subprocess.run(
        ["lscpu"], capture_output=True, text=True).stdout.splitlines() if line.startswith("Model name")), platform.processor())
    with open("/proc/meminfo") as handle:
        kib = int(next(line.split()[1] for line in handle if line.startswith("MemTotal")))
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(kib / 1024 / 1024, 1),
            "python": platform.python_version(), "platform": platform.platform(),
            "load_start": round(os.getloadavg()[0], 2)}


def _versions(backend):
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        if backend == backends.SQLITE:
            cursor.execute("SELECT sqlite_version()")
            database = f"SQLite {cursor.fetchone()[0]}"
        else:
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
    redis_version = None
    if backend == backends.POSTGRES:
        redis_version = f"Redis {backends.redis_client().info('server')['redis_version']}"
    return {"database": database, "redis": redis_version, "django": django.get_version()}


def run_one(args):
    """One backend, in this process (the settings are read once, from the environment)."""
    workdir = tempfile.mkdtemp(prefix=f"pacm-bench-{args.backend}-")
    phases, started = {}, time.perf_counter()
    machine = _machine()
    _log(f"{args.backend}: preparing {workdir}")
    backends.environment_prepare(backend=args.backend, workdir=workdir)

    import django

    django.setup()
    from django.core.management import call_command

    from bench import business_plan, checks, cycle, issuances, transfers, vrod, world

    def phase(name, call):
        _log(f"{args.backend}: {name} ...")
        t0 = time.perf_counter()
        value = call()
        phases[name] = round(time.perf_counter() - t0, 1)
        _log(f"{args.backend}: {name} done in {phases[name]} s (load {os.getloadavg()[0]:.2f})")
        return value

    phase("migrate", lambda: call_command("migrate", verbosity=0, interactive=False))
    machine.update(_versions(args.backend))
    built = phase("world snapshot", lambda: world.world_build(
        activities=args.activities, issuances=args.issuances, seed=args.seed))
    projects = vrod.projects_load()
    retired = vrod.retired_volumes(projects)
    annual = sorted(v for p in projects for v in p.issued)
    on_postgres = args.backend == backends.POSTGRES
    worker = None
    try:
        if on_postgres:
            worker = phase("worker start", lambda: backends.worker_start(log_path=Path(workdir) / "worker.log"))
        sample = phase("full cycle sample", lambda: cycle.cycle_run(
            activities=args.cycle, sizes=annual[:: max(1, len(annual) // 997)], worker=on_postgres))
        plan = phase("business plan year", lambda: business_plan.business_plan_run(
            year=args.plan_year, scale=args.scale, worker=on_postgres))
        issued = moved = None
        if args.plan_only:
            pass
        elif on_postgres:
            issued = phase("issuances", lambda: issuances.issuances_worker(
                seed=args.seed, redis_client=backends.redis_client(), queue=backends.QUEUE,
                timings_key=backends.TIMINGS_KEY))
        else:
            issued = phase("issuances", lambda: issuances.issuances_eager(seed=args.seed))
        if not args.plan_only:
            callers = args.transfer_callers or (4 if on_postgres else 1)
            moved = phase("transfers", lambda: transfers.transfers_run(
                count=args.transfers, callers=callers, seed=args.seed, sizes=retired))
    finally:
        if worker is not None:
            phase("worker stop", lambda: backends.worker_stop(worker))
    checked = phase("checks", lambda: checks.checks_run(chains=not args.no_chain_check))
    machine["load_end"] = round(os.getloadavg()[0], 2)
    result = {
        "backend": args.backend, "backend_label": LABELS[args.backend],
        "scale": f"{args.activities:,} activities / {args.issuances:,} issuances / {args.transfers:,} transfers"
                 f" / {args.cycle} full cycles" + (" (quick)" if args.quick else "")
                 + (" (plan only: the snapshot's issuances and the transfers not run)" if args.plan_only else ""),
        "arguments": vars(args), "finished_at": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "wall_s": round(time.perf_counter() - started, 1), "machine": machine, "phases": phases,
        "world": built, "cycle": sample, "business_plan": plan, "issuances": issued, "transfers": moved, "checks": checked,
        "data_source": "Haya et al., Berkeley Voluntary Registry Offsets Database v2025-12, CC BY-SA 4.0",
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = results_path(args.backend, args)
    path.write_text(json.dumps(result, indent=1, default=str) + "\n")
    from bench.report import report_text

    print(report_text(result), flush=True)
    if args.keep:
        _log(f"{args.backend}: kept {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    _log(f"{args.backend}: results in {path.relative_to(ROOT)}; total {result['wall_s']} s")
    return 0 if checked["ok"] else 1


FLOOR_RESULTS = RESULTS / "floor.json"


def run_floor(args):
    """pacm's issuance and transfer against the bare-SQL floor, alternating, on pacm_bench_floor."""
    workdir = tempfile.mkdtemp(prefix="pacm-bench-floor-")
    machine = _machine()
    url = backends.PG_URL.rsplit("/", 1)[0] + "/pacm_bench_floor"
    backends.environment_prepare(backend=backends.POSTGRES, workdir=workdir, database_url=url)
    for name in ("CELERY_BROKER_URL", "CELERY_TASK_DEFAULT_QUEUE"):
        os.environ.pop(name, None)  # nothing is sent: notifications are off in this phase
    import django

    django.setup()
    from django.core.management import call_command

    from bench.against_floor import floor_run

    _log("floor: migrate ...")
    call_command("migrate", verbosity=0, interactive=False)
    machine.update(_versions(backends.POSTGRES))
    _log("floor: snapshot and pairs ...")
    started = time.perf_counter()
    result = floor_run(issuance_pairs=args.floor_issuance_pairs, transfer_pairs=args.floor_transfer_pairs,
                       seed=args.seed)
    machine["load_end"] = round(os.getloadavg()[0], 2)
    result.update({"machine": machine, "wall_s": round(time.perf_counter() - started, 1),
                   "finished_at": time.strftime("%Y-%m-%d %H:%M:%S %Z")})
    RESULTS.mkdir(parents=True, exist_ok=True)
    FLOOR_RESULTS.write_text(json.dumps(result, indent=1, default=str) + "\n")
    postgres = results_path(backends.POSTGRES, args)
    if postgres.exists() and args.merge:
        merged = json.loads(postgres.read_text())
        merged.update({key: result[key] for key in ("issuance_floor_ratio", "transfer_floor_ratio")})
        merged["floor"] = {key: result[key] for key in ("issuance", "transfer")}
        postgres.write_text(json.dumps(merged, indent=1, default=str) + "\n")
    from bench.report import floor_text

    print(floor_text(result), flush=True)
    shutil.rmtree(workdir, ignore_errors=True)
    _log(f"floor: results in {FLOOR_RESULTS.relative_to(ROOT)}")
    return 0


def run_both(args, argv):
    """Each backend in its own process (settings come from the environment), then both tables."""
    from bench.report import report_text

    given, passthrough = list(argv if argv is not None else sys.argv[1:]), []
    while given:
        token = given.pop(0)
        if token == "--backend":
            given.pop(0)
        elif not token.startswith("--backend="):
            passthrough.append(token)
    status = 0
    for backend in (backends.SQLITE, backends.POSTGRES):
        results_path(backend, args).unlink(missing_ok=True)  # never print an older run's figures
        code = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--backend", backend, *passthrough],
                              cwd=ROOT).returncode
        status = status or code
    print("\n" + "=" * 100)
    for backend in (backends.SQLITE, backends.POSTGRES):
        path = results_path(backend, args)
        if path.exists():
            print("\n" + report_text(json.loads(path.read_text())))
    if not args.no_floor:
        status = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--floor-only", "--merge", *passthrough],
                                cwd=ROOT).returncode or status
    return status


def _stop_on_sigterm():
    """SIGTERM unwinds like Ctrl-C, so the `finally` that stops the worker still runs."""

    def handler(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, handler)


def main(argv=None):
    _stop_on_sigterm()
    args = arguments(argv)
    if args.floor_only:
        return run_floor(args)
    if args.backend == "both":
        return run_both(args, argv)
    return run_one(args)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python
"""`make bench-pages`: every page type under load, served as in production (docs/benchmarks.md "Pages").

    python bench/pages.py                          # the full world, then the 10% world (growth ratios)
    python bench/pages.py --scale 0.1 --duration 30 --growth-scale 0   # a quick smoke run
    python bench/pages.py --rebuild                # build the worlds again even if they exist

For each scale: the world (bench/pages_world.py) is built in a PostgreSQL database named by the
hash of its parameters, pacm_bench_pages_<hash>, or reused when a finished one is there; sessions
are written for one user per role; each page is opened alone a few times in this process with
Django's test client (its SQL statements, its bytes, its time alone); then gunicorn serves it
(GUNICORN_WORKERS workers, persistent connections, whitenoise, production settings on plain HTTP
on a free port) and locust runs headless (USERS users, 1-3 s think time, DURATION seconds) over
every page. Prints a table per page and writes bench/results/pages.json (full scale; other
scales pages-scale<s>.json) with p50, p95 and p99 in ms per page, and, with a growth scale, each
page's growth ratio: its time alone at full scale over its time alone at the smaller scale.
Everything it starts (gunicorn, locust, the builder processes) is stopped on exit, Ctrl-C or SIGTERM.
"""
import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import pages_world  # noqa: E402
from bench.run import _stop_on_sigterm  # noqa: E402

RESULTS = ROOT / "bench" / "results"
PG_BASE = os.environ.get("PACM_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pacm_bench").rsplit("/", 1)[0]
BIN = Path(sys.executable).parent
MEDIA_BASE = Path(tempfile.gettempdir()) / "pacm-bench-pages-media"
# What the issue names (pacm issue 8, "How it is measured"): every page type the bench must open.
PAGE_TYPES = (
    "public registry", "public registry filter", "public activity list", "activity page, long history",
    "activity page, typical", "dashboard", "account page", "account statement", "issuance preview",
)
ROLES = ("participant", "doe", "dna", "secretariat", "sb", "af")
BUDGET_P95_MS = 100
BUDGET_GROWTH = 1.5


def _log(message):
    print(f"[bench-pages {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="the world, as a fraction of the full one")
    parser.add_argument("--growth-scale", type=float, default=0.1,
                        help="the smaller world the growth ratios compare with (0: none)")
    parser.add_argument("--duration", type=int, default=180, help="seconds of load per scale")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("GUNICORN_WORKERS", "3")))
    parser.add_argument("--alone", type=int, default=5, help="times each page is opened alone (median kept)")
    parser.add_argument("--seed", type=int, default=64)
    parser.add_argument("--rebuild", action="store_true", help="build the world again even if it exists")
    parser.add_argument("--build-only", action="store_true", help="build (or find) the worlds, measure nothing")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # one scale, in this process
    return parser.parse_args(argv)


def results_path(scale):
    """pages.json for the full world; another name for any other, so a smoke run overwrites nothing."""
    return RESULTS / ("pages.json" if scale == 1 else f"pages-scale{scale:g}.json")


def raw_path(scale):
    return RESULTS / "pages-runs" / f"scale{scale:g}.json"


# --- The pages --------------------------------------------------------------------------------


def pages_plan(manifest, lookups):
    """Every page the load opens: [{name, type, method, path, role, data}]; role None = anonymous."""
    long, big = manifest["long"]["activity"], manifest["long"]["account"]
    period = f"/activities/{long}/periods/{manifest['long']['last_period']}/"

    def page(name, kind, path, role=None, method="GET", data=None):
        return {"name": name, "type": kind, "path": path, "role": role, "method": method, "data": data or {}}

    plan = [
        page("public registry", "public registry", "/registry/"),
        page("public registry, deep blocks page", "public registry", f"/registry/?blocks_after={lookups['block_deep']}"),
        page("public registry, deep issuances page", "public registry",
             f"/registry/?issuances_before={lookups['issuance_deep']}"),
        page("public registry, long activity", "public registry filter", f"/registry/?activity={long}"),
        page("public registry, typical activity", "public registry filter", f"/registry/?activity={lookups['typical']}"),
        page("public activity list", "public activity list", "/"),
        page("public activity list, search", "public activity list", "/?q=Replay"),
        page("public activity list, last page", "public activity list", "/?page=last"),
        page("activity page, long history (public)", "activity page, long history", f"/activities/{long}/"),
        page("activity page, long history (participant)", "activity page, long history", f"/activities/{long}/",
             role="long_participant"),
        page("activity page, typical (public)", "activity page, typical", f"/activities/{lookups['typical']}/"),
        page("activity page, typical (DNA)", "activity page, typical", f"/activities/{lookups['typical_dna']}/",
             role="dna"),
        page("period page, long activity (DOE)", "issuance preview", period, role="long_doe"),
        page("issuance preview (DOE)", "issuance preview", period + "issuance/", role="long_doe", method="POST",
             data=lookups["preview_data"]),
        *(page(f"dashboard ({role})", "dashboard", "/dashboard/", role=role) for role in ROLES),
        page("account page, 100k blocks", "account page", f"/registry/accounts/{big}/", role="long_participant"),
        page("account page, 100k blocks, deep blocks page", "account page",
             f"/registry/accounts/{big}/?blocks_after={lookups['big_block_deep']}", role="long_participant"),
        page("account statement, 100k blocks, deep page", "account statement",
             f"/registry/accounts/{big}/?before={lookups['big_statement_deep']}", role="long_participant"),
        page("account page, Adaptation Fund", "account page", f"/registry/accounts/{lookups['sop']}/", role="af"),
        page("account statement, Adaptation Fund, deep page", "account statement",
             f"/registry/accounts/{lookups['sop']}/?before={lookups['sop_statement_deep']}", role="af"),
        page("my accounts (participant)", "account page", "/registry/accounts/", role="participant"),
    ]
    return plan


def plan_lookups(manifest):
    """The keys the deep pages start from, the typical activity, the issuance preview's form."""
    from django.db.models import Q

    from pacm.registry.models import Account, AccountKind, LedgerTransaction, TransactionKind, UnitBlock
    from projects.models import Activity, MonitoringPeriod

    def at(queryset, fraction):
        keys = queryset.order_by("pk").values_list("pk", flat=True)
        n = keys.count()
        return keys[max(0, min(n - 1, int(n * fraction)))] if n else 1

    big = Account.objects.get(number=manifest["long"]["account"])
    sop = Account.objects.get(kind=AccountKind.SOP_ADAPTATION)
    dna_party = (Activity.objects.filter(host_party__organisations__memberships__user__username=manifest["users"]["dna"])
                 .values_list("reference", flat=True).order_by("pk"))
    typical = Activity.objects.filter(title__startswith="Replay of VROD").order_by("pk").values_list("reference", flat=True)
    period = MonitoringPeriod.objects.get(activity__reference=manifest["long"]["activity"],
                                          number=manifest["long"]["last_period"])
    return {
        "block_deep": at(UnitBlock.objects.all(), 0.9),
        "issuance_deep": at(LedgerTransaction.objects.filter(kind=TransactionKind.ISSUANCE), 0.1),
        "typical": typical[typical.count() // 2],
        "typical_dna": dna_party[dna_party.count() // 2],
        "big_block_deep": at(UnitBlock.objects.filter(account=big), 0.5),
        "big_statement_deep": at(LedgerTransaction.objects.filter(Q(from_account=big) | Q(to_account=big)), 0.5),
        "sop": sop.number,
        "sop_statement_deep": at(LedgerTransaction.objects.filter(Q(from_account=sop) | Q(to_account=sop)), 0.5),
        "preview_data": {
            "issue-units_requested": str(period.verified_total), "issue-omge_rate": "", "issue-comment": "",
            "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "1000", "lines-0-account": big.number, "lines-0-units": "",
            "lines-0-percent": "100", "preview": "1",
        },
    }


def sessions_create(usernames):
    """{role: session key}: a logged-in session per role, written straight into the session store."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    backend = "django.contrib.auth.backends.ModelBackend"
    assert backend in settings.AUTHENTICATION_BACKENDS
    User = get_user_model()
    keys = {}
    for role, username in usernames.items():
        user = User.objects.get(username=username)
        store = SessionStore()
        store[SESSION_KEY], store[BACKEND_SESSION_KEY] = str(user.pk), backend
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        keys[role] = store.session_key
    return keys


CSRF_SECRET = "b" * 32  # a CSRF secret of the bench's own, in the cookie and in the form


def cookies_for(page, sessions):
    cookies = {} if page["role"] is None else {"sessionid": sessions[page["role"]]}
    if page["method"] == "POST":
        cookies["csrftoken"] = CSRF_SECRET
    return cookies


def page_data(page):
    return {**page["data"], "csrfmiddlewaretoken": CSRF_SECRET} if page["method"] == "POST" else {}


def pages_alone(plan, sessions, repeats):
    """Each page opened alone with the test client: {name: {status, queries, bytes, alone_ms}}."""
    from django.test import Client

    from bench.stats import percentile, queries_counted

    measured = {}
    for page in plan:
        client = Client(enforce_csrf_checks=True)
        for name, value in cookies_for(page, sessions).items():
            client.cookies[name] = value

        def call():
            if page["method"] == "POST":
                return client.post(page["path"], page_data(page), HTTP_REFERER="http://testserver" + page["path"])
            return client.get(page["path"])

        call()  # warm: templates compiled, caches filled
        seconds, cpu = [], []
        with queries_counted() as queries:
            response = call()
        for _ in range(repeats):
            t0, c0 = time.perf_counter(), time.process_time()
            call()
            seconds.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        # Wall time alone, and this process's CPU time (Django's share, without the database's): on a
        # shared machine the wall time grows with the others' load, the CPU time much less.
        measured[page["name"]] = {"status": response.status_code, "queries": queries[0],
                                  "bytes": len(response.content), "alone_ms": round(percentile(seconds, 50) * 1000, 1),
                                  "cpu_ms": round(percentile(cpu, 50) * 1000, 1)}
        _log(f"  alone: {page['name']}: {measured[page['name']]}")
    return measured


# --- The server and the load ------------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Started:
    """The processes this run started, each in its own process group, stopped by their id."""

    def __init__(self):
        self.processes = []

    def start(self, command, *, env, log):
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT,
                                   start_new_session=True)
        self.processes.append(process)
        return process

    def stop(self, process, seconds=20):
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=seconds)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            except ProcessLookupError:
                pass
        if process in self.processes:
            self.processes.remove(process)

    def stop_all(self):
        for process in reversed(list(self.processes)):
            self.stop(process)


def server_start(started, *, port, workers, workdir):
    process = started.start(
        [str(BIN / "gunicorn"), "pacm.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--graceful-timeout", "10", "--timeout", "120", "--access-logfile", str(Path(workdir) / "access.log")],
        env=os.environ.copy(), log=Path(workdir) / "gunicorn.log")
    deadline = time.time() + 60
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited; see {workdir}/gunicorn.log")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as answer:
                if answer.status == 200:
                    return process
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("gunicorn did not answer within 60 s")


def load_run(started, *, port, plan, sessions, users, duration, workdir):
    """locust headless over the plan; returns [(name, ms, bytes, failed)]."""
    plan_file, samples_file = Path(workdir) / "plan.json", Path(workdir) / "samples.json"
    plan_file.write_text(json.dumps({"pages": [
        {"name": p["name"], "path": p["path"], "method": p["method"], "data": page_data(p),
         "cookies": cookies_for(p, sessions)} for p in plan]}))
    env = {**os.environ, "PACM_BENCH_PLAN": str(plan_file), "PACM_BENCH_SAMPLES": str(samples_file)}
    process = started.start(
        [str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "-u", str(users),
         "-r", str(users), "-t", f"{duration}s", "--host", f"http://127.0.0.1:{port}", "--only-summary",
         "--stop-timeout", "10", "--loglevel", "WARNING"],
        env=env, log=Path(workdir) / "locust.log")
    try:
        process.wait(timeout=duration + 120)
    finally:
        started.stop(process)
    return json.loads(samples_file.read_text()) if samples_file.exists() else []


def page_stats(plan, samples, alone, duration):
    """The row of each page: requests, failures, p50/p95/p99 (ms), SQL statements, bytes, time alone."""
    from bench.stats import percentile

    rows = {}
    for page in plan:
        mine = [s for s in samples if s[0] == page["name"]]
        times = [s[1] for s in mine]
        ok_bytes = [s[2] for s in mine if not s[3]]
        rows[page["name"]] = {
            "type": page["type"], "role": page["role"] or "public", "method": page["method"],
            "requests": len(mine), "failures": sum(1 for s in mine if s[3]),
            "p50": _round(percentile(times, 50)), "p95": _round(percentile(times, 95)),
            "p99": _round(percentile(times, 99)),
            "bytes": round(sum(ok_bytes) / len(ok_bytes)) if ok_bytes else alone[page["name"]]["bytes"],
            **{k: alone[page["name"]].get(k) for k in ("queries", "alone_ms", "cpu_ms", "status")},
        }
    return rows


def _round(value):
    return None if value is None else round(value, 1)


def growth_add(result, smaller):
    """Each page's time alone at this scale over its time alone at the smaller one (and the p50s)."""
    for name, row in result["pages"].items():
        other = smaller["pages"].get(name)
        if not other:
            continue
        row["growth"] = round(row["alone_ms"] / other["alone_ms"], 2) if other["alone_ms"] else None
        row["growth_cpu"] = round(row["cpu_ms"] / other["cpu_ms"], 2) if other.get("cpu_ms") and row.get("cpu_ms") else None
        row["growth_p50"] = round(row["p50"] / other["p50"], 2) if other.get("p50") and row.get("p50") else None
        row["alone_ms_smaller"] = other["alone_ms"]
        row["p95_smaller"] = other["p95"]
    result["growth_scale"] = smaller["scale"]
    return result


def over_budget(result):
    """Pages whose p95 is over 100 ms or whose growth ratio is over 1.5 (pacm issue 8)."""
    return {name: {k: row.get(k) for k in ("p95", "growth")} for name, row in result["pages"].items()
            if (row.get("p95") or 0) > BUDGET_P95_MS or (row.get("growth") or 0) > BUDGET_GROWTH or row["failures"]}


def report_text(result):
    from bench.stats import table

    header = ["page", "role", "requests", "failures", "p50 ms", "p95 ms", "p99 ms", "SQL", "KiB", "alone ms", "CPU ms",
              "growth", "growth CPU"]
    rows = [[name, r["role"], r["requests"], r["failures"], r["p50"], r["p95"], r["p99"], r["queries"],
             round(r["bytes"] / 1024, 1), r["alone_ms"], r.get("cpu_ms"), r.get("growth"), r.get("growth_cpu")]
            for name, r in result["pages"].items()]
    m = result["machine"]
    lines = [f"pacm bench-pages: scale {result['scale']:g} ({result['world']}), {result['users']} users, "
             f"{result['duration_s']} s, gunicorn {result['workers']} workers; {result['requests_per_s']} requests/s",
             f"machine: {m['cores']} cores; uptime at start: {m['uptime_start']}; at end: {m['uptime_end']}",
             "", table(rows, header)]
    if result.get("growth_scale"):
        lines.append(f"growth: time alone (and CPU time alone) at scale {result['scale']:g} / at scale "
                     f"{result['growth_scale']:g}")
    bad = over_budget(result)
    lines.append("over budget (p95 > 100 ms, growth > 1.5, failures): " + (json.dumps(bad) if bad else "none"))
    return "\n".join(lines)


# --- One scale --------------------------------------------------------------------------------


def environment(*, database_url, media_root):
    for name in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "CELERY_TASK_DEFAULT_QUEUE", "PACM_TEST_DB_NAME",
                 "DJANGO_DEBUG", "PACM_TESTING"):
        os.environ.pop(name, None)
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "pacm.settings", "DATABASE_URL": database_url, "DATABASE_CONN_MAX_AGE": "60",
        "PACM_MEDIA_ROOT": str(media_root), "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        # Production settings (DEBUG off) on plain HTTP on the loopback (README "Deployment"); a key of
        # this run's own, shared with its gunicorn (the sessions are signed with it).
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50), "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SESSION_COOKIE_SECURE": "false", "DJANGO_CSRF_COOKIE_SECURE": "false",
        "DJANGO_SECURE_HSTS_SECONDS": "0", "DJANGO_ALLOWED_HOSTS": "127.0.0.1,testserver",
    })


def _pg(url, dbname="postgres"):
    import dj_database_url
    import psycopg

    db = dj_database_url.parse(url)
    return psycopg.connect(host=db["HOST"] or None, port=db["PORT"] or None, user=db["USER"] or None,
                           password=db["PASSWORD"] or None, dbname=dbname, autocommit=True)


def world_found(url, name, key):
    """Whether database `name` holds a finished world of this key (the marker table says so)."""
    with _pg(url) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
    with _pg(url, name) as conn:
        if not conn.execute("SELECT to_regclass(%s)", [pages_world.MARKER_TABLE]).fetchone()[0]:
            return False
        row = conn.execute(f"SELECT key FROM {pages_world.MARKER_TABLE}").fetchone()
    return row is not None and row[0] == key


def database_recreate(url, name):
    if not name.startswith("pacm_bench_pages_"):
        raise SystemExit(f"Refusing to drop {name!r}")
    with _pg(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _uptime():
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def run_one(args):
    params = pages_world.world_parameters(scale=args.scale, seed=args.seed)
    key, name = pages_world.world_key(params), pages_world.database_name(params)
    url = f"{PG_BASE}/{name}"
    machine = {"cores": os.cpu_count(), "uptime_start": _uptime()}
    reuse = not args.rebuild and world_found(PG_BASE + "/postgres", name, key)
    if not reuse:
        _log(f"scale {args.scale:g}: building the world in {name} (parameters {params})")
        database_recreate(PG_BASE + "/postgres", name)
    else:
        _log(f"scale {args.scale:g}: reusing the world in {name}")
    environment(database_url=url, media_root=MEDIA_BASE / key)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)  # a reused world gets new migrations too
    if reuse:
        manifest = pages_world.marker_read()
    else:
        t0 = time.perf_counter()
        manifest = pages_world.world_build_all(params)
        manifest["build_s"] = round(time.perf_counter() - t0, 1)
        pages_world.marker_write(key, manifest)
    if args.build_only:
        _log(f"scale {args.scale:g}: the world is ready in {name}")
        return 0
    plan = pages_plan(manifest, plan_lookups(manifest))
    roles = sorted({p["role"] for p in plan if p["role"]})
    sessions = sessions_create({role: manifest["users"][role] for role in roles})
    _log(f"scale {args.scale:g}: each page alone ({args.alone} times)")
    alone = pages_alone(plan, sessions, args.alone)
    from django.db import connection

    connection.close()
    started = Started()
    workdir = tempfile.mkdtemp(prefix="pacm-bench-pages-")
    try:
        port = free_port()
        server_start(started, port=port, workers=args.workers, workdir=workdir)
        _log(f"scale {args.scale:g}: gunicorn on port {port}; locust {args.users} users for {args.duration} s")
        samples = load_run(started, port=port, plan=plan, sessions=sessions, users=args.users,
                           duration=args.duration, workdir=workdir)
    finally:
        started.stop_all()
    machine["uptime_end"] = _uptime()
    result = {
        "scale": args.scale, "key": key, "database": name, "params": params, "reused": reuse,
        "world": f"{params['activities']:,} activities, {params['issuances']:,} issuances, "
                 f"{params['transfers']:,} transfers, {params['long_periods']} periods of one activity, "
                 f"an account of {manifest['big_account_blocks']:,} blocks",
        "manifest": manifest, "users": args.users, "duration_s": args.duration, "workers": args.workers,
        "requests_per_s": round(len(samples) / args.duration, 1), "machine": machine,
        "finished_at": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "pages": page_stats(plan, samples, alone, args.duration),
    }
    raw_path(args.scale).parent.mkdir(parents=True, exist_ok=True)
    raw_path(args.scale).write_text(json.dumps(result, indent=1, default=str) + "\n")
    _log(f"scale {args.scale:g}: logs in {workdir}")
    return 0


# --- All scales -------------------------------------------------------------------------------


def run_all(args, argv):
    scales = [args.scale] + ([args.growth_scale] if args.growth_scale and args.growth_scale != args.scale else [])
    passthrough = [a for a in (argv if argv is not None else sys.argv[1:])]
    status = 0
    for scale in scales:
        raw_path(scale).unlink(missing_ok=True)
        cut, skip = [], False
        for token in passthrough:  # the scale is set per run
            if skip:
                skip = False
            elif token in ("--scale", "--growth-scale"):
                skip = True
            elif not token.startswith(("--scale=", "--growth-scale=")):
                cut.append(token)
        child = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--one", "--scale", str(scale), *cut],
                                 cwd=ROOT)
        try:
            status = child.wait() or status
        finally:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
                child.wait()
    if args.build_only or not raw_path(args.scale).exists():
        return status or (0 if args.build_only else 1)
    result = json.loads(raw_path(args.scale).read_text())
    if len(scales) > 1 and raw_path(scales[1]).exists():
        result = growth_add(result, json.loads(raw_path(scales[1]).read_text()))
    results_write(result, results_path(args.scale))
    print(report_text(result), flush=True)
    return status


def results_write(result, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=1, default=str) + "\n")
    _log(f"results in {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def main(argv=None):
    _stop_on_sigterm()
    args = arguments(argv)
    return run_one(args) if args.one else run_all(args, argv)


if __name__ == "__main__":
    sys.exit(main())

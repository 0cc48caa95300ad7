#!/usr/bin/env python
"""`make chaos` (issue 11, docs/reliability.md): pacm under load while its services restart.

    python bench/chaos.py                 # the full run: restarts PostgreSQL, Redis and the worker
    python bench/chaos.py --no-restarts   # a dry run: the same load, only the worker (its own) restarts

What it starts, all its own and all stopped at the end: a database `pacm_chaos` (dropped and
recreated, dropped again), Redis db 3 (flushed before and after), gunicorn on 127.0.0.1, a Celery
worker and Celery beat on the queue `pacm_chaos`. What it restarts, once each, while the load
runs: the worker (SIGKILL, mid-task, then started again, as a supervisor would), PostgreSQL
(`pg_ctlcluster --skip-systemctl-redirect <version> main restart`), Redis (`redis-cli shutdown
nosave`, then started again as CI starts it: its queued tasks are gone), the worker again.

The load, bounded in count and time, loopback only: holders transfer units and cancel units
voluntarily through the web pages (their own sessions, forms, CSRF), and the appeal window of
approved issuances closes through the service (`period_close_appeal_window`), whose task the
worker runs. Each web request carries a marker (a transfer's quantity is unique; a
cancellation's purpose names it), so afterwards every request is matched with the ledger:
applied exactly once, or refused with a message, never duplicated, never lost. Each form carries
its one-time key (pacm.common.submission); an answer that never came (a connection cut) or a 503
is followed, as a person would, by the same form sent again with the same key: once at most.

Then, without any help from this script, the site must recover: every issuance issued (the
beat's sweep re-dispatches what Redis lost), the pages answer, a new transfer applies. Checks:
ledger conservation, serial ranges, issuance counts, `manage.py verify_events`. PostgreSQL and
Redis are left running as they were found. Exit status 0 when every check holds.
"""
import argparse
import datetime
import http.cookiejar
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BIN = Path(sys.executable).parent
DB_URL = os.environ.get("PACM_CHAOS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pacm_chaos")
REDIS_HOST, REDIS_PORT, REDIS_DB = "127.0.0.1", 6379, 3
BROKER_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}"
QUEUE = "pacm_chaos"
PASSWORD = "chaos-pw-6-4"
REDIS_START = ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", str(REDIS_PORT),
               "--save", "", "--appendonly", "no", "--dir", "/var/lib/redis", "--logfile", "/var/log/redis/ci.log"]
T0 = time.monotonic()


def log(message):
    print(f"[chaos {time.monotonic() - T0:6.1f}s] {message}", file=sys.stderr, flush=True)


def arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-restarts", action="store_true",
                        help="do not restart PostgreSQL or Redis (shared with others); the worker still restarts")
    parser.add_argument("--transfers", type=int, default=120, help="transfers through the web (default 120)")
    parser.add_argument("--uses", type=int, default=40, help="voluntary cancellations through the web (default 40)")
    parser.add_argument("--issuances", type=int, default=16, help="issuances closed during the load (default 16)")
    parser.add_argument("--clients", type=int, default=3, help="web clients at once (default 3)")
    parser.add_argument("--duration", type=float, default=45, help="seconds of load (default 45)")
    parser.add_argument("--recovery", type=float, default=60, help="seconds allowed to recover (default 60)")
    parser.add_argument("--port", type=int, default=8064, help="gunicorn's port on 127.0.0.1 (default 8064)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs)")
    return parser.parse_args(argv)


# --- The services this machine runs (found running, left running) ----------------------------------

def pg_version():
    versions = sorted(os.listdir("/etc/postgresql"))
    if len(versions) != 1:
        raise SystemExit(f"Expected one PostgreSQL version under /etc/postgresql, found {versions}")
    return versions[0]


def pg_up():
    import psycopg

    try:
        psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres", connect_timeout=3).close()
        return True
    except psycopg.OperationalError:
        return False


def pg_ctl(action):
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", pg_version(), "main", action], check=True,
                   timeout=120, capture_output=True)


def redis_up():
    import redis

    try:
        return bool(redis.Redis(host=REDIS_HOST, port=REDIS_PORT, socket_connect_timeout=2).ping())
    except redis.exceptions.ConnectionError:
        return False


def redis_start():
    Path("/var/log/redis").mkdir(parents=True, exist_ok=True)
    subprocess.run(REDIS_START, check=True, timeout=30, capture_output=True)
    wait_for(redis_up, 30, "Redis to answer")


def redis_restart():
    subprocess.run(["redis-cli", "-h", REDIS_HOST, "-p", str(REDIS_PORT), "shutdown", "nosave"], timeout=30,
                   capture_output=True)
    wait_for(lambda: not redis_up(), 30, "Redis to stop")
    redis_start()


def wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.2)


# --- What this run starts (and stops) --------------------------------------------------------------

class Started:
    """The processes this run started, each in a process group of its own, stopped by their id."""

    def __init__(self, workdir):
        self.workdir, self.processes, self.env = Path(workdir), {}, None

    def start(self, name, command, ready=None, seconds=60):
        log_path = self.workdir / f"{name}.log"
        handle = open(log_path, "a")
        process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=handle, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        self.processes[name] = process
        if ready is not None:
            def up():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited; see {log_path}")
                return ready(log_path)
            wait_for(up, seconds, f"{name} to be ready")
        return process

    def stop(self, name, sig=signal.SIGTERM, seconds=20):
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=seconds)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()

    def stop_all(self):
        for name in list(self.processes):
            self.stop(name)


def _logged(pattern):
    return lambda path: re.search(pattern, path.read_text(errors="replace")) is not None


def worker_start(started, generation):
    started.start(f"worker-{generation}", [
        str(BIN / "celery"), "-A", "pacm", "worker", "--concurrency=2", "--pool=prefork", "-Q", QUEUE,
        "-n", f"{QUEUE}-{generation}@%h", "--loglevel=info", "--without-gossip", "--without-mingle",
    ], ready=_logged(r"\bready\."))


def web_up(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            return response.status == 200
    except (OSError, urllib.error.URLError):
        return False


# --- The database: pacm_chaos, its world ----------------------------------------------------------

def environment(workdir):
    for name in ("CELERY_RESULT_BACKEND", "PACM_TEST_DB_NAME", "DJANGO_DEBUG"):
        os.environ.pop(name, None)
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "pacm.settings", "DATABASE_URL": DB_URL, "CELERY_BROKER_URL": BROKER_URL,
        "CELERY_TASK_DEFAULT_QUEUE": QUEUE, "PACM_MEDIA_ROOT": str(Path(workdir) / "media"),
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        # The product's own recovery, made quick for a short run: the beat's sweep re-dispatches an
        # issuance still issuing after 10 s, every 5 s (defaults: 120 s and 5 minutes).
        "PACM_ISSUANCE_SWEEP_AFTER_SECONDS": "10", "PACM_ISSUANCE_SWEEP_EVERY_SECONDS": "5",
        # A task taken by a worker that died is given back after 30 s (default one hour).
        "PACM_BROKER_VISIBILITY_TIMEOUT": "30",
        # Production settings (DEBUG off), served over plain HTTP on the loopback: a key of the
        # run's own, and no HTTPS redirect or secure-only cookies (README "Deployment").
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50), "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SESSION_COOKIE_SECURE": "false", "DJANGO_CSRF_COOKIE_SECURE": "false",
        "DJANGO_SECURE_HSTS_SECONDS": "0", "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    })
    return dict(os.environ)


def database_recreate():
    import dj_database_url
    import psycopg

    db = dj_database_url.parse(DB_URL)
    if db["NAME"] != "pacm_chaos":
        raise SystemExit(f"Refusing to drop {db['NAME']!r}: make chaos only drops pacm_chaos.")
    with psycopg.connect(host=db["HOST"] or None, port=db["PORT"] or None, user=db["USER"] or None,
                         password=db["PASSWORD"] or None, dbname="postgres", autocommit=True) as conn:
        conn.execute('DROP DATABASE IF EXISTS "pacm_chaos" WITH (FORCE)')
        conn.execute('CREATE DATABASE "pacm_chaos"')


def database_drop():
    import psycopg

    with psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True) as conn:
        conn.execute('DROP DATABASE IF EXISTS "pacm_chaos" WITH (FORCE)')


def redis_flush():
    import redis

    redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB, socket_connect_timeout=3).flushdb()


def world_prepare(*, issuances, senders):
    """A small registered world (bench/world.py), one issuance per activity issued at once to fund
    the holders, `issuances` more left approved with the appeal window over; `senders` holders
    with a password. Returns what the load needs."""
    from django.contrib.auth import get_user_model
    from django.db.models import F, Sum
    from django.utils import timezone

    from bench.world import world_build
    from pacm.registry.models import Account, AccountKind, UnitBlock
    from projects.cycle import PeriodState as P
    from projects.models import MonitoringPeriod
    from projects.services.issuance import issuance_process

    activities = max(4, (issuances + 3) // 3)
    world_build(activities=activities, issuances=activities + issuances, seed=11)
    first = MonitoringPeriod.objects.filter(number=1).values_list("pk", flat=True)
    for pk in first:
        issuance_process(period_id=pk)
    chaos = list(MonitoringPeriod.objects.filter(state=P.ISSUING).order_by("pk").values_list("pk", flat=True))
    MonitoringPeriod.objects.filter(pk__in=chaos).update(
        state=P.APPROVED, due_at=timezone.now() - datetime.timedelta(minutes=1))
    held = (UnitBlock.objects.filter(account__kind=AccountKind.HOLDING).values("account_id")
            .annotate(units=Sum(F("serial_end") - F("serial_start") + 1)).order_by("-units", "account_id"))
    rich = [row["account_id"] for row in held[:senders]]
    User = get_user_model()
    clients = []
    for account in Account.objects.filter(pk__in=rich).select_related("organisation").order_by("number"):
        user = User.objects.filter(memberships__organisation=account.organisation).first()
        user.set_password(PASSWORD)
        user.save()
        clients.append({"username": user.username, "account": account.number})
    receivers = list(Account.objects.filter(kind=AccountKind.HOLDING).exclude(pk__in=rich)
                     .order_by("number").values_list("number", flat=True)[:10])
    return {"clients": clients, "receivers": receivers, "periods": chaos,
            "units_before": UnitBlock.objects.aggregate(n=Sum(F("serial_end") - F("serial_start") + 1))["n"]}


# --- The load ----------------------------------------------------------------------------------------

class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class Web:
    """A person's browser, reduced: cookies, CSRF, forms; no redirect followed (the answer is kept)."""

    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def _csrf(self):
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def request(self, path, data=None):
        """(status, location, body) or (None, error, "") when no answer came."""
        body = None
        if data is not None:
            body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self._csrf()}).encode()
        request = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})
        try:
            with self.opener.open(request, timeout=20) as response:
                return response.status, response.headers.get("Location", ""), response.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", ""), error.read().decode(errors="replace")
        except (OSError, urllib.error.URLError) as error:
            return None, f"{type(error).__name__}: {error}", ""

    def login(self, username):
        self.request("/accounts/login/")
        status, location, _ = self.request("/accounts/login/", {"username": username, "password": PASSWORD})
        if status != 302:
            raise RuntimeError(f"{username} could not log in ({status})")


# The first message a refusal shows: on a field, on the form, or on the 403 page.
_MESSAGE = re.compile(r'class="invalid-feedback[^"]*">([^<]+)<|class="alert alert-danger py-2"><div>([^<]+)<'
                      r'|class="alert alert-warning mt-3 mb-3">([^<]+)<')


def outcome(answer, account_url):
    """applied | refused (a message on the page) | unavailable (the 503 page) | error | no answer."""
    status, location, body = answer
    if status is None:
        return "no answer", location
    if status == 302 and location.split("#")[0].endswith(account_url):
        return "applied", ""
    found = _MESSAGE.search(body)
    message = next(g for g in found.groups() if g).strip() if found else ""
    if status in (200, 400, 403) and message:
        return "refused", message
    if status == 503 and "briefly unavailable" in body:
        return "unavailable", "503: the registry is briefly unavailable"
    return "error", f"HTTP {status}"


def client_run(*, index, client, receivers, jobs, deadline, interval, port, records, lock):
    web = Web(port)
    web.login(client["username"])
    account_url = f"/registry/accounts/{client['account']}/"
    for kind, number in jobs:
        began = time.monotonic()
        if began > deadline:
            break
        # One transfer in ten goes to a cancellation account: the service must refuse it (para 42).
        refuse = kind == "transfer" and number % 10 == 0
        if kind == "transfer":
            path = account_url + "transfer/"
            to = "PACM-CANC-VOL" if refuse else receivers[number % len(receivers)]
            data = {"transfer-to_account": to, "transfer-quantity": str(number), "transfer-activity": "",
                    "transfer-vintage": ""}
        else:
            path = account_url + "use/"
            data = {"use-use": "voluntary", "use-quantity": "1", "use-party": "", "use-purpose": f"chaos-use-{number}",
                    "use-beneficiary": "", "use-activity": "", "use-vintage": ""}
        # The form's one-time key (pacm.common.submission), as the page would have rendered it.
        data[f"{kind}-submission_key"] = secrets.token_urlsafe(24)
        answer = web.request(path, data)
        result, detail = outcome(answer, account_url)
        first = result
        if result in ("no answer", "unavailable"):
            # A person whose page did not come back, or said "try again", sends the same form again.
            time.sleep(2)
            answer = web.request(path, data)
            result, detail = outcome(answer, account_url)
        with lock:
            records.append({"client": index, "kind": kind, "marker": number, "account": client["account"],
                            "sent": began - T0, "took": time.monotonic() - began, "outcome": result,
                            "first": first, "detail": detail, "status": answer[0], "must_refuse": refuse})
        time.sleep(max(0.0, interval - (time.monotonic() - began)))


def closer_run(*, periods, deadline, records, lock):
    """The appeal windows close through the service, spread over the load; a call the database
    refuses (down) is tried again later, as a timer pass would."""
    from django.db import InterfaceError, OperationalError, connection

    from pacm.common.errors import ServiceError
    from pacm.parties.roles import Actor
    from projects import services
    from projects.cycle import PeriodState as P
    from projects.models import MonitoringPeriod

    pending = list(periods)
    interval = max(0.5, (deadline - time.monotonic()) * 0.7 / max(1, len(pending)))
    while pending and time.monotonic() < deadline + 30:
        pk = pending[0]
        began = time.monotonic()
        try:
            period = MonitoringPeriod.objects.get(pk=pk)
            if period.state == P.APPROVED:
                services.period_close_appeal_window(period=period, actor=Actor.timer("chaos appeal window"))
                result = "closed"
            else:
                result = f"already {period.state}"
            pending.pop(0)
        except (OperationalError, InterfaceError) as error:
            result = f"database away: {str(error).splitlines()[0][:80]}"
        except ServiceError as error:
            result, _ = f"refused: {error.message}", pending.pop(0)
        finally:
            connection.close()
        with lock:
            records.append({"kind": "close", "marker": pk, "sent": began - T0, "outcome": result})
        time.sleep(interval if result == "closed" else 1.0)


# --- The checks after the storm -----------------------------------------------------------------------

def requests_match(records):
    """Each web request against the ledger: how many rows carry its marker."""
    from django.db.models import Count

    from pacm.registry.models import LedgerTransaction, TransactionKind

    transfers = dict(LedgerTransaction.objects.filter(kind=TransactionKind.TRANSFER).values_list("quantity")
                     .annotate(n=Count("pk")).values_list("quantity", "n"))
    uses = dict(LedgerTransaction.objects.filter(purpose__startswith="chaos-use-").values_list("purpose")
                .annotate(n=Count("pk")).values_list("purpose", "n"))
    problems, table = [], {}
    sent_transfers, sent_uses = set(), set()
    for r in records:
        if r["kind"] not in ("transfer", "use"):
            continue
        if r["kind"] == "transfer":
            rows = transfers.get(r["marker"], 0)
            sent_transfers.add(r["marker"])
        else:
            rows = uses.get(f"chaos-use-{r['marker']}", 0)
            sent_uses.add(f"chaos-use-{r['marker']}")
        key = (r["kind"], r["outcome"], "applied" if rows else "not applied")
        table[key] = table.get(key, 0) + 1
        where = f"{r['kind']} #{r['marker']} ({r['outcome']} {r['detail']!r} at {r['sent']:.1f}s)"
        if rows > 1:
            problems.append(f"{where}: applied {rows} times")
        if r["outcome"] == "applied" and rows != 1:
            problems.append(f"{where}: the page said done, the ledger has {rows}")
        if r["outcome"] == "refused" and rows:
            problems.append(f"{where}: refused, yet applied")
        if r.get("must_refuse") and (rows or r["outcome"] == "applied"):
            problems.append(f"{where}: a transfer to a cancellation account went through")
        if r["outcome"] == "error":
            problems.append(f"{where}: no clear message")
    strays = [q for q in transfers if q not in sent_transfers] + [p for p in uses if p not in sent_uses]
    if strays:
        problems.append(f"ledger rows no request sent: {strays[:5]}")
    return table, problems


def issuances_check(periods):
    from pacm.events.models import Event, EventKind
    from pacm.registry.models import LedgerTransaction, TransactionKind
    from projects.cycle import PeriodState as P
    from projects.models import IssuanceRequest, MonitoringPeriod

    problems = []
    states = dict(MonitoringPeriod.objects.filter(pk__in=periods).values_list("pk", "state"))
    issued = [pk for pk, state in states.items() if state == P.ISSUED]
    for pk, state in sorted(states.items()):
        if state != P.ISSUED:
            problems.append(f"period {pk} is {state}, not issued")
    executed = {}
    for event in Event.objects.filter(kind=EventKind.ISSUANCE_EXECUTED).values("activity_id", "payload"):
        key = (event["activity_id"], event["payload"]["monitoring_period"])
        executed.setdefault(key, []).append(event["payload"]["gross"])
    requests = {r.period_id: r for r in IssuanceRequest.objects.filter(period_id__in=periods).select_related("period")}
    # One issuance transaction per issuance (its idempotency key), carrying the gross units.
    rows = {}
    for period_id, quantity in LedgerTransaction.objects.filter(
            kind=TransactionKind.ISSUANCE, issuance__period_id__in=periods).values_list("issuance__period_id",
                                                                                         "quantity"):
        rows.setdefault(period_id, []).append(quantity)
    for pk in issued:
        request = requests[pk]
        events = executed.get((request.period.activity_id, request.period.number), [])
        if len(events) != 1:
            problems.append(f"period {pk}: {len(events)} 'units issued' events")
        if rows.get(pk, []) != [request.gross]:
            problems.append(f"period {pk}: issuance rows {rows.get(pk)} for {request.gross:,} units issued")
        if request.issued_at is None:
            problems.append(f"period {pk}: issued without issued_at")
    units = sum(sum(q) for q in rows.values())
    return {"periods": len(periods), "issued": len(issued), "issuance_transactions": sum(map(len, rows.values())),
            "units_issued": units}, problems


def verify_events():
    done = subprocess.run([str(BIN / "python"), "manage.py", "verify_events"], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    return done.returncode, (done.stdout or done.stderr).strip().splitlines()[-1:]


# --- The run --------------------------------------------------------------------------------------------

def schedule(no_restarts, duration):
    """(seconds into the load, action) for each restart; spread over the first 80% of it."""
    steps = [(0.12, "worker"), (0.35, "postgresql"), (0.6, "redis"), (0.8, "worker")]
    return [(round(duration * at, 1), what) for at, what in steps if not (no_restarts and what != "worker")]


def recovered_after(records, at):
    """Seconds from a restart until the next request that applied."""
    later = sorted(r["sent"] + r["took"] for r in records if r.get("outcome") == "applied" and r["sent"] >= at)
    return round(later[0] - at, 1) if later else None


def run(args):
    workdir = tempfile.mkdtemp(prefix="pacm-chaos-")
    found = {"postgresql": pg_up(), "redis": redis_up()}
    if not all(found.values()):
        raise SystemExit(f"make chaos needs PostgreSQL and Redis running on this machine: {found}")
    log(f"PostgreSQL {pg_version()} and Redis up; work directory {workdir}; restarts "
        f"{'off (--no-restarts): only the worker' if args.no_restarts else 'on'}")
    started = Started(workdir)
    started.env = environment(workdir)
    figures = {"arguments": vars(args), "found": found}
    status = 1
    try:
        database_recreate()
        redis_flush()
        subprocess.run([str(BIN / "python"), "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True,
                       env=started.env)
        import django

        django.setup()
        from django.db import connection

        world = world_prepare(issuances=args.issuances, senders=args.clients)
        connection.close()
        log(f"world: {len(world['clients'])} holders sending, {len(world['periods'])} issuances to close, "
            f"{world['units_before']:,} units in the registry")
        started.start("gunicorn", [str(BIN / "gunicorn"), "pacm.wsgi:application", "--bind", f"127.0.0.1:{args.port}",
                                   "--workers", "2", "--timeout", "30", "--graceful-timeout", "5"],
                      ready=lambda path: web_up(args.port))
        generation = 1
        worker_start(started, generation)
        started.start("beat", [str(BIN / "celery"), "-A", "pacm", "beat", "-s", str(Path(workdir) / "beat-schedule"),
                               "--loglevel=info"], ready=_logged(r"beat: Starting"))
        log("gunicorn, worker and beat up: the load starts")

        records, lock = [], threading.Lock()
        load_started = time.monotonic()
        deadline = load_started + args.duration
        jobs = [("transfer", n) for n in range(1, args.transfers + 1)] + [("use", n) for n in range(1, args.uses + 1)]
        jobs.sort(key=lambda job: (job[1] * 7919) % 1009)  # interleaved, the same order every run
        shares = [jobs[i::args.clients] for i in range(args.clients)]
        threads = [threading.Thread(target=client_run, kwargs=dict(
            index=i, client=world["clients"][i % len(world["clients"])], receivers=world["receivers"], jobs=shares[i],
            deadline=deadline, interval=args.duration * 0.95 / max(1, len(shares[i])), port=args.port,
            records=records, lock=lock)) for i in range(args.clients)]
        threads.append(threading.Thread(target=closer_run, kwargs=dict(
            periods=world["periods"], deadline=deadline, records=records, lock=lock)))
        for thread in threads:
            thread.start()
        restarts = []
        for at, what in schedule(args.no_restarts, args.duration):
            time.sleep(max(0.0, load_started + at - time.monotonic()))
            began = time.monotonic()
            if what == "worker":
                started.stop(f"worker-{generation}", sig=signal.SIGKILL)
                generation += 1
                worker_start(started, generation)
            elif what == "postgresql":
                pg_ctl("restart")
            elif what == "redis":
                redis_restart()
            restarts.append({"what": what, "at": round(began - T0, 1), "took": round(time.monotonic() - began, 1),
                             "wall": time.time() - (time.monotonic() - began)})
            log(f"restarted {what} in {restarts[-1]['took']} s")
        for thread in threads:
            thread.join(timeout=args.duration + args.recovery)
        log(f"load done: {sum(1 for r in records if r['kind'] != 'close')} web requests")

        # Recovery: nothing here helps; the worker, the beat's sweep and gunicorn do it on their own.
        from projects.cycle import PeriodState as P
        from projects.models import MonitoringPeriod

        def all_issued():
            try:
                left = MonitoringPeriod.objects.filter(pk__in=world["periods"]).exclude(state=P.ISSUED).count()
            finally:
                connection.close()
            return left == 0 and web_up(args.port)

        recovery_started = time.monotonic()
        try:
            wait_for(all_issued, args.recovery, "every issuance and the site")
            recovery = round(time.monotonic() - recovery_started, 1)
        except RuntimeError:
            recovery = None
        web = Web(args.port)
        web.login(world["clients"][0]["username"])
        account_url = f"/registry/accounts/{world['clients'][0]['account']}/"
        probe = outcome(web.request(account_url + "use/", {
            "use-use": "voluntary", "use-quantity": "1", "use-party": "", "use-purpose": "chaos-use-probe",
            "use-beneficiary": "", "use-activity": "", "use-vintage": ""}), account_url)
        records.append({"kind": "use", "marker": "probe", "account": world["clients"][0]["account"],
                        "sent": time.monotonic() - T0, "took": 0, "outcome": probe[0], "detail": probe[1],
                        "status": None})

        from bench.checks import checks_run

        table, request_problems = requests_match(records)
        issuance_figures, issuance_problems = issuances_check(world["periods"])
        ledger = checks_run(chains=True)
        events_rc, events_out = verify_events()
        web_requests = [r for r in records if r["kind"] in ("transfer", "use")]
        alive = {name: process.poll() is None for name, process in started.processes.items()}
        issued_at = _issued_times(world["periods"])
        figures.update({
            "restarts": [{**{k: v for k, v in r.items() if k != "wall"},
                          "first_applied_after_s": recovered_after(records, r["at"]),
                          "issued_until_next_restart": _between(issued_at, r["wall"], restarts[i + 1]["wall"]
                                                                if i + 1 < len(restarts) else None)}
                         for i, r in enumerate(restarts)],
            "still_running_at_the_end": alive,
            "web_requests": len(web_requests),
            "outcomes": _count(r["outcome"] for r in web_requests),
            "sent_again_after": _count(f"{r['first']} -> {r['outcome']}" for r in web_requests
                                       if r.get("first") and r["first"] != r["outcome"]
                                       or r.get("first") in ("no answer", "unavailable")),
            "by_outcome_and_ledger": {" / ".join(k): v for k, v in sorted(table.items())},
            "refusal_messages": _count(r["detail"] for r in web_requests if r["outcome"] in ("refused", "unavailable")),
            "closes": _count(r["outcome"].split(":")[0] for r in records if r["kind"] == "close"),
            "issuances": issuance_figures,
            "ledger": {k: ledger[k] for k in ("units_in_blocks", "units_issued", "serials_handed_out", "blocks",
                                              "overlapping_ranges", "ranges_beyond_counter", "units_conserved",
                                              "event_streams", "events", "event_chain_problems")},
            "verify_events": {"exit": events_rc, "said": events_out},
            "recovered_in_s": recovery, "probe_after_recovery": probe[0],
        })
        problems = request_problems + issuance_problems
        if not ledger["ok"]:
            problems.append(f"ledger checks failed: {ledger}")
        if events_rc != 0:
            problems.append(f"verify_events failed: {events_out}")
        if recovery is None:
            problems.append(f"the site did not recover within {args.recovery} s")
        if probe[0] != "applied":
            problems.append(f"a use after recovery was not applied: {probe}")
        figures["problems"] = problems
        status = 0 if not problems else 1
        connection.close()
    finally:
        log("stopping what this run started")
        started.stop_all()
        if not pg_up():
            log("PostgreSQL is down: starting it again")
            pg_ctl("start")
        if not redis_up():
            log("Redis is down: starting it again")
            redis_start()
        try:
            database_drop()
            redis_flush()
        except Exception as error:  # noqa: BLE001 - report, never hide the run's own outcome
            log(f"cleaning up pacm_chaos / Redis db 3 failed: {error}")
        figures["left"] = {"postgresql": pg_up(), "redis": redis_up()}
        if not args.keep:
            import shutil

            shutil.rmtree(workdir, ignore_errors=True)
        else:
            log(f"kept {workdir}")
    print(report(figures))
    out = ROOT / "bench" / "results" / ("chaos-dry.json" if args.no_restarts else "chaos.json")
    out.write_text(json.dumps(figures, indent=1, default=str) + "\n")
    log(f"figures in {out.relative_to(ROOT)}")
    return status


def _issued_times(periods):
    from django.db import connection

    from projects.models import IssuanceRequest

    try:
        return [at.timestamp() for at in IssuanceRequest.objects.filter(period_id__in=periods)
                .exclude(issued_at=None).values_list("issued_at", flat=True)]
    finally:
        connection.close()


def _between(times, start, end):
    return sum(1 for t in times if t >= start and (end is None or t < end))


def _count(values):
    result = {}
    for value in values:
        result[value] = result.get(value, 0) + 1
    return dict(sorted(result.items(), key=lambda item: (-item[1], str(item[0]))))


def report(f):
    lines = ["", "make chaos: " + ("dry run (--no-restarts)" if f["arguments"]["no_restarts"] else "full run"), ""]
    for r in f.get("restarts", []):
        lines.append(f"  restarted {r['what']:<10} at {r['at']:6.1f}s in {r['took']:4.1f}s; "
                     f"next applied request {r['first_applied_after_s']} s later; "
                     f"{r['issued_until_next_restart']} issuance(s) issued before the next restart")
    lines.append(f"  web requests: {f.get('web_requests')}; outcomes: {f.get('outcomes')}")
    lines.append(f"  sent again with the same key: {f.get('sent_again_after')}")
    for key, value in (f.get("by_outcome_and_ledger") or {}).items():
        lines.append(f"    {key:<45} {value}")
    lines.append(f"  messages: {f.get('refusal_messages')}")
    lines.append(f"  appeal windows closed: {f.get('closes')}; issuances: {f.get('issuances')}")
    lines.append(f"  ledger: {f.get('ledger')}")
    lines.append(f"  verify_events: {f.get('verify_events')}")
    lines.append(f"  recovered in {f.get('recovered_in_s')} s; a use after recovery: {f.get('probe_after_recovery')}")
    lines.append(f"  still running at the end: {f.get('still_running_at_the_end')}")
    lines.append(f"  services found {f.get('found')}, left {f.get('left')}")
    problems = f.get("problems")
    lines.append("  RESULT: " + ("all checks hold" if problems == [] else f"{len(problems or [])} problem(s)"))
    lines += [f"    - {p}" for p in (problems or [])[:30]]
    return "\n".join(lines)


def main(argv=None):
    def stop(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, stop)
    return run(arguments(argv))


if __name__ == "__main__":
    sys.exit(main())

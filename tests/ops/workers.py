"""Real Celery workers and PostgreSQL sessions for the worker tests (`make test-services`).

The tests and the workers share the test database (PACM_TEST_DB_NAME) and the Redis broker.
A worker a test starts runs in a process group of its own, on a queue of its own, and is
always stopped (SIGTERM, then SIGKILL) together with its pool's children; its queue's keys are
deleted from Redis afterwards.
"""
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from contextlib import contextmanager
from pathlib import Path

import psycopg
import redis
from django.conf import settings
from django.db import connection

from pacm.celery import app

STOP_SECONDS = 30  # a worker asked to stop gets this long before it is killed


def why_not():
    """Why the worker tests cannot run here (the same conditions as tests/ops/test_worker.py)."""
    if not os.environ.get("CELERY_BROKER_URL"):
        return "no CELERY_BROKER_URL: Celery runs eagerly (use make test-services)"
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "Celery runs eagerly"
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "needs PostgreSQL: a worker cannot reach an in-memory SQLite test database"
    if not os.environ.get("PACM_TEST_DB_NAME"):
        return "PACM_TEST_DB_NAME is not set: the worker would not see the test database"
    return None


def wait_for(predicate, *, seconds):
    """The predicate's first truthy value within `seconds`, else None: a wait never hangs a test."""
    deadline = time.monotonic() + seconds
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value or None
        time.sleep(0.2)


# --- PostgreSQL sessions of the test's own, beside Django's connection -----------------------

def pg_session(*, autocommit=False):
    """A new connection to the test database (the one Django's connection uses)."""
    db = connection.settings_dict
    return psycopg.connect(host=db["HOST"] or None, port=db["PORT"] or None, user=db["USER"] or None,
                           password=db["PASSWORD"] or None, dbname=db["NAME"], autocommit=autocommit)


def pg_blocked_by(observer, pid):
    """Backends waiting for a lock that backend `pid` holds (pg_locks is read live)."""
    rows = observer.execute(
        "SELECT DISTINCT pid FROM pg_locks WHERE NOT granted AND %s = ANY(pg_blocking_pids(pid))", [pid]
    ).fetchall()
    return [row[0] for row in rows]


def pg_backend_alive(observer, pid):
    return observer.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()[0] > 0


def pg_row_locked(observer, table, pk):
    """True when another session holds the row `pk` of `table` locked (FOR UPDATE NOWAIT fails)."""
    try:
        with observer.transaction():
            observer.execute(f'SELECT 1 FROM "{table}" WHERE id = %s FOR UPDATE NOWAIT', [pk])
    except psycopg.errors.LockNotAvailable:
        return True
    return False


# --- Workers ---------------------------------------------------------------------------------

def worker_database_url():
    """DATABASE_URL naming the test database, as the Makefile computes it for its worker."""
    url = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    return urllib.parse.urlunsplit(url._replace(path="/" + os.environ["PACM_TEST_DB_NAME"]))


def worker_name(queue):
    return f"{queue}@{socket.gethostname()}"


def worker_start(*, queue, log, visibility_timeout):
    """A prefork worker (one child) consuming only `queue`, in a new process group."""
    env = dict(os.environ, DATABASE_URL=worker_database_url(), CELERY_TASK_DEFAULT_QUEUE=queue,
               PACM_BROKER_VISIBILITY_TIMEOUT=str(visibility_timeout))
    for name in ("PACM_TEST_DB_NAME", "PACM_REQUIRE_WORKER"):
        env.pop(name, None)
    command = [
        str(Path(sys.executable).with_name("celery")), "-A", "tests.ops.worker_app", "worker",
        "--loglevel=info", "--pool=prefork", "--concurrency=1", "-Q", queue, "-n", worker_name(queue),
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]
    return subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)


def worker_ready(queue):
    return bool(app.control.ping(destination=[worker_name(queue)], timeout=1.0))


def group_alive(pgid):
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def worker_kill(process):
    """kill -9 the worker's whole process group: its main process and its pool's child."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def worker_stop(process):
    """Warm shutdown; SIGKILL for whatever of its group is still there after STOP_SECONDS."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            pass
        except ProcessLookupError:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def queue_delete(queue):
    """Delete the queue's keys from Redis: its lists, its bindings, its unacknowledged messages."""
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=5)
    keys = set(client.scan_iter(match=f"{queue}*")) | {f"_kombu.binding.{queue}",
                                                        f"_kombu.binding_permanent.{queue}"}
    client.delete(*keys)


@contextmanager
def own_workers(*, queue, log_dir, visibility_timeout):
    """Yields start() -> a new worker process on `queue`; on exit stops them all, deletes the queue."""
    started = []

    def start():
        log = open(log_dir / f"worker-{len(started) + 1}.log", "wb")  # closed on exit
        started.append((worker_start(queue=queue, log=log, visibility_timeout=visibility_timeout), log))
        return started[-1][0]

    try:
        yield start
    finally:
        try:
            for process, log in started:
                try:
                    worker_stop(process)
                finally:
                    log.close()
        finally:
            queue_delete(queue)


def logs(log_dir):
    """The workers' logs, for a failing assertion's message."""
    return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in sorted(log_dir.glob("*.log")))


def database_quiet(*, seconds=30):
    """Wait until no other session on the test database is inside a transaction (a worker still
    running the notifications a committed write queued): the test's teardown empties the tables,
    and a TRUNCATE beside a worker's open transaction deadlocks. True if it got quiet in time."""
    name = connection.settings_dict["NAME"]
    own = connection.connection.info.backend_pid if connection.connection is not None else 0
    with pg_session(autocommit=True) as observer:
        def quiet():
            busy = observer.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid() "
                "AND pid <> %s AND state IN ('active', 'idle in transaction', 'idle in transaction (aborted)')",
                [name, own],
            ).fetchone()[0]
            return busy == 0
        return wait_for(quiet, seconds=seconds) is not None

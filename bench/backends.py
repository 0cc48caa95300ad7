"""Where a run happens: a throw-away SQLite file, or a dedicated PostgreSQL database plus a worker.

Both are set up through the environment pacm/settings.py reads, before Django starts, so the
product runs with its ordinary settings. Nothing here touches the developer's db.sqlite3, the
`pacm` database, or another Redis database than the benchmark's own.
"""
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
SQLITE, POSTGRES = "sqlite", "postgres"
PG_URL = os.environ.get("PACM_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pacm_bench")
BROKER_URL = os.environ.get("PACM_BENCH_BROKER_URL", "redis://127.0.0.1:6379/2")
QUEUE = "pacm_bench"
TIMINGS_KEY = "pacm_bench:timings"
READY_KEY = "pacm_bench:ready"
WORKER_CONCURRENCY = 2


def environment_prepare(*, backend, workdir, database_url=None):
    """Point pacm at the run's database and broker; returns the database URL."""
    for name in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "CELERY_TASK_DEFAULT_QUEUE", "PACM_TEST_DB_NAME"):
        os.environ.pop(name, None)
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "pacm.settings",
        "PACM_MEDIA_ROOT": str(Path(workdir) / "media"),
        # The notifications still run (a query and a task per transition); only the sending is dropped.
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "PACM_BENCH_TIMINGS_KEY": TIMINGS_KEY,
        "PACM_BENCH_READY_KEY": READY_KEY,
    })
    # The product's production settings (DEBUG off: no query log in the timings) need a key of
    # their own; one per run, shared with the run's worker through the environment.
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
    if backend == SQLITE:
        url = f"sqlite:///{Path(workdir) / 'bench.sqlite3'}"
    else:
        url = database_url or PG_URL
        database_recreate(url)
        os.environ.update({"CELERY_BROKER_URL": BROKER_URL, "CELERY_TASK_DEFAULT_QUEUE": QUEUE})
    os.environ["DATABASE_URL"] = url
    return url


def database_recreate(url):
    """Drop and create the benchmark's own database (its name must start with pacm_bench)."""
    import dj_database_url
    import psycopg

    db = dj_database_url.parse(url)
    if not db["NAME"].startswith("pacm_bench"):
        raise SystemExit(f"Refusing to drop {db['NAME']!r}: the benchmark database's name starts with pacm_bench.")
    with psycopg.connect(host=db["HOST"] or None, port=db["PORT"] or None, user=db["USER"] or None,
                         password=db["PASSWORD"] or None, dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db["NAME"]}"')


def redis_client():
    import redis

    return redis.Redis.from_url(BROKER_URL)


def worker_start(*, log_path):
    """A real Celery worker (prefork) on the benchmark's queue; returns once it is ready."""
    client = redis_client()
    # Leftovers of an interrupted run on the benchmark's own Redis database only.
    client.delete(QUEUE, READY_KEY, TIMINGS_KEY, "unacked", "unacked_index", "unacked_mutex")
    celery = Path(sys.executable).parent / "celery"
    log = open(log_path, "w")
    process = subprocess.Popen(
        [str(celery), "-A", "bench.worker", "worker", f"--concurrency={WORKER_CONCURRENCY}", "--pool=prefork",
         "-Q", QUEUE, "-n", f"{QUEUE}@%h", "--loglevel=warning", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    deadline = time.time() + 90
    while not client.get(READY_KEY):
        if process.poll() is not None or time.time() > deadline:
            worker_stop(process)
            raise SystemExit(f"The Celery worker did not start; see {log_path}")
        time.sleep(0.5)
    return process


def worker_stop(process):
    """Warm shutdown of the worker this run started; its own process group if it hangs."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

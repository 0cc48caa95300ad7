"""The Celery app the PostgreSQL run's worker starts: pacm's own app, plus a stopwatch.

`celery -A bench.worker worker` runs exactly the tasks `celery -A pacm worker` runs (the same
app object); the signal handlers below only time each task in the worker process and count
its SQL statements, and push one JSON line per task to a Redis list the benchmark reads back.
"""
import json
import os
import time

from celery.signals import task_postrun, task_prerun, worker_ready

from pacm.celery import app

TIMINGS_KEY = os.environ.get("PACM_BENCH_TIMINGS_KEY", "pacm_bench:timings")
READY_KEY = os.environ.get("PACM_BENCH_READY_KEY", "pacm_bench:ready")
_running = {}
_client = []


def _redis():
    if not _client:
        import redis

        _client.append(redis.Redis.from_url(app.conf.broker_url))
    return _client[0]


@worker_ready.connect
def _ready(**kwargs):
    _redis().set(READY_KEY, os.getpid())


@task_prerun.connect
def _start(task_id=None, task=None, **kwargs):
    from django.db import connection

    box = [0]

    def count(execute, sql, params, many, context):
        box[0] += 1
        return execute(sql, params, many, context)

    connection.execute_wrappers.append(count)
    _running[task_id] = (time.perf_counter(), box, count)


@task_postrun.connect
def _stop(task_id=None, task=None, args=None, retval=None, state=None, **kwargs):
    from django.db import connection

    started = _running.pop(task_id, None)
    if started is None:
        return
    began, box, count = started
    seconds = time.perf_counter() - began
    if count in connection.execute_wrappers:
        connection.execute_wrappers.remove(count)
    _redis().rpush(TIMINGS_KEY, json.dumps({
        "task": task.name, "arg": args[0] if args else None, "seconds": seconds, "queries": box[0],
        "state": state, "result": repr(retval)[:300], "finished": time.time(),
    }))


__all__ = ["app"]

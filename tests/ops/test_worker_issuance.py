"""The issuing task with real Celery workers on Redis and PostgreSQL (GitHub issue 3).

- two deliveries of one issuance at the same moment issue it once;
- the periodic sweeper sends again an issuance left ISSUING with no task (a broker down at commit);
- a worker killed mid-task leaves nothing behind; Redis redelivers the unacknowledged task
  (acks_late) and the final ledger equals a clean run of the same issuance.

Run by `make test-services` (part 2, `-m worker`): the Makefile's worker consumes its queue and
shares the test database (PACM_TEST_DB_NAME) with the tests; the kill test starts workers of its
own on a queue of its own. The data is committed (transaction=True) so the workers see it; to
catch a task mid-run the test holds the serial counter's row lock from a session of its own, so
the task waits inside its transaction after locking the period.
"""
import datetime
import os

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from pacm.registry.models import SerialCounter
from projects import services, tasks
from projects.cycle import ActivityState as A
from projects.cycle import PeriodState as P
from projects.models import IssuanceRequest, MonitoringPeriod
from projects.services.issuance import issuance_process
from tests import factories as f

from .issuing import NOTHING_ISSUED, assert_issued_once, ledger_of, nothing_issued, period_issuing
from .workers import (
    group_alive,
    logs,
    own_workers,
    pg_backend_alive,
    pg_blocked_by,
    pg_row_locked,
    pg_session,
    wait_for,
    why_not,
    worker_kill,
    worker_ready,
)

REASON = why_not()
if REASON and os.environ.get("PACM_REQUIRE_WORKER"):
    raise RuntimeError(f"PACM_REQUIRE_WORKER is set but the worker tests cannot run: {REASON}")

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(REASON is not None, reason=REASON or ""),
    # serialized_rollback: the reference rows the migrations seeded come back for later tests.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def _workers_done_before_teardown(transactional_db):
    """The tables are emptied after the test only once the workers' own transactions are over
    (the notifications a committed write queued may still be running)."""
    yield
    from django.db import connection as _connection

    if _connection.vendor == "postgresql":
        from tests.ops.workers import database_quiet

        database_quiet()

WAIT_SECONDS = 60  # bound on waiting for a worker to start, pick a task up or finish it
REDELIVERY_SECONDS = 90  # bound on Redis redelivering the killed task and a fresh worker issuing
VISIBILITY_TIMEOUT = 5  # seconds before Redis hands an unacknowledged task to another worker


def state_of(period):
    return MonitoringPeriod.objects.get(pk=period.pk).state


def issued(period):
    return state_of(period) == P.ISSUED


def counters_create(period):
    """Setup: the serial counters of the period's vintages, which the task would otherwise create."""
    for vintage in period.claims.values_list("vintage", flat=True):
        SerialCounter.objects.get_or_create(activity=period.activity, vintage=vintage)


def counters_lock(session, period):
    """Hold the counters' row locks in `session`'s open transaction: a task issuing this period
    takes the period's lock, then waits here until the session ends."""
    rows = session.execute(
        f'SELECT id FROM "{SerialCounter._meta.db_table}" WHERE activity_id = %s FOR UPDATE', [period.activity_id]
    ).fetchall()
    assert rows, "no serial counter to hold"
    return session.info.backend_pid


@pytest.fixture
def issuing(world, activity, advance_to):
    """A period of a registered activity, ISSUING, its task never sent (as if the broker was down)."""
    period = period_issuing(world=world, activity=advance_to(activity, A.REGISTERED))
    assert connection.settings_dict["NAME"] == os.environ["PACM_TEST_DB_NAME"]
    return period


def test_two_deliveries_at_once_issue_once(issuing):
    """The Makefile's worker (two pool processes) runs both deliveries; one waits for the other."""
    counters_create(issuing)
    results = []
    with pg_session() as locker, pg_session(autocommit=True) as observer:
        try:
            locker_pid = counters_lock(locker, issuing)
            # ignore_result=False: the outcome of each delivery comes back through the result backend.
            results = [tasks.issuance_run.apply_async(args=[issuing.pk], ignore_result=False) for _ in range(2)]
            first = wait_for(lambda: pg_blocked_by(observer, locker_pid), seconds=WAIT_SECONDS)
            assert first and len(first) == 1, f"no delivery reached the serial counters: {first}"
            second = wait_for(lambda: pg_blocked_by(observer, first[0]), seconds=WAIT_SECONDS)
            assert second and len(second) == 1, "the other delivery was not running alongside the first"
            assert nothing_issued(issuing) == NOTHING_ISSUED  # both are inside uncommitted transactions
            locker.rollback()
            outcomes = sorted(r.get(timeout=WAIT_SECONDS) for r in results)
        finally:
            locker.rollback()
            for r in results:
                r.forget()
    assert outcomes == ["already issued", "issued"]
    assert_issued_once(issuing)


def test_the_sweeper_issues_an_issuance_whose_task_was_lost(issuing, settings):
    """The sweeper (Celery beat, every five minutes) sends the task again; the worker issues."""
    request = IssuanceRequest.objects.get(period=issuing)
    assert request.dispatched_at is not None  # the appeal window's close tried to send it
    # Setup only: the period has been ISSUING for longer than the sweeper leaves a task to arrive.
    MonitoringPeriod.objects.filter(pk=issuing.pk).update(
        state_entered_at=timezone.now() - settings.PACM_ISSUANCE_SWEEP_AFTER - datetime.timedelta(minutes=1)
    )
    assert nothing_issued(issuing) == {**NOTHING_ISSUED, "next_serials": []}

    swept_from = timezone.now()
    tasks.issuances_sweep.delay()

    assert wait_for(lambda: issued(issuing), seconds=WAIT_SECONDS), (
        f"not issued within {WAIT_SECONDS} s: {state_of(issuing)} (is the Makefile's worker running?)")
    # Sent again by the sweep (the first try's time is the test's moved clock, hence not compared).
    assert IssuanceRequest.objects.get(pk=request.pk).dispatched_at >= swept_from
    assert_issued_once(issuing)


def test_a_worker_killed_mid_task_is_redelivered_and_the_ledger_equals_a_clean_run(
        world, issuing, advance_to, tmp_path):
    # The clean run: the same issuance for an identical activity, run in this process.
    twin_activity = services.activity_create(user=world.ama, **f.pdd_data(world.host, world.version))
    twin = period_issuing(world=world, activity=advance_to(twin_activity, A.REGISTERED))
    assert issuance_process(period_id=twin.pk) == "issued"
    expected = ledger_of(twin)
    assert sum(b[3] - b[2] + 1 for b in expected["blocks"]) == 30_000

    queue = f"{os.environ['PACM_TEST_DB_NAME']}_kill"
    unacked = f"{queue}.unacked"  # tests/ops/worker_app.py
    counters_create(issuing)
    period_table = MonitoringPeriod._meta.db_table
    with (pg_session() as locker, pg_session(autocommit=True) as observer,
          redis.Redis.from_url(django_settings.CELERY_BROKER_URL) as broker,
          own_workers(queue=queue, log_dir=tmp_path, visibility_timeout=VISIBILITY_TIMEOUT) as start):
        try:
            locker_pid = counters_lock(locker, issuing)
            doomed = start()
            assert wait_for(lambda: worker_ready(queue), seconds=WAIT_SECONDS), logs(tmp_path)
            sent = tasks.issuance_run.apply_async(args=[issuing.pk], queue=queue)

            # The task is inside its transaction: the period locked, waiting for the counters.
            waiting = wait_for(lambda: pg_blocked_by(observer, locker_pid), seconds=WAIT_SECONDS)
            assert waiting and len(waiting) == 1, logs(tmp_path)
            assert pg_row_locked(observer, period_table, issuing.pk)

            worker_kill(doomed)
            assert wait_for(lambda: not group_alive(doomed.pid), seconds=WAIT_SECONDS), "a killed worker survived"
            assert broker.hlen(unacked) == 1  # the task is not acknowledged: the broker still holds it
        finally:
            locker.rollback()
        # Its database session ends with the client gone: the transaction rolls back, whole.
        assert wait_for(lambda: not pg_backend_alive(observer, waiting[0]), seconds=WAIT_SECONDS)
        assert not pg_row_locked(observer, period_table, issuing.pk)
        assert nothing_issued(issuing) == NOTHING_ISSUED

        start()  # a fresh worker on the same queue: it restores the task once its visibility timeout passed
        assert wait_for(lambda: issued(issuing), seconds=REDELIVERY_SECONDS), (
            f"not issued {REDELIVERY_SECONDS} s after the kill: {state_of(issuing)}\n{logs(tmp_path)}")
        assert wait_for(lambda: broker.hlen(unacked) == 0, seconds=WAIT_SECONDS)  # acknowledged at last

    # The fresh worker ran the very message the killed one had taken (the same task id).
    assert f"issuance_run[{sent.id}] succeeded" in (tmp_path / "worker-2.log").read_text(), logs(tmp_path)
    assert_issued_once(issuing)
    assert ledger_of(issuing) == expected

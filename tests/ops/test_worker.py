"""A real Celery worker runs the cycle's work end to end (`make test-services`).

The test and the worker share one PostgreSQL database (PACM_TEST_DB_NAME names the test
database; the worker's DATABASE_URL points at it) and one Redis broker. The data is committed
(transaction=True), so the worker sees it; the test only enqueues and then watches the database.
"""
import datetime
import os
import time

import pytest
from django.db import connection
from django.utils import timezone

from projects import tasks
from projects.cycle import ActivityState as A
from projects.models import Activity

from .workers import why_not

WAIT_SECONDS = 60  # a bound on waiting for the worker, so a missing worker fails instead of hanging


REASON = why_not()
if REASON and os.environ.get("PACM_REQUIRE_WORKER"):
    raise RuntimeError(f"PACM_REQUIRE_WORKER is set but the worker test cannot run: {REASON}")

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


def wait_for(predicate):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False


def test_a_worker_closes_a_due_consultation(activity, advance_to):
    assert connection.settings_dict["NAME"] == os.environ["PACM_TEST_DB_NAME"]
    activity = advance_to(activity, A.CONSULTATION)
    # Setup only: make the consultation due now (the state itself is never assigned).
    Activity.objects.filter(pk=activity.pk).update(due_at=timezone.now() - datetime.timedelta(seconds=1))

    result = tasks.timers_run.delay()
    assert type(result).__name__ == "AsyncResult"  # sent to the broker, not run in this process

    def moved():
        return Activity.objects.get(pk=activity.pk).state == A.UNDER_VALIDATION

    assert wait_for(moved), f"no worker closed the consultation within {WAIT_SECONDS} s (is it running?)"
    last = Activity.objects.get(pk=activity.pk).events.order_by("-sequence").first()
    assert (last.actor_label, last.role, last.to_state) == ("timer:close_consultation", "timer", A.UNDER_VALIDATION)

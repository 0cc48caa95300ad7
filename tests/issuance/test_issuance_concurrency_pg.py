"""PostgreSQL only: two runs of one issuance at the same moment issue it once (GitHub issue 3).

Two deliveries of the issuing task may run together (a duplicated message, a redelivery while
the first is still running). `issuance_process` locks the monitoring period first; the second
run waits for that lock and then finds the period issued (rules.md §4.5: one issuance, one set
of serials; 7/CMA.4 annex I para 31: serial numbers are never reused).

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/pacm .venv/bin/pytest -q tests/issuance -m postgres
"""
import threading
import time

import pytest
from django.db import connection

import pacm.registry.services as registry_services
from projects.cycle import PeriodState as P
from projects.services.issuance import issuance_process
from tests.ops.issuing import assert_issued_once, period_close_with_dispatch_lost

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks (DATABASE_URL)"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

OVERLAP_BOUND_SECONDS = 30  # how long the first run waits to see the second one blocked behind it


def race(n, call):
    """Run call() in n threads released together; each closes its own database connection."""
    barrier = threading.Barrier(n)
    results = [None] * n

    def run(i):
        try:
            barrier.wait()
            results[i] = ("ok", call())
        except Exception as error:  # noqa: BLE001 - reported by the test's assertion
            results[i] = ("error", repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def someone_waits_for_me():
    """True once another session waits for a lock this session holds (pg_locks is read live)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE NOT granted AND pg_backend_pid() = ANY(pg_blocking_pids(pid))"
        )
        return cursor.fetchone()[0] > 0


@pytest.fixture
def overlap(monkeypatch):
    """Make the runs overlap for certain: the run that issues (period locked, units written, not yet
    committed) waits until the other run is blocked behind it. Records what each issuing run saw."""
    seen = []
    original = registry_services.issuance_execute

    def execute_then_wait(**kwargs):
        result = original(**kwargs)
        deadline = time.monotonic() + OVERLAP_BOUND_SECONDS
        while not someone_waits_for_me() and time.monotonic() < deadline:
            time.sleep(0.05)
        seen.append(someone_waits_for_me())
        return result

    monkeypatch.setattr(registry_services, "issuance_execute", execute_then_wait)
    return seen


def test_two_runs_at_once_issue_once(world, registered, submit, drive, overlap):
    period = period_close_with_dispatch_lost(drive(submit(registered), P.APPROVED))

    results = race(2, lambda: issuance_process(period_id=period.pk))

    assert sorted(results) == [("ok", "already issued"), ("ok", "issued")], results
    # Only one run reached the registry, and the other was waiting on the period's lock meanwhile.
    assert overlap == [True]
    request = assert_issued_once(period)
    assert (request.gross, request.share_of_proceeds, request.omge, request.net) == (30_000, 1_500, 600, 27_900)
    assert sum(b.quantity for b in world.acct.blocks.all()) == 27_900


def test_two_periods_of_one_activity_issued_at_once(world, registered, submit, drive, overlap):
    """Both issue, one after the other: the activity's event stream stays linear (found by the
    benchmark: without the activity lock the second run hit event_stream_sequence_unique)."""
    from pacm.events.services import chain_verify

    first = period_close_with_dispatch_lost(drive(submit(registered), P.APPROVED))
    second_start = first.end.year + 1
    second = period_close_with_dispatch_lost(
        drive(submit(registered, number=2, claims={second_start: 1_000}), P.APPROVED)
    )

    results = race(2, lambda p=iter([first, second]): issuance_process(period_id=next(p).pk))

    assert sorted(results) == [("ok", "issued"), ("ok", "issued")], results
    assert overlap == [True, False]  # the second waited behind the first, then ran alone
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == second.state == P.ISSUED
    assert chain_verify(registered.stream) == []

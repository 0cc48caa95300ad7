"""PostgreSQL only: a move and a cycle service that touch the same activity and account at once
(issue 11, "Hard to break").

Lock order (docs/architecture.md): the cycle rows (activity, period, request) first, then the
accounts in one statement by key, then the blocks. A transfer locks only accounts, yet writing
a block that points at the activity takes PostgreSQL's key-share lock on the activity row; the
cycle services therefore lock their rows FOR NO KEY UPDATE, which that key-share lock does not
wait for. Each test holds the transfer at the point where it owns the account, lets the other
service queue behind it, then lets it finish: both must succeed.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/pacm PACM_TEST_DB_NAME=pacm_x .venv/bin/pytest -q tests/issuance -m postgres
"""
import logging
import threading
import time

import pytest
from django.db import connection

import pacm.registry.services.transfers as transfers
from pacm.registry.models import UnitBlock
from projects.cycle import PeriodState as P
from projects.models import Activity
from projects.services.issuance import issuance_process
from tests import factories as f
from tests.ops.issuing import period_close_with_dispatch_lost

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks (DATABASE_URL)"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WAIT_BOUND_SECONDS = 30  # how long the paused transfer waits to see the other service queue behind it


def someone_waits_for_me():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE NOT granted AND pg_backend_pid() = ANY(pg_blocking_pids(pid))"
        )
        return cursor.fetchone()[0] > 0


def held(account):
    return sum(b.quantity for b in UnitBlock.objects.filter(account=account))


@pytest.fixture
def paused_transfer(monkeypatch):
    """units_transfer stops once it holds its accounts, until another session waits behind it."""
    holding, queued = threading.Event(), []
    original = transfers.units_move_out

    def move_when_queued(**kwargs):
        holding.set()
        deadline = time.monotonic() + WAIT_BOUND_SECONDS
        while not someone_waits_for_me() and time.monotonic() < deadline:
            time.sleep(0.05)
        queued.append(someone_waits_for_me())
        return original(**kwargs)

    monkeypatch.setattr(transfers, "units_move_out", move_when_queued)
    return holding, queued


def both_at_once(transfer, other, holding):
    """transfer() first; other() once the transfer holds its accounts. Each closes its connection."""
    results = {}

    def run(name, call, after=None):
        try:
            if after is not None:
                after.wait(WAIT_BOUND_SECONDS)
            results[name] = ("ok", call())
        except Exception as exc:  # noqa: BLE001 - a deadlock here is what the test looks for
            results[name] = ("crashed", repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=("transfer", transfer)),
               threading.Thread(target=run, args=("other", other, holding))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.fixture
def no_retries(caplog):
    caplog.set_level(logging.WARNING, logger="pacm.common.retry")
    yield
    assert [r.getMessage() for r in caplog.records if r.name == "pacm.common.retry"] == []


def test_an_issuance_forwarding_to_an_account_while_its_holder_transfers_out(
    world, registered, submit, drive, paused_transfer, no_retries
):
    holding, queued = paused_transfer
    drive(submit(registered), P.ISSUED)  # 27,900 units in PACM-H-DEV-1
    second = period_close_with_dispatch_lost(
        drive(submit(registered, number=2, claims={registered.crediting_start.year + 1: 1_000}), P.APPROVED)
    )
    before = held(world.acct)

    results = both_at_once(
        # One unit: the block is split, so a new block pointing at the activity is written.
        lambda: transfers.units_transfer(user=world.ama, from_account=world.acct, to_account=world.foreign,
                                         quantity=1).quantity,
        lambda: issuance_process(period_id=second.pk),
        holding,
    )

    assert results == {"transfer": ("ok", 1), "other": ("ok", "issued")}
    assert queued == [True]  # the issuance really waited behind the transfer
    second.refresh_from_db()
    assert second.state == P.ISSUED
    assert held(world.acct) == before - 1 + second.issuance.net
    assert held(world.foreign) == 1


def test_a_buffer_replenishment_while_the_holder_transfers_out_of_the_same_account(
    world, registered, submit, drive, paused_transfer, no_retries
):
    """A6.4-STAN-METH-002 v01.0 para 58: the replenishment locks the activity, then the event, then the
    accounts in key order: beside a transfer out of the same account it queues, never deadlocks."""
    import datetime

    from django.utils import timezone

    from projects.reversals import services as rev

    holding, queued = paused_transfer
    methodology = registered.methodology_version.methodology
    methodology.kind = "removals"
    methodology.save()
    Activity.objects.filter(pk=registered.pk).update(risk_rating_percent=10)
    drive(submit(registered), P.ISSUED)
    today = timezone.localdate()
    event = rev.observed_event_notify(activity=registered, user=world.ama, description="Unauthorised harvest",
                                      location="Plot 2", occurred_from=today - datetime.timedelta(days=2),
                                      occurred_to=today - datetime.timedelta(days=1), aware_on=today)
    event = rev.event_suspend_units(event=event, user=world.sofia, comment="Para 44")
    event = rev.event_conclude_reversal(event=event, user=world.ama, comment="Reversal")
    event = rev.event_submit_full_report(event=event, user=world.ama, report=f.pdf("report.pdf"))
    event = rev.event_verify_full_report(event=event, user=world.dora, comment="Verified")
    unit_type = "mc" if set(UnitBlock.objects.filter(activity=registered).values_list(
        "authorization_status", flat=True)) == {"mc"} else "authorized"
    event = rev.event_determine_reversal(event=event, user=world.sofia, avoidable=True, comment="Avoidable",
                                         authorized=500 if unit_type == "authorized" else 0,
                                         contribution=500 if unit_type == "mc" else 0)
    event = rev.event_lift_suspension(event=rev.event_cancel_from_buffer(event=event, user=world.sam),
                                      user=world.sofia, comment="Lifted")
    before = held(world.acct)

    results = both_at_once(
        lambda: transfers.units_transfer(user=world.ama, from_account=world.acct, to_account=world.acct2,
                                         quantity=1).quantity,
        lambda: rev.event_replenish_buffer(event=event, user=world.ama, from_account=world.acct, unit_type=unit_type,
                                           quantity=500).replenishment_owed,
        holding,
    )

    assert results == {"transfer": ("ok", 1), "other": ("ok", 0)}
    assert queued == [True]
    assert held(world.acct) == before - 501 and held(world.acct2) == 1

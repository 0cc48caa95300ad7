"""PostgreSQL only: holders moving units to each other at the same moment (issue 11).

Every move locks the accounts it touches in one order (by primary key, in one statement) and
the blocks after them, so crossing transfers wait for each other instead of deadlocking; a
conflict that still happens is retried (pacm.common.retry) and never reaches a person as a 500.

Run with: DATABASE_URL=postgres://postgres@127.0.0.1:5432/pacm PACM_TEST_DB_NAME=pacm_x .venv/bin/pytest -q tests/registry -m postgres
"""
import logging
import threading

import pytest
from django.db import connection

from pacm.common.errors import ServiceError
from pacm.registry.models import LedgerTransaction, UnitBlock

from .conftest import held, issue

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")


def run_threads(n, work):
    """work(i) in n threads released together; each thread closes its own connection.

    Returns one list of outcomes per thread: ("ok", value), ("refused", message) or ("crashed", repr).
    """
    barrier = threading.Barrier(n)
    results = [[] for _ in range(n)]

    def run(i):
        try:
            barrier.wait()
            work(i, results[i])
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def attempt(outcomes, call):
    try:
        outcomes.append(("ok", call()))
    except ServiceError as exc:
        outcomes.append(("refused", exc.message))
    except Exception as exc:  # noqa: BLE001 - a deadlock here is what the test looks for
        outcomes.append(("crashed", repr(exc)))


def total_units():
    return sum(b.quantity for b in UnitBlock.objects.all())


@pytest.fixture
def retries(caplog):
    """The conflicts the retry helper met: the lock order should leave it nothing to do."""
    caplog.set_level(logging.WARNING, logger="pacm.common.retry")
    return lambda: [r for r in caplog.records if r.name == "pacm.common.retry"]


def test_twenty_rounds_of_two_crossing_transfers_never_deadlock(reg, retries):
    from pacm.registry.services import units_transfer

    issue(reg.activity, 10_000, to=reg.acct)  # ama's Kpone account
    issue(reg.activity, 10_000, to=reg.foreign)  # kofi's Savannah account
    start_acct, start_foreign, start_total = held(reg.acct), held(reg.foreign), total_units()
    moves = [(reg.ama, reg.acct, reg.foreign, 7), (reg.kofi, reg.foreign, reg.acct, 11)]
    rounds, errors = 20, []
    for _ in range(rounds):
        results = run_threads(2, lambda i, out: attempt(out, lambda: units_transfer(
            user=moves[i][0], from_account=moves[i][1], to_account=moves[i][2], quantity=moves[i][3]).pk))
        errors += [r for thread in results for r in thread if r[0] != "ok"]
    assert errors == []
    assert LedgerTransaction.objects.filter(kind="transfer").count() == 2 * rounds
    # Exact conservation: each round moved 7 one way and 11 the other.
    assert held(reg.acct) == start_acct - rounds * 7 + rounds * 11
    assert held(reg.foreign) == start_foreign - rounds * 11 + rounds * 7
    assert total_units() == start_total
    assert retries() == []  # the lock order, not the retry, kept them apart


def test_eight_threads_transferring_round_a_ring_both_ways(reg, retries):
    """4 accounts in a ring; threads 0-3 send clockwise, 4-7 counter-clockwise, 12 times each (96 moves)."""
    from pacm.registry.services import units_transfer

    ring = [(reg.ama, reg.acct), (reg.kofi, reg.foreign), (reg.dina, reg.gh_party), (reg.nils, reg.ke_party)]
    for _, account in ring:
        issue(reg.activity, 5_000, to=account)
    before = {account.pk: held(account) for _, account in ring}
    start_total, each, quantity = total_units(), 12, 5

    def work(i, out):
        user, source = ring[i % 4]
        target = ring[(i % 4 + (1 if i < 4 else -1)) % 4][1]
        for _ in range(each):
            attempt(out, lambda: units_transfer(user=user, from_account=source, to_account=target,
                                                quantity=quantity).pk)

    results = run_threads(8, work)
    outcomes = [r for thread in results for r in thread]
    assert len(outcomes) == 96
    assert [r for r in outcomes if r[0] != "ok"] == []
    # Each account sends 2 x 12 x 5 and receives the same from its two neighbours.
    assert {account.pk: held(account) for _, account in ring} == before
    assert LedgerTransaction.objects.filter(kind="transfer").count() == 96
    assert total_units() == start_total
    spans = sorted(UnitBlock.objects.filter(activity=reg.activity, vintage=2024).values_list("serial_start", "serial_end"))
    assert all(a[1] + 1 == b[0] for a, b in zip(spans, spans[1:], strict=False))
    assert retries() == []

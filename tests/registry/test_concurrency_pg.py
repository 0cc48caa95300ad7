"""PostgreSQL only: concurrent moves and issuances (rules.md §5.4; 7/CMA.4 annex I para 31).

Run with: DATABASE_URL=postgres://postgres@127.0.0.1:5432/pacm_h3 .venv/bin/pytest -q tests/registry -m postgres
"""
import threading

import pytest
from django.db import IntegrityError, connection, transaction

from pacm.common.errors import ServiceError
from pacm.registry.models import AccountKind, LedgerTransaction, UnitBlock

from .conftest import activity_make, held, issue, mech, request_make

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")


def in_threads(n, work):
    """Run work(i) in n threads released together; each closes its own connection."""
    barrier = threading.Barrier(n)
    results = [None] * n

    def run(i):
        try:
            barrier.wait()
            results[i] = ("ok", work(i))
        except ServiceError as exc:
            results[i] = ("refused", exc.message)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results[i] = ("crashed", repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_concurrent_transfers_never_spend_a_unit_twice(reg):
    from pacm.registry.services import units_transfer

    issue(reg.activity, 1_000, to=reg.acct)  # 930 held
    targets = [reg.acct2, reg.foreign, reg.gh_party, reg.ke_party] * 2
    results = in_threads(8, lambda i: units_transfer(user=reg.ama, from_account=reg.acct, to_account=targets[i],
                                                      quantity=150).pk)
    outcomes = sorted(r[0] for r in results)
    assert outcomes == ["ok"] * 6 + ["refused"] * 2, results  # 6 x 150 = 900 fit in 930
    assert all("holds 30 units" in r[1] or "holds" in r[1] for r in results if r[0] == "refused")
    assert held(reg.acct) == 30
    assert sum(held(a) for a in (reg.acct2, reg.foreign, reg.gh_party, reg.ke_party)) == 900
    assert LedgerTransaction.objects.filter(kind="transfer").count() == 6
    # Every unit in exactly one block: no serial of the activity appears twice.
    spans = sorted(UnitBlock.objects.filter(activity=reg.activity).values_list("serial_start", "serial_end"))
    assert spans[0][0] == 1 and all(a[1] + 1 == b[0] for a, b in zip(spans, spans[1:], strict=False)) and spans[-1][1] == 1_000
    assert sum(b.quantity for b in UnitBlock.objects.all()) == 1_000


def test_concurrent_issuances_draw_distinct_serials(reg):
    from methodologies.arithmetic import issuance_split
    from methodologies.models import RuleSet
    from pacm.registry.services import issuance_execute
    from projects.models import IssuanceRequest

    activity = activity_make(reg)
    requests = [request_make(activity, 500) for _ in range(4)]
    split = issuance_split(gross=500, rule_set=RuleSet.objects.in_force())

    def work(i):
        with transaction.atomic():
            request = IssuanceRequest.objects.select_for_update(no_key=True).get(pk=requests[i].pk)
            issuance_execute(issuance=request, tranches=[(2024, 500, "ndc", "")], split=split,
                             distribution=[(reg.acct, split.net)], actor_label="timer:issuance")

    assert [r[0] for r in in_threads(4, work)] == ["ok"] * 4
    spans = sorted(UnitBlock.objects.filter(activity=activity).values_list("serial_start", "serial_end"))
    assert spans[0][0] == 1 and spans[-1][1] == 2_000
    assert all(a[1] + 1 == b[0] for a, b in zip(spans, spans[1:], strict=False))
    assert held(mech(AccountKind.PENDING)) == 0


def test_the_database_refuses_overlapping_serial_ranges(reg):
    issue(reg.activity, 100, to=reg.acct)
    block = UnitBlock.objects.filter(account=reg.acct).first()
    with pytest.raises(IntegrityError, match="serials_no_overlap"), transaction.atomic():
        UnitBlock.objects.create(activity=block.activity, host_party=block.host_party, vintage=block.vintage,
                                 issuance=block.issuance, serial_start=block.serial_end,
                                 serial_end=block.serial_end + 5,
                                 account=reg.acct2, authorization_status="ndc")
    # Another vintage may reuse the numbers.
    UnitBlock.objects.create(activity=block.activity, host_party=block.host_party, vintage=block.vintage + 1,
                             issuance=block.issuance, serial_start=block.serial_start, serial_end=block.serial_end,
                             account=reg.acct2, authorization_status="ndc")


def _commit_together(n, work):
    """Each thread does work(i) in a transaction of its own, waits for the others, then commits:
    PostgreSQL checks the deferred foreign keys (FOR KEY SHARE on the rows they name) at COMMIT,
    while every row each one locked is still locked. A thread that the services make wait for
    another's lock (accounts locked in one order) never gets here: after a few seconds the others
    commit without it, and it goes on."""
    ready = threading.Barrier(n)

    def run(i):
        with transaction.atomic():
            value = work(i)
            try:
                ready.wait(timeout=5)
            except threading.BrokenBarrierError:
                pass  # another waits on a lock this one holds: it goes on once this commits
        return value

    return in_threads(n, run)


def test_crossing_transfers_commit_without_a_deadlock(reg):
    """Issue 11 (make chaos found it): A->B and B->A at once. Each locks its source account; at
    COMMIT each new block's foreign key asks a KEY SHARE lock on the other's source. With
    FOR UPDATE that is a deadlock (PostgreSQL kills one: a 503 for a person); the services lock
    with FOR NO KEY UPDATE, which a key-share check passes, and a move locks both its accounts in
    one order, so the two queue instead."""
    from pacm.registry.services import units_transfer

    issue(reg.activity, 1_000, to=reg.acct)
    issue(reg.activity, 1_000, to=reg.acct2)
    pairs = [(reg.acct, reg.acct2), (reg.acct2, reg.acct)]
    results = _commit_together(2, lambda i: units_transfer(
        user=reg.ama, from_account=pairs[i][0], to_account=pairs[i][1], quantity=10 + i).quantity)
    assert results == [("ok", 10), ("ok", 11)], results
    assert held(reg.acct) == 930 - 10 + 11 and held(reg.acct2) == 930 - 11 + 10


def test_a_transfer_and_an_issuance_into_its_account_commit_without_a_deadlock(reg):
    """The issuance task holds the activity row (the lock every service takes first) and forwards
    into a holding account; a transfer out of that account, of units of the same activity, holds
    the account. At COMMIT each needs a KEY SHARE on the row the other holds."""
    from pacm.registry.services import units_transfer
    from projects.models import Activity
    from projects.services.base import lock

    issue(reg.activity, 1_000, to=reg.acct)

    def work(i):
        if i == 0:
            lock(Activity, reg.activity.pk)
            return issue(reg.activity, 500, to=reg.acct)[1].net
        return units_transfer(user=reg.ama, from_account=reg.acct, to_account=reg.acct2, quantity=7).quantity

    results = _commit_together(2, work)
    assert [r[0] for r in results] == ["ok", "ok"], results
    assert held(reg.acct2) == 7 and held(reg.acct) == 930 + results[0][1] - 7

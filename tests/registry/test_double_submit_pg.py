"""PostgreSQL only: the same transfer form sent twice at the same moment moves the units once
(issue 11). Both posts carry the same one-time key; the first claims it (pacm.common.submission)
and, while it has not committed, the second waits on the key's unique index, then gets the
first one's redirect and message.

Run with: DATABASE_URL=postgres://postgres@127.0.0.1:5432/pacm PACM_TEST_DB_NAME=pacm_x .venv/bin/pytest -q tests/registry -m postgres
"""
import re
import threading
import time

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.urls import reverse

import pacm.registry.services as registry_services
from pacm.registry.models import LedgerTransaction
from tests.submission_keys import page_keys

from .conftest import held, issue

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WAIT_BOUND_SECONDS = 30


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")


def someone_waits_for_me():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE NOT granted AND pg_backend_pid() = ANY(pg_blocking_pids(pid))"
        )
        return cursor.fetchone()[0] > 0


@pytest.fixture
def slow_transfer(monkeypatch):
    """The transfer, once it runs, waits (bounded) until another session waits behind it."""
    queued = []
    original = registry_services.units_transfer

    def transfer_when_queued(**kwargs):
        deadline = time.monotonic() + WAIT_BOUND_SECONDS
        while not someone_waits_for_me() and time.monotonic() < deadline:
            time.sleep(0.05)
        queued.append(someone_waits_for_me())
        return original(**kwargs)

    monkeypatch.setattr(registry_services, "units_transfer", transfer_when_queued)
    return queued


def test_two_posts_of_one_transfer_form_at_once_move_the_units_once(reg, slow_transfer):
    issue(reg.activity, 2_000, to=reg.acct)
    before_acct, before_foreign = held(reg.acct), held(reg.foreign)
    page = reverse("registry-account", kwargs={"number": reg.acct.number})
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(reg.ama)
    key = page_keys(clients[0].get(page).content.decode())["transfer-submission_key"]
    data = {"transfer-to_account": reg.foreign.number, "transfer-quantity": "1000", "transfer-submission_key": key}
    # pacm issue 9: units move on the review's confirm only; both posts send the one confirm.
    review = clients[0].post(reverse("registry-transfer", kwargs={"number": reg.acct.number}), {**data, "review": "1"})
    data["confirm"] = re.search(r'name="confirm" value="([^"]+)"', review.content.decode()).group(1)
    barrier, results = threading.Barrier(2), [None, None]

    def post(i):
        try:
            barrier.wait()
            response = clients[i].post(reverse("registry-transfer", kwargs={"number": reg.acct.number}), data)
            results[i] = (response.status_code, response.get("Location"),
                          [str(m) for m in get_messages(response.wsgi_request)])
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results[i] = ("crashed", repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert results[0] == results[1] == (302, page, [f"1,000 units transferred to {reg.foreign.number} (a first transfer)."])
    assert slow_transfer == [True]  # one post ran the transfer while the other waited on the key
    assert LedgerTransaction.objects.filter(kind="transfer").count() == 1
    assert held(reg.acct) == before_acct - 1_000 and held(reg.foreign) == before_foreign + 1_000

"""Double submit (issue 11): a form sent twice takes effect once (pacm.common.submission).

Each form that moves units or creates a record carries a one-time key, new each time the page
is rendered. The same key twice gets the first post's redirect and message; a fresh key is a
new, honest submission; a refused post (bad input, a rule) does not use the key up.
"""
import pytest
from django.urls import reverse

from pacm.events.models import Event, EventKind
from pacm.registry.models import LedgerTransaction, UnitBlock
from projects.cycle import PeriodState as P
from projects.models import MonitoringPeriod
from tests.submission_keys import form_keys, outcome, page_keys

from ..move_steps import move_post
from .conftest import claims_post, issuance_post, period_dates, period_url


def held(account):
    return sum(b.quantity for b in UnitBlock.objects.filter(account=account))


def account_url(number, view="registry-account"):
    return reverse(view, kwargs={"number": number})


@pytest.fixture
def issued(world, registered, submit, drive):
    """27,900 NDC-authorized units in ama's PACM-H-DEV-1."""
    return drive(submit(registered), P.ISSUED)


def transfer_key(client):
    return page_keys(client.get(account_url("PACM-H-DEV-1")).content.decode())["transfer-submission_key"]


def transfer(client, key, quantity="1000", to="PACM-H-SAV-1"):
    data = {"transfer-to_account": to, "transfer-quantity": quantity, "transfer-submission_key": key}
    return move_post(client, account_url("PACM-H-DEV-1", "registry-transfer"), data, follow=True)


def test_every_move_form_of_an_account_page_carries_its_own_key(as_user, world, issued):
    html = as_user(world.ama).get(account_url("PACM-H-DEV-1")).content.decode()
    keys = dict((action, key) for action, key in form_keys(html) if "/accounts/PACM-H-DEV-1/" in action)
    assert {action.rstrip("/").rsplit("/", 1)[-1] for action in keys} == {"transfer", "cancel", "use"}
    values = [v for key in keys.values() for v in key.values()]
    assert len(values) == 3 and len(set(values)) == 3 and all(len(v) >= 16 for v in values)
    # A new rendering, new keys.
    again = page_keys(as_user(world.ama).get(account_url("PACM-H-DEV-1")).content.decode())
    assert not set(again.values()) & set(values)


def test_a_transfer_sent_twice_with_the_same_key_moves_the_units_once(as_user, world, issued):
    client = as_user(world.ama)
    key = transfer_key(client)
    first = outcome(transfer(client, key))
    second = outcome(transfer(client, key))
    assert first == (302, account_url("PACM-H-DEV-1"), ["1,000 units transferred to PACM-H-SAV-1 (a first transfer)."])
    assert second == first  # the same place, the same message
    assert held(world.acct) == 26_900 and held(world.foreign) == 1_000
    assert LedgerTransaction.objects.filter(kind="transfer").count() == 1
    assert Event.objects.filter(stream="account:PACM-H-DEV-1", kind=EventKind.UNITS_MOVED).count() == 1


def test_a_fresh_key_is_a_second_honest_transfer(as_user, world, issued):
    client = as_user(world.ama)
    assert outcome(transfer(client, transfer_key(client)))[0] == 302
    assert outcome(transfer(client, transfer_key(client)))[0] == 302
    assert held(world.acct) == 25_900 and held(world.foreign) == 2_000
    assert LedgerTransaction.objects.filter(kind="transfer").count() == 2


@pytest.mark.parametrize(
    "bad, message",
    [
        ("ten", "Give a whole number of units, at least 1."),  # refused by the form
        ("30000", "PACM-H-DEV-1 holds 27,900 units; 30,000 cannot be moved."),  # refused by the service
    ],
)
def test_a_refused_transfer_does_not_use_the_key_up(as_user, world, issued, bad, message):
    client = as_user(world.ama)
    key = transfer_key(client)
    response = transfer(client, key, quantity=bad)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert page_keys(html)["transfer-submission_key"] == key  # the form shown again keeps its key
    assert held(world.acct) == 27_900
    # Corrected and sent again with the same key: it takes effect, once.
    assert outcome(transfer(client, key))[0] == 302
    assert outcome(transfer(client, key))[0] == 302
    assert held(world.acct) == 26_900 and LedgerTransaction.objects.filter(kind="transfer").count() == 1


def test_a_key_is_not_replayed_for_another_person_or_form(as_user, world, issued):
    client = as_user(world.ama)
    key = transfer_key(client)
    assert outcome(transfer(client, key))[0] == 302
    # The same key on the cancel form of the same account: refused, nothing moves.
    data = {"cancel-quantity": "5", "cancel-purpose": "Claim", "cancel-submission_key": key}
    response = move_post(client, account_url("PACM-H-DEV-1", "registry-cancel"), data)
    assert response.status_code == 200 and "already sent from another page" in response.content.decode()
    assert held(world.acct) == 26_900
    # Kofi, sending ama's key from his own account, is refused too.
    kofi = as_user(world.kofi)
    data = {"transfer-to_account": "PACM-H-DEV-2", "transfer-quantity": "1", "transfer-submission_key": key}
    response = move_post(kofi, account_url("PACM-H-SAV-1", "registry-transfer"), data)
    assert response.status_code == 200 and held(world.foreign) == 1_000


def test_a_malformed_key_is_refused_and_nothing_moves(as_user, world, issued):
    response = transfer(as_user(world.ama), "not a key!")
    assert response.status_code == 200 and "This form has expired" in response.content.decode()
    assert held(world.acct) == 27_900


def test_a_post_without_a_key_is_accepted_unless_keys_are_required(as_user, world, issued, settings):
    client = as_user(world.ama)
    data = {"transfer-to_account": "PACM-H-SAV-1", "transfer-quantity": "10"}
    assert move_post(client, account_url("PACM-H-DEV-1", "registry-transfer"), data).status_code == 302
    settings.PACM_SUBMISSION_KEY_REQUIRED = True
    response = move_post(client, account_url("PACM-H-DEV-1", "registry-transfer"), data)
    assert response.status_code == 200 and "This form has expired" in response.content.decode()
    assert held(world.foreign) == 10


def test_a_monitoring_report_sent_twice_makes_one_period(as_user, world, registered):
    client = as_user(world.ama)
    url = reverse("period-submit", kwargs={"reference": registered.reference})
    key = page_keys(client.get(url).content.decode())["submission_key"]
    start, end = period_dates(registered)
    data = claims_post(start, end, [(start.year, 100)]) | {"submission_key": key}
    first = outcome(client.post(url, data, follow=True))
    data["report"].seek(0)
    second = outcome(client.post(url, data, follow=True))
    assert first[0] == 302 and second == first
    assert MonitoringPeriod.objects.filter(activity=registered).count() == 1


def test_an_issuance_request_sent_twice_is_submitted_once(as_user, world, verified):
    from projects.models import Fee

    client = as_user(world.dora)
    page = client.get(period_url(verified)).content.decode()
    key = page_keys(page)["issue-submission_key"]
    # Previewing the split does not use the key: it submits nothing.
    data = issuance_post(units=30_000, lines=[("PACM-H-DEV-1", None, "100")]) | {"issue-submission_key": key}
    preview = client.post(period_url(verified, "period-request-issuance"), data | {"preview": "1"}, follow=True)
    assert preview.status_code == 200 and page_keys(preview.content.decode())["issue-submission_key"] == key
    first = outcome(client.post(period_url(verified, "period-request-issuance"), data, follow=True))
    second = outcome(client.post(period_url(verified, "period-request-issuance"), data, follow=True))
    assert first[0] == 302 and second == first
    verified.refresh_from_db()
    assert verified.state == P.ISSUANCE_REQUESTED
    assert Fee.objects.filter(monitoring_period=verified, kind="issuance").count() == 1

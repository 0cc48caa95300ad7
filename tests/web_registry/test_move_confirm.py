"""pacm issue 9: a transfer, use or cancellation is reviewed before it moves anything.

The review page shows the receiver's holder and the exact serial ranges the move's own planner
(`units_plan`) would take; the confirm carries them signed, and is refused if they changed.
"""
import re

import pytest
from django.urls import reverse

from pacm.events.models import Event, EventKind
from pacm.registry.models import Account, AccountKind, LedgerTransaction, UnitBlock
from pacm.registry.serials import serial_compose
from pacm.registry.services import account_open, units_transfer, units_transfer_preview
from projects.cycle import PeriodState as P
from tests.security.test_deploy import inline_code


@pytest.fixture
def issued(world, registered, submit, drive):
    return drive(submit(registered), P.ISSUED)


def held(account):
    return sum(b.quantity for b in UnitBlock.objects.filter(account=account))


def url(number, view):
    return reverse(view, kwargs={"number": number})


def token_of(html):
    return re.search(r'name="confirm" value="([^"]+)"', html).group(1)


def first_range(world, quantity):
    block = UnitBlock.objects.select_related("host_party", "activity").filter(account=world.acct).order_by(
        "activity_id", "vintage", "serial_start").first()
    return serial_compose(host_iso2=block.host_party.iso2, activity_reference=block.activity.reference,
                          component_reference=None, vintage=block.vintage, serial_start=block.serial_start,
                          serial_end=block.serial_start + quantity - 1)


def test_the_account_page_asks_for_a_review_not_a_move(as_user, world, issued):
    html = as_user(world.ama).get(url("PACM-H-DEV-1", "registry-account")).content.decode()
    assert html.count('name="review"') == 3
    assert "data-confirm" not in html


def test_a_transfer_is_reviewed_then_confirmed(as_user, world, issued):
    client = as_user(world.ama)
    data = {"transfer-to_account": "PACM-H-SAV-1", "transfer-quantity": "1000"}
    before = LedgerTransaction.objects.count()
    assert not Event.objects.filter(stream="account:PACM-H-DEV-1", kind=EventKind.UNITS_MOVED).exists()
    review = client.post(url("PACM-H-DEV-1", "registry-transfer"), {**data, "review": "1"})
    html = review.content.decode()
    assert review.status_code == 200
    assert LedgerTransaction.objects.count() == before and held(world.acct) == 27_900  # nothing moved yet
    assert not Event.objects.filter(stream="account:PACM-H-DEV-1", kind=EventKind.UNITS_MOVED).exists()
    assert world.foreign.organisation.name in html and "PACM-H-SAV-1" in html
    assert first_range(world, 1000) in html and "1,000 units" in html
    assert inline_code(html) == []  # a server-rendered page, no script of its own (CSP)
    # The confirm posts back the same fields and the signed digest of what was shown.
    response = client.post(url("PACM-H-DEV-1", "registry-transfer"), {**data, "confirm": token_of(html)})
    assert response.status_code == 302
    assert held(world.acct) == 26_900 and held(world.foreign) == 1_000
    events = list(Event.objects.filter(stream="account:PACM-H-DEV-1", kind=EventKind.UNITS_MOVED))
    assert [(e.payload["to"], e.payload["quantity"], e.actor_label) for e in events] == [("PACM-H-SAV-1", 1000, "ama")]
    assert "1,000 units transferred to PACM-H-SAV-1" in client.get(response.url).content.decode()


def test_a_confirm_whose_ranges_changed_is_refused(as_user, world, issued):
    client = as_user(world.ama)
    data = {"transfer-to_account": "PACM-H-SAV-1", "transfer-quantity": "1000"}
    html = client.post(url("PACM-H-DEV-1", "registry-transfer"), {**data, "review": "1"}).content.decode()
    token, shown = token_of(html), first_range(world, 1000)
    # Meanwhile another holder of the account sends the oldest units elsewhere.
    units_transfer(user=world.ama, from_account=world.acct, to_account=world.acct2, quantity=10)
    before = LedgerTransaction.objects.count()
    response = client.post(url("PACM-H-DEV-1", "registry-transfer"), {**data, "confirm": token})
    html = response.content.decode()
    assert response.status_code == 200
    assert "The account changed since you looked" in html
    assert LedgerTransaction.objects.count() == before and held(world.foreign) == 0
    assert shown not in html and first_range(world, 1000) in html  # the ranges as they are now
    # Confirming the new review moves the units.
    response = client.post(url("PACM-H-DEV-1", "registry-transfer"), {**data, "confirm": token_of(html)})
    assert response.status_code == 302 and held(world.foreign) == 1_000


def test_a_forged_or_foreign_token_is_refused(as_user, world, issued):
    client = as_user(world.ama)
    data = {"transfer-to_account": "PACM-H-SAV-1", "transfer-quantity": "5"}
    html = client.post(url("PACM-H-DEV-1", "registry-transfer"), {**data, "review": "1"}).content.decode()
    token = token_of(html)
    # The same token for another receiver: the digest covers the receiving account.
    other = {**data, "transfer-to_account": "PACM-H-DEV-2", "confirm": token}
    response = client.post(url("PACM-H-DEV-1", "registry-transfer"), other)
    assert response.status_code == 200 and "The account changed since you looked" in response.content.decode()
    response = client.post(url("PACM-H-DEV-1", "registry-transfer"), {**data, "confirm": "nonsense"})
    assert response.status_code == 200 and "The account changed since you looked" in response.content.decode()
    assert held(world.acct) == 27_900


def test_a_review_refuses_what_the_move_refuses(as_user, world, issued):
    client = as_user(world.ama)
    response = client.post(url("PACM-H-DEV-1", "registry-transfer"),
                           {"transfer-to_account": "PACM-H-SAV-1", "transfer-quantity": "27901", "review": "1"})
    html = response.content.decode()
    assert response.status_code == 200 and "Nothing moved" in html
    assert "PACM-H-DEV-1 holds 27,900 units; 27,901 cannot be moved." in html and 'name="confirm"' not in html


def test_a_retirement_is_reviewed_with_the_partys_account(as_user, world, issued):
    retirement = account_open(kind=AccountKind.RETIREMENT, name="Ghana retirement", party=world.host)
    client = as_user(world.ama)
    data = {"use-use": "retirement", "use-quantity": "1", "use-party": str(world.host.pk),
            "use-purpose": "Ghana NDC 2030", "use-beneficiary": ""}
    html = client.post(url("PACM-H-DEV-1", "registry-use"), {**data, "review": "1"}).content.decode()
    assert retirement.number in html and world.host.name in html
    assert "1 unit<" in html and first_range(world, 1) in html and "1 units" not in html
    response = client.post(url("PACM-H-DEV-1", "registry-use"), {**data, "confirm": token_of(html)})
    assert response.status_code == 302 and held(retirement) == 1
    assert "1 unit moved to Ghana retirement" in client.get(response.url).content.decode()


def test_a_cancellation_is_reviewed_to_the_mechanisms_account(as_user, world, issued):
    client = as_user(world.ama)
    data = {"cancel-quantity": "300", "cancel-purpose": "Voluntary claim 2026", "cancel-beneficiary": "Accra"}
    html = client.post(url("PACM-H-DEV-1", "registry-cancel"), {**data, "review": "1"}).content.decode()
    target = Account.objects.get(kind=AccountKind.VOLUNTARY_CANCELLATION)
    assert target.number in html and "the mechanism" in html and first_range(world, 300) in html
    response = client.post(url("PACM-H-DEV-1", "registry-cancel"), {**data, "confirm": token_of(html)})
    assert response.status_code == 302 and held(target) == 300


def test_the_preview_is_the_planner_and_writes_nothing(world, issued):
    before = (LedgerTransaction.objects.count(), Event.objects.count())
    preview = units_transfer_preview(user=world.ama, from_account=world.acct, to_account="PACM-H-SAV-1",
                                     quantity=1000)
    assert (LedgerTransaction.objects.count(), Event.objects.count()) == before
    row = units_transfer(user=world.ama, from_account=world.acct, to_account=world.foreign, quantity=1000)
    moved = [(e.serial_start, e.serial_end) for e in row.entries.order_by("pk")]
    assert [(start, end) for _b, start, end in preview.ranges] == moved


def test_one_unit_reads_as_one_unit(as_user, world, issued):
    units_transfer(user=world.ama, from_account=world.acct, to_account=world.acct2, quantity=1)
    client = as_user(world.ama)
    response = client.post(url("PACM-H-DEV-2", "registry-transfer"),
                           {"transfer-to_account": "PACM-H-SAV-1", "transfer-quantity": "2", "review": "1"})
    assert "PACM-H-DEV-2 holds 1 unit; 2 cannot be moved." in response.content.decode()
    response = client.post(url("PACM-H-DEV-2", "registry-use"),
                           {"use-use": "oimp", "use-quantity": "2", "use-purpose": "CORSIA", "review": "1"})
    assert "PACM-H-DEV-2 holds 0 OIMP-authorized units; 2 cannot be moved." in response.content.decode()
    page = client.get(url("PACM-H-DEV-2", "registry-account")).content.decode()
    assert '<div class="display-6" id="total-held">1</div>\n      <div class="small text-secondary">unit</div>' in page


@pytest.mark.parametrize("key, view, fields", [
    ("transfer", "registry-transfer", {"to_account": "PACM-H-SAV-1", "quantity": "1000"}),
    ("cancel", "registry-cancel", {"quantity": "1000", "purpose": "Voluntary offset", "beneficiary": "Kpone"}),
])
def test_a_post_that_skips_the_review_moves_nothing_and_shows_the_review(as_user, world, issued, key, view, fields):
    """pacm issue 9 (safeguards): a hand-made form, or a page from before the review step, posts the
    move without its confirm: the answer is the review, and no unit moves until it is confirmed."""
    client = as_user(world.ama)
    data = {f"{key}-{name}": value for name, value in fields.items()}
    before = LedgerTransaction.objects.count()
    response = client.post(url("PACM-H-DEV-1", view), data)
    html = response.content.decode()
    assert response.status_code == 200 and 'name="confirm"' in html and first_range(world, 1000) in html
    assert LedgerTransaction.objects.count() == before and held(world.acct) == 27_900
    assert not Event.objects.filter(stream="account:PACM-H-DEV-1", kind=EventKind.UNITS_MOVED).exists()
    response = client.post(url("PACM-H-DEV-1", view), {**data, "confirm": token_of(html)})
    assert response.status_code == 302 and held(world.acct) == 26_900

"""Holders' accounts through the web (rules.md §5; 7/CMA.4 annex I paras 33-45): statements and moves."""

import pytest
from django.urls import reverse

from pacm.registry.models import Account, AccountKind, LedgerTransaction, UnitBlock
from pacm.registry.serials import serial_format
from pacm.registry.services import account_open
from projects.cycle import PeriodState as P

from .. import factories as f
from ..move_steps import move_post
from .conftest import form_actions


def held(account, **filters):
    return sum(b.quantity for b in UnitBlock.objects.filter(account=account, **filters))


def account_url(number, view="registry-account"):
    return reverse(view, kwargs={"number": number})


@pytest.fixture
def issued(world, registered, submit, drive):
    """30,000 NDC-authorized units issued; the net 27,900 forwarded to ama's PACM-H-DEV-1."""
    period = drive(submit(registered), P.ISSUED)
    world.period = period
    return period


@pytest.fixture
def ghana_retirement(world):
    return account_open(kind=AccountKind.RETIREMENT, name="Ghana retirement", party=world.host)


def test_my_accounts_lists_only_the_users_own(as_user, world, issued):
    html = as_user(world.ama).get(reverse("registry-accounts")).content.decode()
    assert account_url("PACM-H-DEV-1") in html and account_url("PACM-H-DEV-2") in html
    assert "27,900" in html
    assert "PACM-H-SAV-1" not in html
    html = as_user(world.kofi).get(reverse("registry-accounts")).content.decode()
    assert account_url("PACM-H-SAV-1") in html and "PACM-H-DEV-1" not in html
    response = as_user(None).get(reverse("registry-accounts"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_account_page_shows_holdings_serials_and_statement(as_user, world, issued):
    html = as_user(world.ama).get(account_url("PACM-H-DEV-1")).content.decode()
    block = UnitBlock.objects.select_related("host_party", "activity").get(account=world.acct)
    assert serial_format(block) in html
    assert "Holdings statement" in html and "Authorized for NDC use" in html
    assert issued.activity.reference in html and str(block.vintage) in html
    assert "Forwarding" in html and "+27,900" in html and "PACM-PENDING" in html


@pytest.mark.parametrize("who", ["kofi", "dina", "nils", "sam", "sofia", "dora"])
def test_an_account_is_404_to_anyone_but_its_holders(as_user, world, issued, who):
    client = as_user(getattr(world, who))
    assert client.get(account_url("PACM-H-DEV-1")).status_code == 404
    response = client.post(account_url("PACM-H-DEV-1", "registry-transfer"),
                           {"transfer-to_account": "PACM-H-SAV-1", "transfer-quantity": "10"})
    assert response.status_code == 404
    assert held(world.acct) == 27_900


def test_the_dna_sees_its_partys_accounts(as_user, world, ghana_retirement):
    party_holding = account_open(kind=AccountKind.HOLDING, name="Ghana Party holding", party=world.host)
    html = as_user(world.dina).get(reverse("registry-accounts")).content.decode()
    assert party_holding.number in html and ghana_retirement.number in html
    assert as_user(world.dina).get(account_url(party_holding.number)).status_code == 200
    assert as_user(world.nils).get(account_url(party_holding.number)).status_code == 404


def transfer(client, number, to, quantity, **extra):
    data = {"transfer-to_account": to, "transfer-quantity": str(quantity)}
    data.update({f"transfer-{k}": str(v) for k, v in extra.items()})
    return move_post(client, account_url(number, "registry-transfer"), data)


def test_transfer_to_another_holding_account(as_user, world, issued):
    client = as_user(world.ama)
    response = transfer(client, "PACM-H-DEV-1", "PACM-H-SAV-1", 1_000)
    assert response.status_code == 302
    assert held(world.acct) == 26_900 and held(world.foreign) == 1_000
    row = LedgerTransaction.objects.get(kind="transfer")
    assert (row.from_account, row.to_account, row.quantity, row.actor_label) == (
        world.acct, world.foreign, 1_000, "ama")
    html = client.get(response.url).content.decode()
    assert "1,000 units transferred to PACM-H-SAV-1" in html and "−1,000" in html
    assert "+1,000" in as_user(world.kofi).get(account_url("PACM-H-SAV-1")).content.decode()


@pytest.mark.parametrize(
    "to, quantity, extra, message",
    [
        ("PACM-H-SAV-1", 27_901, {}, "PACM-H-DEV-1 holds 27,900 units; 27,901 cannot be moved."),
        ("PACM-H-NOPE", 10, {}, "No account PACM-H-NOPE exists."),
        ("PACM-OMGE", 10, {}, "is not a holding account"),
        ("PACM-H-DEV-1", 10, {}, "The units are already in this account."),
        ("PACM-H-SAV-1", 0, {}, "Give a whole number of units, at least 1."),
        ("PACM-H-SAV-1", -5, {}, "Give a whole number of units, at least 1."),
        ("PACM-H-SAV-1", "2.5", {}, "Give a whole number of units, at least 1."),
        ("PACM-H-SAV-1", "", {}, "Give a whole number of units, at least 1."),
        ("PACM-H-SAV-1", 10, {"vintage": 2001}, "PACM-H-DEV-1 holds 0 units; 10 cannot be moved."),
    ],
)
def test_bad_transfers_move_nothing(as_user, world, issued, to, quantity, extra, message):
    if to == "PACM-OMGE":
        to = Account.objects.get(kind=AccountKind.OMGE_MANDATORY).number
    before = LedgerTransaction.objects.count()
    response = transfer(as_user(world.ama), "PACM-H-DEV-1", to, quantity, **extra)
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html and "Nothing moved" in html
    assert held(world.acct) == 27_900 and LedgerTransaction.objects.count() == before


def test_no_transfer_out_of_a_retirement_account(as_user, world, issued, ghana_retirement):
    """7/CMA.4 annex I para 45: units in a cancellation or retirement account never move again."""
    from pacm.registry.services import units_use

    units_use(user=world.ama, from_account=world.acct, quantity=100, purpose="NDC 2030", beneficiary="",
              use="retirement", party=world.host)
    assert held(ghana_retirement) == 100
    client = as_user(world.dina)
    html = client.get(account_url(ghana_retirement.number)).content.decode()
    assert "can never move again" in html
    assert account_url(ghana_retirement.number, "registry-transfer") not in form_actions(html)
    response = transfer(client, ghana_retirement.number, "PACM-H-DEV-2", 50)
    assert response.status_code == 200
    assert f"{ghana_retirement.number} is a retirement (ndc use) account: its units can never move again." in (
        response.content.decode())
    assert held(ghana_retirement) == 100 and held(world.acct2) == 0
    # The mechanism's cancellation accounts belong to no holder: their pages and forms are 404.
    cancellation = Account.objects.get(kind=AccountKind.VOLUNTARY_CANCELLATION)
    assert transfer(as_user(world.ama), cancellation.number, "PACM-H-DEV-2", 1).status_code == 404


def test_voluntary_cancellation(as_user, world, issued):
    client = as_user(world.ama)
    url = account_url("PACM-H-DEV-1", "registry-cancel")
    response = client.post(url, {"cancel-quantity": "300", "cancel-purpose": "", "cancel-beneficiary": ""})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert held(world.acct) == 27_900
    response = move_post(client, url, {"cancel-quantity": "300", "cancel-purpose": "Voluntary claim 2026",
                                       "cancel-beneficiary": "Accra Breweries"})
    assert response.status_code == 302
    target = Account.objects.get(kind=AccountKind.VOLUNTARY_CANCELLATION)
    assert held(world.acct) == 27_600 and held(target) == 300
    row = LedgerTransaction.objects.get(kind="voluntary_cancellation")
    assert (row.purpose, row.beneficiary, row.quantity) == ("Voluntary claim 2026", "Accra Breweries", 300)


def use(client, number, **data):
    return move_post(client, account_url(number, "registry-use"), {f"use-{k}": str(v) for k, v in data.items()})


def test_use_retires_ndc_units_for_the_accounts_party(as_user, world, issued, ghana_retirement):
    client = as_user(world.ama)
    response = use(client, "PACM-H-DEV-1", use="retirement", quantity=500, party=world.host.pk,
                   purpose="Ghana NDC 2030", beneficiary="")
    assert response.status_code == 302
    assert held(ghana_retirement) == 500 and held(world.acct) == 27_400


@pytest.mark.parametrize(
    "data, message",
    [
        ({"use": "retirement", "quantity": 10, "purpose": "NDC", "party": ""}, "Say for which Party&#x27;s NDC"),
        ({"use": "retirement", "quantity": 10, "purpose": "NDC", "party": "KE"},
         "PACM-H-DEV-1 is not associated with Kenya: it cannot retire into its account."),
        ({"use": "oimp", "quantity": 10, "purpose": "CORSIA"}, "PACM-H-DEV-1 holds 0 OIMP-authorized units"),
        ({"use": "omge_voluntary", "quantity": 10, "purpose": "OMGE"},
         "PACM-H-DEV-1 holds 0 correspondingly adjusted units"),
        ({"use": "burn", "quantity": 10, "purpose": "x"}, "Select a valid choice."),
        ({"use": "voluntary", "quantity": 10, "purpose": ""}, "This field is required."),
        ({"use": "voluntary", "quantity": 0, "purpose": "x"}, "Give a whole number of units, at least 1."),
    ],
)
def test_bad_uses_move_nothing(as_user, world, issued, ghana_retirement, data, message):
    if data.get("party") == "KE":
        data["party"] = world.other.pk
    before = LedgerTransaction.objects.count()
    response = use(as_user(world.ama), "PACM-H-DEV-1", **data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert held(world.acct) == 27_900 and LedgerTransaction.objects.count() == before


def test_statement_is_paginated(as_user, world, issued):
    from pacm.registry.services import units_transfer

    for _ in range(30):
        units_transfer(user=world.ama, from_account=world.acct, to_account=world.acct2, quantity=1)
    client = as_user(world.ama)
    first = client.get(account_url("PACM-H-DEV-2")).content.decode()
    # pacm issue 8: keyset pages, newest first; the "Older" link starts after the page's last key.
    oldest_shown = LedgerTransaction.objects.filter(to_account__number="PACM-H-DEV-2").order_by("-pk")[24].pk
    assert f"?before={oldest_shown}#statement" in first
    second = client.get(account_url("PACM-H-DEV-2"), {"before": oldest_shown}).content.decode()
    assert first.count("+1<") == 25 and second.count("+1<") == 5
    assert "?before=" not in second.split('id="statement"')[1]  # the last page links to no older one


# --- Opening a holding account (7/CMA.4 annex I para 33) -------------------------------------


@pytest.fixture
def newcomer(world):
    return f.organisation("Volta Solar", "participant", party=world.host, authorized_by_party=True)


def test_dna_opens_a_holding_account_for_its_partys_participant(as_user, world, newcomer):
    client = as_user(world.dina)
    html = client.get(reverse("registry-accounts")).content.decode()
    assert reverse("registry-account-open") in form_actions(html) and "Volta Solar" in html
    assert "Savannah Carbon" not in html  # a Kenyan entity: not Ghana's DNA's to open
    response = client.post(reverse("registry-account-open"), {"open-organisation": newcomer.pk, "open-name": ""})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert not Account.objects.filter(organisation=newcomer).exists()
    response = client.post(reverse("registry-account-open"),
                           {"open-organisation": newcomer.pk, "open-name": "Volta Solar main",
                            "open-authorization_document": "GH letter 12", "open-authorization_date": "2025-03-01"})
    assert response.status_code == 302
    account = Account.objects.get(organisation=newcomer)
    assert (account.kind, account.name) == (AccountKind.HOLDING, "Volta Solar main")
    assert (account.authorized_by, account.authorization_document) == (world.host, "GH letter 12")
    assert account.number.startswith("PACM-H-")
    # It has one now: no longer offered.
    assert "Volta Solar" not in as_user(world.dina).get(reverse("registry-accounts")).content.decode()


def test_others_cannot_open_accounts(as_user, world, newcomer):
    for who in (world.ama, world.kofi, world.dora, world.sofia):
        client = as_user(who)
        html = client.get(reverse("registry-accounts")).content.decode()
        assert reverse("registry-account-open") not in form_actions(html)
        response = client.post(reverse("registry-account-open"), {"open-organisation": newcomer.pk, "open-name": "X"})
        assert response.status_code == 403, who
    # Kenya's DNA may not open one for a Ghanaian entity.
    response = as_user(world.nils).post(reverse("registry-account-open"),
                                        {"open-organisation": newcomer.pk, "open-name": "X"})
    assert response.status_code == 200 and "Select a valid choice." in response.content.decode()
    assert not Account.objects.filter(organisation=newcomer).exists()


def test_secretariat_opens_an_account_for_any_participant(as_user, world, newcomer):
    response = as_user(world.sam).post(reverse("registry-account-open"),
                                       {"open-organisation": newcomer.pk, "open-name": "Volta",
                                        "open-authorization_document": "GH letter 12",
                                        "open-authorization_date": "2025-03-01"})
    assert response.status_code == 302
    assert Account.objects.filter(organisation=newcomer, kind=AccountKind.HOLDING).count() == 1


def test_participant_without_an_account_is_told_who_opens_one(as_user, world, newcomer):
    user = f.user("yaw", newcomer)
    html = as_user(user).get(reverse("registry-accounts")).content.decode()
    assert "opened by your Party's DNA or by the registry administrator" in html

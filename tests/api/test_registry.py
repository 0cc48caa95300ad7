"""The registry through the API: accounts and statements for their holders only (as the web's
account page), the public blocks with lookup by any serial number, issuances and totals."""
import pytest
from django.test import Client
from django.urls import reverse

from pacm.registry.models import UnitBlock
from pacm.registry.serials import serial_compose, serial_format
from tests.registry.conftest import issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(reg):
    issue(reg.activity, 1000, to=reg.acct)
    return reg


def test_an_account_is_read_by_its_holders_only_as_on_the_web(issued, bearer):
    w = issued
    for name, sees in (("ama", True), ("kofi", False), ("dora", False), ("dina", False), ("nils", False)):
        user = getattr(w, name)
        api = bearer(user)
        web = Client()
        web.force_login(user)
        status = api.get(f"/api/v1/registry/accounts/{w.acct.number}").status_code
        assert status == (200 if sees else 404), name
        assert web.get(reverse("registry-account", args=[w.acct.number])).status_code == status, name
        assert api.get(f"/api/v1/registry/accounts/{w.acct.number}/statement").status_code == status, name
        listed = {a["number"] for a in api.get("/api/v1/registry/accounts").json()["items"]}
        assert (w.acct.number in listed) is sees, name
    body = bearer(w.ama).get(f"/api/v1/registry/accounts/{w.acct.number}").json()
    held = sum(b.serial_end - b.serial_start + 1 for b in UnitBlock.objects.filter(account=w.acct))
    assert body["units"] == held == sum(h["units"] for h in body["holdings"]) and held > 0
    statement = bearer(w.ama).get(f"/api/v1/registry/accounts/{w.acct.number}/statement").json()
    assert [t["direction"] for t in statement["items"]] == ["in"] and statement["items"][0]["quantity"] == held


def test_any_serial_number_finds_the_block_that_holds_it(issued):
    block = UnitBlock.objects.filter(account=issued.acct).order_by("pk").first()
    client = Client()
    one = serial_compose(host_iso2=block.host_party.iso2, activity_reference=block.activity.reference,
                         vintage=block.vintage, serial_start=block.serial_start + 1, serial_end=block.serial_start + 1)
    single = one.rsplit("-", 1)[0]  # "...-<vintage>-<n>": one unit
    for query in (single, serial_format(block)):
        rows = client.get("/api/v1/registry/blocks", {"serial": query}).json()["items"]
        assert [r["id"] for r in rows] == [block.pk], query
        assert rows[0]["serial"] == serial_format(block) and rows[0]["holder"] == "Private holding account"
    beyond = serial_compose(host_iso2=block.host_party.iso2, activity_reference=block.activity.reference,
                            vintage=block.vintage + 50, serial_start=1, serial_end=1)
    assert client.get("/api/v1/registry/blocks", {"serial": beyond}).json()["items"] == []
    assert client.get(f"/api/v1/registry/blocks/{block.pk}").json()["id"] == block.pk
    totals = client.get("/api/v1/registry/totals").json()
    assert totals["issued"] == 1000 and totals["held"] == 1000
    assert [i["quantity"] for i in client.get("/api/v1/registry/issuances").json()["items"]] == [1000]

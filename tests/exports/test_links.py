"""Each page links to its exports (pacm issue 9); the AEF button only for who may build one."""
from django.urls import reverse

from .conftest import issue


def test_public_pages_link_their_exports(reg, client):
    issue(reg.activity, 100, to=reg.acct)
    registry = client.get(reverse("registry-units")).content.decode()
    for name in ("export-public-issuances", "export-public-blocks", "export-public-uses"):
        assert reverse(f"{name}-csv") in registry and reverse(f"{name}-xlsx") in registry
    filtered = client.get(reverse("registry-units"), {"activity": reg.activity.reference}).content.decode()
    assert f'{reverse("export-public-blocks-csv")}?activity={reg.activity.reference}' in filtered
    home = client.get(reverse("registry-public")).content.decode()
    assert reverse("export-public-activities-csv") in home


def test_the_account_page_links_its_exports(reg, as_user):
    page = as_user(reg.ama).get(reverse("registry-account", kwargs={"number": reg.acct.number})).content.decode()
    for name in ("holdings", "statement"):
        for fmt in ("csv", "xlsx"):
            assert reverse(f"export-account-{name}-{fmt}", kwargs={"number": reg.acct.number}) in page


def test_the_dashboard_offers_the_aef_to_the_dna_and_the_secretariat_only(reg, as_user):
    aef = reverse("aef-report")
    for who, shown in (("dina", True), ("sam", True), ("ama", False), ("dora", False), ("sofia", False)):
        page = as_user(getattr(reg, who)).get(reverse("dashboard")).content.decode()
        assert (aef in page) is shown, who
    assert reverse("export-my-activities-csv") in as_user(reg.dina).get(reverse("dashboard")).content.decode()

"""pacm issue 9: the public registry's lists, filtered and paged by key (pacm.registry.public_filters,
public_views), the public uses and cancellations, and the live totals from the maintained rows
(PROC-REGS-001 v02.1 para 74(a))."""
import re
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from methodologies.models import SectoralScope
from pacm.registry.models import AccountKind, LedgerTransaction, RegistryTotal, UnitBlock
from pacm.registry.public_filters import USE_KINDS
from pacm.registry.public_totals import public_totals
from pacm.registry.serials import serial_format
from pacm.registry.services import units_transfer, units_use
from pacm.registry.services.totals import totals_differences
from tests import factories as f

from .conftest import activity_make, issue

pytestmark = pytest.mark.django_db


def serials_shown(html):
    return re.findall(r'<code class="hash">([^<]+)</code>', html)


@pytest.fixture
def market(reg):
    """Two activities: Ghana's (2024 NDC, 2023 mitigation contribution) and a Kenyan one of another
    methodology and scope (2025 OIMP); transfers, a retirement, voluntary and OIMP cancellations."""
    reg.kenyan_methodology = f.methodology_version(code="A6.4-AMS-KE")
    reg.kenyan = activity_make(reg, host=reg.other)
    scope = SectoralScope.objects.exclude(pk=reg.activity.sectoral_scope_id).order_by("number").first()
    type(reg.kenyan).objects.filter(pk=reg.kenyan.pk).update(
        methodology_version=reg.kenyan_methodology, sectoral_scope=scope, kind="poa")
    reg.kenyan.refresh_from_db()
    issue(reg.activity, 10_000, to=reg.acct, vintage=2024)
    issue(reg.activity, 2_000, to=reg.acct, vintage=2023, status="mc")
    issue(reg.kenyan, 5_000, to=reg.foreign, vintage=2025, status="oimp", definition="use")
    units_transfer(user=reg.ama, from_account=reg.acct, to_account=reg.foreign, quantity=300, vintage=2024)
    units_transfer(user=reg.ama, from_account=reg.acct, to_account=reg.gh_party, quantity=100, vintage=2024)
    units_use(user=reg.dina, from_account=reg.gh_party, quantity=40, purpose="NDC 2030", beneficiary="Ghana",
              use="retirement", party=reg.host)
    units_use(user=reg.ama, from_account=reg.acct, quantity=25, purpose="Voluntary claim 2024",
              beneficiary="Accra Breweries", use="voluntary", vintage=2023)
    units_use(user=reg.kofi, from_account=reg.foreign, quantity=60, purpose="CORSIA", beneficiary="Air Kenya",
              use="oimp", activity=reg.kenyan)
    return reg


def blocks_where(**filters):
    return list(UnitBlock.objects.filter(**filters).select_related("host_party", "activity").order_by("-pk"))


# --- Serial blocks ------------------------------------------------------------------------------------


@pytest.mark.parametrize("query, filters", [
    ({}, {}),
    ({"host": "KE"}, {"host_party__iso2": "KE"}),
    ({"vintage": "2023"}, {"vintage": 2023}),
    ({"status": "oimp"}, {"authorization_status": "oimp"}),
    ({"first_transferred": "yes"}, {"first_transferred": True}),
    ({"first_transferred": "no", "vintage": "2024"}, {"first_transferred": False, "vintage": 2024}),
    ({"account": "retirement"}, {"account__kind": "retirement"}),
    ({"account": "holding", "host": "GH"}, {"account__kind": "holding", "host_party__iso2": "GH"}),
    ({"methodology": "A6.4-AMS-KE"}, {"activity__methodology_version__methodology__code": "A6.4-AMS-KE"}),
    ({"type": "poa"}, {"activity__kind": "poa"}),
])
def test_the_blocks_filtered_are_exactly_the_matching_rows_newest_first(client, market, query, filters):
    html = client.get(reverse("registry-blocks"), query).content.decode()
    expected = [serial_format(b) for b in blocks_where(**filters)]
    assert expected and serials_shown(html) == expected


def test_blocks_by_scope_activity_and_oldest_first(client, market):
    scope = str(market.kenyan.sectoral_scope.number)
    html = client.get(reverse("registry-blocks"), {"scope": scope, "sort": "oldest"}).content.decode()
    assert serials_shown(html) == [serial_format(b) for b in reversed(blocks_where(activity=market.kenyan))]
    html = client.get(reverse("registry-blocks"), {"activity": market.activity.reference.lower(),
                                                   "sort": "serial"}).content.decode()
    rows = UnitBlock.objects.filter(activity=market.activity).select_related("host_party", "activity").order_by(
        "vintage", "serial_start")
    assert serials_shown(html) == [serial_format(b) for b in rows]


def test_the_blocks_page_by_key(client, market):
    every = [serial_format(b) for b in blocks_where()]
    from pacm.registry import public_views

    url = reverse("registry-blocks")
    old = public_views.LIST_PAGE
    public_views.LIST_PAGE = 3
    try:
        seen, query = [], {"vintage": ""}
        while True:
            response = client.get(url, query)
            page = response.context["blocks"]
            seen += serials_shown(response.content.decode())
            if not page.next_link:
                break
            query = dict(pair.split("=") for pair in page.next_link[1:].split("&"))
    finally:
        public_views.LIST_PAGE = old
    assert seen == every and len(every) > 6


@pytest.mark.parametrize("query, message", [
    ({"vintage": "abc"}, "Enter a whole number."),
    ({"vintage": "99999"}, "Give a year between 1990 and 2200."),
    ({"host": "ZZ"}, "Select a valid choice. ZZ is not one of the available choices."),
    ({"status": "gold"}, "Select a valid choice."),
    ({"account": "x" * 500}, "Select a valid choice."),
    ({"sort": "serial"}, "Give an activity reference to order its blocks by serial number."),
    ({"sort": "title"}, "Select a valid choice."),
    ({"activity": "A" * 21}, "Ensure this value has at most 20 characters"),
    ({"first_transferred": "maybe"}, "Select a valid choice."),
])
def test_a_bad_filter_is_a_clear_message_and_shows_nothing(client, market, query, message):
    response = client.get(reverse("registry-blocks"), query)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and "Nothing is shown: correct the filter below." in html
    assert serials_shown(html) == []


def test_a_bad_page_key_shows_the_first_page(client, market):
    first = serials_shown(client.get(reverse("registry-blocks")).content.decode())
    for key in ("x", "-1", str(2**70), "0"):
        assert serials_shown(client.get(reverse("registry-blocks"), {"after": key}).content.decode()) == first


# --- Issuances ------------------------------------------------------------------------------------------


def issuance_rows(html):
    return re.findall(r'href="/activities/([^/]+)/periods/(\d+)/"', html)


def test_issuances_filtered_and_ordered(client, market):
    every = [(t.issuance.period.activity.reference, str(t.issuance.period.number))
             for t in LedgerTransaction.objects.filter(kind="issuance").select_related(
                 "issuance__period__activity").order_by("-pk")]
    url = reverse("registry-issuances")
    assert issuance_rows(client.get(url).content.decode()) == every
    assert issuance_rows(client.get(url, {"sort": "oldest"}).content.decode()) == every[::-1]
    kenyan = [(market.kenyan.reference, "1")]
    assert issuance_rows(client.get(url, {"host": "KE"}).content.decode()) == kenyan
    assert issuance_rows(client.get(url, {"methodology": "A6.4-AMS-KE"}).content.decode()) == kenyan
    assert issuance_rows(client.get(url, {"type": "project"}).content.decode()) == every[1:]
    html = client.get(url, {"host": "FR"}).content.decode()
    assert "Select a valid choice" in html and issuance_rows(html) == []


# --- Activities (the home page) ----------------------------------------------------------------------


def test_activities_filtered_by_host_state_methodology_and_sorted(client, market):
    from projects.cycle import ActivityState
    from projects.models import Activity

    # The home page lists projects (programmes have their own list): the Kenyan one made a project again.
    Activity._base_manager.filter(pk__in=[market.activity.pk, market.kenyan.pk]).update(
        state=ActivityState.REGISTERED, kind="project")
    draft = activity_make(market)  # a draft: never public
    url = reverse("registry-public")

    def references(query):
        return re.findall(r'href="/activities/(A64-[^/"]+)/"', client.get(url, query).content.decode())

    assert references({}) == [market.kenyan.reference, market.activity.reference]
    assert references({"sort": "oldest"}) == [market.activity.reference, market.kenyan.reference]
    assert references({"host": "GH"}) == [market.activity.reference]
    assert references({"methodology": "A6.4-AMS-KE"}) == [market.kenyan.reference]
    assert references({"scope": str(market.kenyan.sectoral_scope.number), "state": "registered"}) == [
        market.kenyan.reference]
    assert references({"state": "consultation"}) == []
    assert draft.reference not in client.get(url).content.decode()
    html = client.get(url, {"state": "draft"}).content.decode()
    assert "Select a valid choice. draft is not one of the available choices." in html


# --- Uses and cancellations ---------------------------------------------------------------------------


def use_rows(html):
    body = html.split('id="uses"')[1]
    return re.findall(r"<tr>\s*<td class=\"small text-nowrap\">.*?</tr>", body, re.S)


def test_the_uses_list_is_the_ledger(client, market):
    html = client.get(reverse("registry-uses")).content.decode()
    rows = use_rows(html)
    ledger = list(LedgerTransaction.objects.filter(kind__in=USE_KINDS).prefetch_related(
        "entries__block__activity", "entries__block__host_party").order_by("-pk"))
    # The three uses and the mandatory OMGE cancellation of each issuance (RMP 59).
    assert [t.kind for t in ledger] == ["cancellation_oimp", "voluntary_cancellation", "retirement",
                                        "omge_cancellation", "omge_cancellation", "omge_cancellation"]
    assert len(rows) == len(ledger)
    for row, transaction in zip(rows, ledger, strict=True):
        assert f">{transaction.quantity:,}<" in row
        assert serials_shown(row) == [serial_format(e) for e in transaction.entries.all()]
        assert (transaction.purpose or "—") in row and (transaction.beneficiary or "—") in row
    retirement = rows[2]
    assert "Ghana retirement" in retirement and "NDC 2030" in retirement and "Retirement (NDC use)" in retirement
    # Who cancelled is not named: the entities' accounts never show.
    for private in ("Kpone", "Savannah", market.acct.number, market.foreign.number, market.gh_party.number):
        assert private not in html


@pytest.mark.parametrize("query, kinds", [
    ({"use": "retirement"}, ["retirement"]),
    ({"use": "omge_cancellation"}, ["omge_cancellation"] * 3),
    ({"host": "KE"}, ["cancellation_oimp", "omge_cancellation"]),
    ({"vintage": "2023"}, ["voluntary_cancellation", "omge_cancellation"]),
    ({"activity": "__kenyan__", "use": "cancellation_oimp"}, ["cancellation_oimp"]),
    ({"methodology": "A6.4-AMS-KE", "use": "retirement"}, []),
])
def test_the_uses_filtered(client, market, query, kinds):
    query = {k: (market.kenyan.reference if v == "__kenyan__" else v) for k, v in query.items()}
    html = client.get(reverse("registry-uses"), query).content.decode()
    expected = [t for t in LedgerTransaction.objects.filter(kind__in=kinds or ["none"]).order_by("-pk")]
    if "host" in query:
        expected = [t for t in expected if t.entries.filter(block__host_party__iso2=query["host"]).exists()]
    if "vintage" in query:
        expected = [t for t in expected if t.entries.filter(vintage=int(query["vintage"])).exists()]
    assert [t.kind for t in expected] == kinds
    assert [r.count("<code") for r in use_rows(html)] == [t.entries.count() for t in expected]
    assert "Nothing is shown" not in html


def test_a_bad_use_filter_is_a_message(client, market):
    html = client.get(reverse("registry-uses"), {"use": "transfer"}).content.decode()
    assert "Select a valid choice. transfer is not one of the available choices." in html
    assert use_rows(html) == []


# --- Totals -------------------------------------------------------------------------------------------


def recount():
    """{(vintage, status): {...}} recounted from the blocks: what the maintained rows must say."""
    table = {}
    for block in UnitBlock.objects.select_related("account"):
        cell = table.setdefault((block.vintage, block.authorization_status),
                                {"issued": 0, "first_transferred": 0, "retired": 0, "cancelled": {}})
        cell["issued"] += block.quantity  # units never vanish: every unit issued is in some block
        if block.first_transferred:
            cell["first_transferred"] += block.quantity  # a flag never reverts (4/CMA.6 para 11)
        if block.account.kind == AccountKind.RETIREMENT:
            cell["retired"] += block.quantity
        elif block.account.is_terminal:
            cell["cancelled"][block.account.kind] = cell["cancelled"].get(block.account.kind, 0) + block.quantity
    return table


def test_the_totals_match_a_recount(market):
    assert totals_differences() == []
    table = public_totals()
    counted = recount()
    assert {(row["vintage"], row["status"]) for row in table["rows"]} == set(counted)
    for row in table["rows"]:
        cell = counted[(row["vintage"], row["status"])]
        assert (row["issued"], row["first_transferred"], row["retired"]) == (
            cell["issued"], cell["first_transferred"], cell["retired"])
        assert {k: v for k, v in row["cancelled"].items() if v} == cell["cancelled"]
    total = table["total"]
    assert total["issued"] == 17_000
    # 2024 NDC: SOP 500 + OMGE 200 + 300 to Kenya; 2025 OIMP ("use or cancellation"): SOP 250 + OMGE 100 +
    # the 60 cancelled for OIMP; the 2023 MCUs are never first transferred.
    assert total["first_transferred"] == 1_000 + 410
    assert total["retired"] == 40 and total["cancelled"][AccountKind.CANCELLATION_OIMP] == 60
    assert total["cancelled"][AccountKind.VOLUNTARY_CANCELLATION] == 25


def test_a_first_transfer_between_holding_accounts_counts(reg):
    """Same kind on both sides (holding to holding): no held total moves, the first transfer still counts."""
    issue(reg.activity, 1_000, to=reg.acct)
    before = public_totals()["total"]["first_transferred"]
    units_transfer(user=reg.ama, from_account=reg.acct, to_account=reg.foreign, quantity=30)
    units_transfer(user=reg.ama, from_account=reg.acct, to_account=reg.acct2, quantity=30)  # stays in Ghana
    assert public_totals()["total"]["first_transferred"] == before + 30
    assert totals_differences() == []


def test_the_totals_page_filters_and_reads_only_the_maintained_rows(client, market):
    url = reverse("registry-totals")
    html = client.get(url, {"vintage": "2025", "status": "oimp"}).content.decode()
    body = html.split('id="totals"')[1]
    assert "5,000" in body and "410" in body and "2024" not in body
    html = client.get(url, {"vintage": "20x"}).content.decode()
    assert "Enter a whole number." in html and 'id="totals"' not in html
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    tables = " ".join(q["sql"] for q in captured.captured_queries)
    assert "registry_registrytotal" in tables and "registry_unitblock" not in tables


def test_reconcile_sees_a_first_transferred_total_that_drifted(market, capsys):
    row = RegistryTotal.objects.filter(first_transferred__gt=0).first()
    RegistryTotal.objects.filter(pk=row.pk).update(first_transferred=row.first_transferred + 1)
    with pytest.raises(CommandError, match="1 total"):
        call_command("reconcile_totals")
    assert f"first transferred {row.first_transferred + 1}; ledger" in capsys.readouterr().out
    call_command("reconcile_totals", "--fix")
    assert totals_differences() == []


# --- Every page's cost --------------------------------------------------------------------------------


PAGES = [("registry-blocks", {}), ("registry-blocks", {"host": "GH", "vintage": "2024"}),
         ("registry-issuances", {"host": "GH"}), ("registry-uses", {}), ("registry-uses", {"host": "KE"}),
         ("registry-totals", {}), ("registry-public", {"host": "GH"})]


def _count(client, name, query):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse(name), query).status_code == 200
    return len(captured)


def test_every_list_costs_the_same_however_much_the_registry_holds(client, market, django_assert_max_num_queries):
    small = [_count(client, name, query) for name, query in PAGES]
    other = activity_make(market)
    for vintage in (2022, 2023, 2024):
        issue(other, 3_000, to=market.acct, vintage=vintage, lines=[(market.acct, Decimal("60")),
                                                                    (market.foreign, Decimal("40"))])
    for n in range(6):
        units_use(user=market.ama, from_account=market.acct, quantity=3, purpose=f"Claim {n}", beneficiary="B",
                  use="voluntary")
        units_transfer(user=market.ama, from_account=market.acct, to_account=market.acct2, quantity=2)
    for (name, query), limit in zip(PAGES, small, strict=True):
        with django_assert_max_num_queries(limit):
            client.get(reverse(name), query)

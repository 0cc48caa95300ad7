"""The public exports apply the list pages' filters (pacm issue 9): a filtered export holds exactly the
filtered page's rows, in the page's order; a bad filter is a 400 that names it, never a 500; each list
page links its export with its current filters (not its paging)."""
import html

import pytest
from django.urls import reverse

from pacm.registry.models import LedgerTransaction
from projects.certificates.services import certificate_issue
from projects.models import Activity

from .conftest import body, csv_rows, xlsx_rows

pytestmark = pytest.mark.django_db


def _page(client, name, query):
    response = client.get(reverse(name), query)
    assert response.status_code == 200
    return response


def _whole(page):
    """The page's rows, checked to be every matching row (one page: the comparison is then complete)."""
    assert not (page.has_next() if callable(page.has_next) else page.has_next)  # a Paginator page's is a method
    return list(page)


def _column(rows, name):
    header = rows[0]
    return [r[header.index(name)] for r in rows[1:]]


def _query(market, query):
    return {k: (market.kenyan.reference if v == "__kenyan__" else v) for k, v in query.items()}


@pytest.mark.parametrize("query", [
    {}, {"host": "KE"}, {"vintage": "2024"}, {"status": "mc"}, {"account": "holding", "sort": "oldest"},
    {"activity": "__kenyan__", "sort": "serial"}, {"methodology": "A6.4-AMS-KE"}, {"first_transferred": "yes"},
    {"host": "GH", "vintage": "2023"},
])
def test_a_filtered_blocks_export_is_the_filtered_page(client, market, query):
    query = _query(market, query)
    shown = [row["serial"] for row in _whole(_page(client, "registry-blocks", query).context["blocks"])]
    rows = csv_rows(client.get(reverse("export-public-blocks-csv"), query))
    assert _column(rows, "serial_range") == shown
    assert [r[0] for r in xlsx_rows(client.get(reverse("export-public-blocks-xlsx"), query))[1:]] == shown


@pytest.mark.parametrize("query", [{}, {"host": "KE"}, {"activity": "__kenyan__"}, {"sort": "oldest"},
                                   {"methodology": "A6.4-AMS-KE"}, {"host": "GH", "sort": "oldest"}])
def test_a_filtered_issuances_export_is_the_filtered_page(client, market, query):
    query = _query(market, query)
    shown = [row["issuance_id"] for row in _whole(_page(client, "registry-issuances", query).context["issuances"])]
    rows = csv_rows(client.get(reverse("export-public-issuances-csv"), query))
    assert [int(v) for v in _column(rows, "issuance")] == shown
    assert shown  # every query above matches an issuance


@pytest.mark.parametrize("query", [{}, {"use": "retirement"}, {"use": "omge_cancellation"}, {"host": "KE"},
                                   {"vintage": "2023"}, {"activity": "__kenyan__", "use": "cancellation_oimp"},
                                   {"methodology": "A6.4-AMS-KE", "use": "retirement"}])
def test_a_filtered_uses_export_is_the_filtered_page(client, market, query):
    query = _query(market, query)
    shown = _whole(_page(client, "registry-uses", query).context["uses"])
    rows = csv_rows(client.get(reverse("export-public-uses-csv"), query))
    assert [int(v) for v in _column(rows, "transaction")] == [t.pk for t in shown]
    assert _column(rows, "serial_ranges") == ["; ".join(t.ranges) for t in shown]
    assert _column(rows, "purpose") == [t.purpose for t in shown]


def test_the_uses_export_filtered_by_kind_holds_that_kind_only(client, market):
    rows = csv_rows(client.get(reverse("export-public-uses-csv"), {"use": "retirement"}))
    (retirement,) = LedgerTransaction.objects.filter(kind="retirement")
    assert _column(rows, "transaction") == [str(retirement.pk)]
    assert _column(rows, "beneficiary") == ["Ghana"] and _column(rows, "units") == ["40"]


@pytest.mark.parametrize("query", [{}, {"host": "KE"}, {"methodology": "A6.4-AMS-KE"}, {"sort": "oldest"},
                                   {"q": "A64"}, {"state": "registered"}])
def test_a_filtered_activities_export_is_the_filtered_page(client, market, query):
    Activity.objects.filter(pk=market.activity.pk).update(state="registered")
    shown = [a.reference for a in _whole(_page(client, "registry-public", query).context["activities"])]
    rows = csv_rows(client.get(reverse("export-public-activities-csv"), query))
    assert _column(rows, "reference") == shown


@pytest.mark.parametrize("name, query, field", [
    ("export-public-blocks", {"vintage": "20x4"}, "Vintage"),
    ("export-public-blocks", {"sort": "serial"}, "Order"),  # by serial number needs an activity
    ("export-public-blocks", {"host": "ZZ"}, "Host Party"),
    ("export-public-blocks", {"activity": "A" * 300}, "Activity reference"),
    ("export-public-issuances", {"sort": "sideways"}, "Order"),
    ("export-public-uses", {"use": "transfer"}, "Use or cancellation"),
    ("export-public-uses", {"vintage": "1066"}, "Vintage"),
    ("export-public-activities", {"state": "draft"}, "State"),  # not a public state
])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_bad_filter_is_a_400_that_names_it(client, market, name, query, field, fmt):
    response = client.get(reverse(f"{name}-{fmt}"), query)
    assert response.status_code == 400
    text = html.unescape(response.content.decode())
    assert "filters are not valid" in text and f"{field}:" in text


def _links(response):
    return html.unescape(response.content.decode().split('id="list-links"')[1].split("</div>")[0])


def test_each_list_links_its_export_with_the_current_filters(client, market):
    pages = [("registry-blocks", "export-public-blocks", {"host": "GH", "vintage": "2024", "after": "999999"}),
             ("registry-issuances", "export-public-issuances", {"host": "KE", "sort": "oldest"}),
             ("registry-uses", "export-public-uses", {"use": "retirement", "before": "999999"}),
             ("registry-public", "export-public-activities", {"host": "GH", "page": "2"})]
    for page, export, query in pages:
        links = _links(_page(client, page, query))
        filters = "&".join(f"{k}={v}" for k, v in query.items() if k not in ("after", "before", "page"))
        for fmt in ("csv", "xlsx"):
            assert f'href="{reverse(f"{export}-{fmt}")}?{filters}"' in links, (page, links)
        assert "after=" not in links and "before=" not in links and "page=" not in links
    # Unfiltered: the plain export.
    assert f'href="{reverse("export-public-uses-csv")}"' in _links(_page(client, "registry-uses", {}))


def test_the_linked_export_of_a_filtered_page_is_its_rows(client, market):
    page = _page(client, "registry-blocks", {"host": "KE"})
    href = _links(page).split('href="')[1].split('"')[0]
    rows = csv_rows(client.get(href))
    assert _column(rows, "serial_range") == [row["serial"] for row in _whole(page.context["blocks"])]
    assert set(_column(rows, "host_party")) == {"KE"}


def test_each_use_links_its_certificate(client, market):
    """A retirement or cancellation links its certificate (certificate-pdf 'use', the transaction's key),
    as the public issuances link their statements; the mandatory OMGE cancellation has none (RMP 59)."""
    text = client.get(reverse("registry-uses")).content.decode()
    for t in LedgerTransaction.objects.filter(kind__in=["retirement", "voluntary_cancellation",
                                                        "cancellation_oimp"]):
        url = reverse("certificate-pdf", kwargs={"kind": "use", "subject_id": t.pk})
        assert f'href="{url}"' in text
        certificate_issue(kind="use", subject_id=t.pk)  # what the task dispatched on commit does
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert body(response).startswith(b"%PDF")
    for t in LedgerTransaction.objects.filter(kind="omge_cancellation"):
        assert reverse("certificate-pdf", kwargs={"kind": "use", "subject_id": t.pk}) not in text


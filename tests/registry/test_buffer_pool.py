"""The Reversal Risk Buffer Pool Account (A6.4-STAN-METH-002 v01.0 paras 53-55; A6.4-SBM018 para 29):
administered by the registry administrator only, its units keep their authorization status and are
only ever cancelled; its composition is published (para 54), figures checked against the ledger."""
import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pacm.common.errors import ServiceError
from pacm.engine.offers import available_actions
from pacm.registry.models import AccountKind, LedgerTransaction, TransactionKind, UnitBlock
from pacm.registry.pool import pool_composition, pool_total
from pacm.registry.services import units_transfer, units_use
from pacm.registry.services.reversals import buffer_remediate
from projects.models import IssuanceRequest

from .conftest import activity_make, issue, mech

PERSONAS = ("ama", "kofi", "dora", "otto", "dina", "nils", "sam", "sofia")


def _issue(activity, gross, rating, **kw):
    request, split, rows = issue(activity, gross, risk_rating=rating, **kw)
    # Set-up: what the issuing task records with the request (projects.services.issuance).
    IssuanceRequest.objects.filter(pk=request.pk).update(buffer_rating=f"{Decimal(rating):.2f}")
    return request, split


@pytest.fixture
def pooled(reg):
    """Three contributions: Ghana 10 % of 1,000 (NDC, vintage 2024), Ghana 12.5 % of 2,000 split NDC/MC
    (vintage 2025), Kenya 30 % of 1,000 (MC, vintage 2024)."""
    _issue(reg.activity, 1_000, 10, to=reg.acct)
    _issue(reg.activity, 2_000, "12.5", to=reg.acct, vintage=2025,
           tranches=[(2025, 1_200, "ndc", ""), (2025, 800, "mc", "")])
    reg.kenyan = activity_make(reg, host=reg.other, participants=[reg.orgs["dev2"]])
    _issue(reg.kenyan, 1_000, 30, to=reg.foreign, status="mc")
    return reg


def test_contributions_are_forwarded_and_keep_their_authorization_status(pooled):
    """Para 55; SBM018 para 29: forwarded (BUFFER_DEPOSIT), never a first transfer; para 53: the status kept."""
    deposits = LedgerTransaction.objects.filter(kind=TransactionKind.BUFFER_DEPOSIT)
    assert sorted(deposits.values_list("quantity", flat=True)) == [100, 250, 300]
    assert not deposits.filter(first_transfer=True).exists()
    assert TransactionKind(TransactionKind.BUFFER_DEPOSIT).label == "Forwarded to the Reversal Risk Buffer Pool"
    by_status = {row["authorization_status"]: row["units"] for row in pool_composition("authorization_status")}
    # Reading risk-buffer-7: the 2,000 issuance's 250 buffer units in proportion, 1,200:800 (authorized rounded up).
    assert by_status == {"ndc": 100 + 150, "mc": 100 + 300}


def test_the_composition_adds_up_to_the_ledger(pooled):
    """Para 54: by every dimension the groups add up to the pool, and the pool to deposits less cancellations."""
    assert buffer_remediate(quantities={"authorized": 40}, reference="A64-X", actor_label="registry administrator") == {
        "authorized": 40}
    moved_in = LedgerTransaction.objects.filter(to_account=mech(AccountKind.BUFFER)).aggregate(n=Sum("quantity"))["n"]
    moved_out = LedgerTransaction.objects.filter(from_account=mech(AccountKind.BUFFER)).aggregate(n=Sum("quantity"))["n"]
    assert pool_total() == moved_in - moved_out == 610
    for by in ("all", "vintage", "region", "country", "activity_type", "authorization_status", "risk_rating",
               "methodology"):
        assert sum(row["units"] for row in pool_composition(by)) == 610, by
    assert {row["vintage"]: row["units"] for row in pool_composition("vintage")} == {2024: 60 + 300, 2025: 250}
    assert {row["host_party__iso2"]: row["units"] for row in pool_composition("country")} == {"GH": 310, "KE": 300}
    assert {row["host_party__region"]: row["units"] for row in pool_composition("region")} == {"africa": 610}
    assert {row["issuance__buffer_rating"]: row["units"] for row in pool_composition("risk_rating")} == {
        "10.00": 60, "12.50": 250, "30.00": 300}


def test_the_pool_refuses_transfer_and_use_by_anyone(pooled):
    """Paras 54-55: buffer units are never transferred or used; nobody is offered a move out of the pool."""
    pool = mech(AccountKind.BUFFER)
    assert pool.state == "pool"
    for persona in PERSONAS:
        user = getattr(pooled, persona)
        assert available_actions(user, pool).names == set(), persona
        with pytest.raises(ServiceError) as transfer:
            units_transfer(user=user, from_account=pool, to_account=pooled.acct, quantity=1)
        assert transfer.value.code == "buffer_pool_cancel_only"
        for use in ("voluntary", "oimp"):
            with pytest.raises(ServiceError) as used:
                units_use(user=user, from_account=pool, quantity=1, purpose="x", beneficiary="", use=use)
            assert used.value.code == "buffer_pool_cancel_only"
    assert pool_total() == 650
    # The registry administrator's cancellation (remediation of reversals) is the only way out.
    assert buffer_remediate(quantities={"authorized": 10}, reference="A64-X", actor_label="registry administrator") == {
        "authorized": 10}
    assert pool_total() == 640


def test_public_page_and_csv_show_the_ledgers_figures(pooled, client):
    page = client.get(reverse("registry-buffer-pool") + "?by=country")
    html = page.content.decode()
    assert page.status_code == 200 and "650 buffer units" in html
    assert "Ghana (GH)" in html and "350" in html and "53.85 %" in html  # 350 / 650
    response = client.get(reverse("registry-buffer-pool-csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert sum(int(r["units"]) for r in rows) == 650
    assert {(r["country"], r["authorization_status"], r["risk_rating"], r["vintage"], r["units"]) for r in rows} == {
        ("GH", "ndc", "10.00", "2024", "100"), ("GH", "ndc", "12.50", "2025", "150"),
        ("GH", "mc", "12.50", "2025", "100"), ("KE", "mc", "30.00", "2024", "300")}
    assert {r["region"] for r in rows} == {"africa"} and {r["activity_type"] for r in rows} == {"reductions"}
    assert client.get(reverse("registry-buffer-pool") + "?by=nonsense").status_code == 200  # shows all
    assert client.get(reverse("registry-buffer-pool") + "?page=9999").status_code == 200


def test_the_pages_queries_do_not_grow_with_the_pool(reg, client):
    """No N+1: one count, one grouped page, one total, whatever the number of groups and blocks."""
    _issue(reg.activity, 1_000, 10, to=reg.acct)

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
        return len(captured)

    page, sheet = reverse("registry-buffer-pool"), reverse("registry-buffer-pool-csv")
    small = (queries(page), queries(sheet))
    for vintage in range(2000, 2020):
        _issue(reg.activity, 1_000, 10 + vintage % 7, to=reg.acct, vintage=vintage)
    assert UnitBlock.objects.filter(account__kind=AccountKind.BUFFER).count() == 21
    assert (queries(page), queries(sheet)) == small
    assert small[0] <= 6 and small[1] <= 4


def test_the_csv_neutralises_a_formula_in_a_methodology_code(pooled, client):
    """The buffer pool's CSV goes through the shared writer (pacm.common.tables.cell_safe, OWASP "CSV
    injection"): a value that could start a formula is written as text, with a leading apostrophe."""
    from methodologies.models import Methodology

    code = '=HYPERLINK("http://evil.example","x")'
    Methodology.objects.filter(versions__activities=pooled.kenyan).update(code=code)
    response = client.get(reverse("registry-buffer-pool-csv"), {"by": "methodology"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["methodology", "units", "share_percent"]
    guarded = [r for r in rows[1:] if r[0] == "'" + code]
    assert len(guarded) == 1 and int(guarded[0][1]) >= 300  # Kenya's 300 buffer units at least
    assert sum(int(r[1]) for r in rows[1:]) == 650 and not any(r[0].startswith("=") for r in rows[1:])

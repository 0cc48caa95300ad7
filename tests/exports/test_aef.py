"""The AEF of decision 4/CMA.6 annex II (pacm issue 9; procedures.md §2.4; readings aef-1 to aef-12).

A year of activity is built with the registry's services (issuances, first transfers, transfers,
uses, cancellations, two authorization statements, a host approval), with moves before and after
the year; every row of each table is checked against the ledger, with the action types declared
here from the rules (the oracle), never read from the code under test.
"""
import datetime
import io
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse

from pacm.parties.models import Party
from pacm.registry.models import Account, AccountKind, LedgerEntry, UnitBlock
from pacm.registry.serials import serial_compose
from pacm.registry.services import units_cancel_voluntarily, units_transfer, units_use
from projects import services
from projects.exports import aef
from projects.exports.writer import Sheet
from projects.models import Activity

from .conftest import body, issue, xlsx_sheets

YEAR = 2025
FT, TRANSFER, ACQUISITION, USE, CANCEL = "First transfer", "Transfer", "Acquisition", "Use", "Cancellation"


def at(month, day, year=YEAR):
    return datetime.datetime(year, month, day, 10, 0, tzinfo=datetime.UTC)


def moves(t):
    """The transaction's serial ranges, read back from the ledger."""
    return list(LedgerEntry.objects.filter(transaction=t).select_related("block").order_by("pk"))


@pytest.fixture
def year(reg, time_machine):
    """A year of Ghana's activity, and what each move is in AEF terms for Ghana (GH) and Kenya (KE):
    [(transaction, {party iso2: [action types]})]."""
    activity = reg.activity
    Activity.objects.filter(pk=activity.pk).update(state="registered")
    activity = Activity.objects.get(pk=activity.pk)
    expected = []

    def record(t, **types):
        expected.append((t, types))
        return t

    def steps(rows):
        return {row.kind: row for row in rows}

    time_machine.move_to(at(12, 1, YEAR - 1), tick=False)
    # RMP 41-42: the host approval authorizes Kpone; statement v1 authorizes NDC use.
    services.host_approval_issue(activity=activity, user=reg.dina, sd_confirmation="SD.", ndc_relation="NDC.",
                                 authorized_participants=[reg.orgs["dev"]])
    services.authorization_statement_issue(activity=activity, user=reg.dina, uses="ndc",
                                           effective_from=datetime.date(2021, 1, 1))
    time_machine.move_to(at(12, 20, YEAR - 1), tick=False)
    # Before the year: its moves are not actions of the year, its units are held at the year's end.
    issue(activity, 2_000, to=reg.acct, vintage=2023)

    time_machine.move_to(at(2, 1), tick=False)
    _, _, rows = issue(activity, 10_000, to=reg.acct, vintage=2024)
    s = steps(rows)
    # RMP 58-59, 69(c); 4/CMA.6 paras 16-17: the SOP share and the OMGE cancellation are first transfers.
    record(s["share_of_proceeds"], GH=[FT])
    record(s["omge_cancellation"], GH=[FT, CANCEL])
    record(s["forwarding"])  # to the host's own entity: nothing international, no first transfer (NDC)
    time_machine.move_to(at(3, 1), tick=False)
    # 2/CMA.3 annex para 2(a): NDC units are first-transferred by the first international transfer.
    record(units_transfer(user=reg.ama, from_account=reg.acct, to_account=reg.foreign, quantity=2_000),
           GH=[FT, TRANSFER], KE=[ACQUISITION])
    time_machine.move_to(at(3, 15), tick=False)
    record(units_transfer(user=reg.ama, from_account=reg.acct, to_account=reg.ke_party, quantity=1_000),
           GH=[FT, TRANSFER], KE=[ACQUISITION])
    time_machine.move_to(at(4, 1), tick=False)
    # 7/CMA.4 annex I para 44: Kenya retires into its own account towards its NDC.
    record(units_use(user=reg.nils, from_account=reg.ke_party, quantity=500, purpose="NDC 2030",
                     beneficiary="Republic of Kenya", use="retirement", party=reg.other), KE=[USE])
    time_machine.move_to(at(4, 15), tick=False)
    record(units_cancel_voluntarily(user=reg.ama, from_account=reg.acct, quantity=300, purpose="Voluntary claim",
                                    beneficiary="=HYPERLINK(\"x\")"), GH=[CANCEL])
    time_machine.move_to(at(5, 1), tick=False)
    record(units_transfer(user=reg.ama, from_account=reg.acct, to_account=reg.acct2, quantity=100))  # domestic
    time_machine.move_to(at(6, 1), tick=False)
    # 4/CMA.6 paras 7-9: a revision; OIMP's first transfer at issuance (2/CMA.3 annex para 2(b)).
    services.authorization_statement_issue(activity=activity, user=reg.dina, uses="both", first_transfer="issuance",
                                           vintage_from=2025, effective_from=datetime.date(YEAR, 6, 1))
    time_machine.move_to(at(7, 1), tick=False)
    _, _, rows = issue(activity, 5_000, to=reg.acct, vintage=2025, status="both", definition="issuance")
    s = steps(rows)
    record(s["share_of_proceeds"], GH=[FT])
    record(s["omge_cancellation"], GH=[FT, CANCEL])
    record(s["forwarding"], GH=[FT])  # the first transfer is the issuance (forwarding from pending)
    time_machine.move_to(at(8, 1), tick=False)
    record(units_use(user=reg.ama, from_account=reg.acct, quantity=200, purpose="CORSIA", beneficiary="Airline",
                     use="oimp", activity=activity, vintage=2025), GH=[CANCEL])
    time_machine.move_to(at(9, 1), tick=False)
    # 7/CMA.4 annex I para 29(b): mitigation contribution units are no ITMOs: nothing of them is reported.
    _, _, rows = issue(activity, 1_000, to=reg.acct, vintage=2024, status="mc")
    for row in rows:
        record(row)
    time_machine.move_to(at(10, 1), tick=False)
    record(units_transfer(user=reg.kofi, from_account=reg.foreign, to_account=reg.acct, quantity=50),
           GH=[ACQUISITION], KE=[TRANSFER])
    # The holdings at the year's end, before anything moves after it.
    reg.held_at_end = {iso: _held_blocks(iso) for iso in ("GH", "KE")}
    time_machine.move_to(at(1, 10, YEAR + 1), tick=False)
    units_transfer(user=reg.ama, from_account=reg.acct, to_account=reg.foreign, quantity=100)  # after the year
    reg.expected = expected
    reg.activity = activity
    return reg


def _held_blocks(iso):
    """Authorized ranges in the accounts tied to the Party now (Account.owner_party_id), merged."""
    party = Party.objects.get(iso2=iso)
    accounts = [a.pk for a in Account.objects.select_related("organisation") if a.owner_party_id == party.pk]
    blocks = (UnitBlock.objects.filter(account_id__in=accounts).exclude(authorization_status="mc")
              .select_related("activity", "host_party").order_by("activity__reference", "vintage", "serial_start"))
    merged = []
    for b in blocks:
        key = (b.activity.reference, b.vintage, b.first_transferred)
        if merged and merged[-1][0] == key and merged[-1][2] + 1 == b.serial_start:
            merged[-1] = (key, merged[-1][1], b.serial_end, b.host_party.iso2)
        else:
            merged.append((key, b.serial_start, b.serial_end, b.host_party.iso2))
    return merged


def _rows(sheet):
    return [dict(zip(sheet.header, row, strict=True)) for row in sheet.rows]


def _sheets(party_iso):
    return {s.name: s for s in aef.aef_sheets(party=Party.objects.get(iso2=party_iso), year=YEAR,
                                              today=datetime.date(YEAR + 1, 2, 1))}


def _party(account):
    if account is None:
        return ""
    owner = account.owner_party_id
    return "" if owner is None else Party.objects.get(pk=owner).iso2


def _expected_actions(year_, iso):
    rows = []
    auth = {2023: "v1", 2024: "v1", 2025: "v2"}
    for t, types in year_.expected:
        for action in types.get(iso, []):
            for e in moves(t):
                source = "GH" if t.from_account.kind in (AccountKind.PENDING, AccountKind.BUFFER) else _party(
                    t.from_account)
                using = {USE: _party(t.to_account), CANCEL: source}.get(action, "")
                rows.append((t.created_at, action, t.get_kind_display(), e.vintage, e.serial_start, e.serial_end,
                             e.quantity, source, _party(t.to_account), t.purpose if using else "", using,
                             f"{year_.activity.reference}-AUTH-{auth[e.vintage]}"))
    return sorted(rows, key=lambda r: (r[0], r[4], r[1]))


@pytest.mark.parametrize("iso", ["GH", "KE"])
def test_every_action_of_the_year_is_in_the_ledger_and_nothing_else(year, iso):
    got = _rows(_sheets(iso)["actions"])
    shown = sorted(
        ((r["action_date"], r["action_type"], r["action_subtype"], r["vintage"], r["first_itmo_id"],
          r["last_itmo_id"], r["quantity_tco2e"], r["transferring_party_id"], r["acquiring_party_id"],
          r["purpose_of_use_or_cancellation"], r["using_or_cancelling_party_id"], r["authorization_id"])
         for r in got), key=lambda r: (r[0], r[4], r[1]))
    assert shown == _expected_actions(year, iso)
    assert all(datetime.datetime(YEAR, 1, 1, tzinfo=datetime.UTC) <= r["action_date"]
               < datetime.datetime(YEAR + 1, 1, 1, tzinfo=datetime.UTC) for r in got)
    for r in got:
        assert (r["cooperative_approach_id"], r["party_itmo_registry_id"], r["metric"]) == ("CA0001", "UN01", "GHG")
        assert r["first_transferring_party_id"] == "GH"  # every unit here is Ghana's (reading aef-5)
        one = dict(host_iso2="GH", activity_reference=year.activity.reference, vintage=r["vintage"])
        assert r["first_underlying_unit_id"] == serial_compose(**one, serial_start=r["first_itmo_id"],
                                                               serial_end=r["first_itmo_id"])
        assert r["last_underlying_unit_id"] == serial_compose(**one, serial_start=r["last_itmo_id"],
                                                              serial_end=r["last_itmo_id"])


def test_the_totals_of_ghanas_year(year):
    """What the CA rests on (RMP 71-72): every unit first-transferred in the year, by the ledger's flags."""
    got = _rows(_sheets("GH")["actions"])
    first = sum(r["quantity_tco2e"] for r in got if r["action_type"] == FT)
    flagged = sum(e.quantity for e in LedgerEntry.objects.filter(
        first_transfer=True, transaction__created_at__year=YEAR, block__host_party__iso2="GH"))
    assert first == flagged > 0
    assert all(r["action_subtype"] != "Issuance" for r in got)  # an issuance is no action (aef-6)


@pytest.mark.parametrize("iso", ["GH", "KE"])
def test_holdings_are_the_ranges_held_at_the_end_of_the_year(year, iso):
    got = [(( r["additional_information"].split(";")[0], r["vintage"],
              r["additional_information"].endswith("yes")), r["first_itmo_id"], r["last_itmo_id"],
            r["first_transferring_party_id"]) for r in _rows(_sheets(iso)["holdings"])]
    expected = [(key, s, e, host if key[2] else "") for key, s, e, host in year.held_at_end[iso]]
    assert sorted(got) == sorted(expected)
    assert got, "the Party holds ITMOs at the end of the year"
    # The move after the year changed today's blocks, not the report (the ledger replayed to 31 Dec).
    assert _held_blocks(iso) != year.held_at_end[iso]


def test_authorizations_are_the_statements_versions(year):
    rows = _rows(_sheets("GH")["authorizations"])
    ref = year.activity.reference
    assert [(r["authorization_id"], r["version"], r["purposes"], r["first_transfer_definition_oimp"],
             r["date_of_authorization"]) for r in rows] == [
        (f"{ref}-AUTH-v1", 1, "NDC", "", datetime.date(YEAR - 1, 12, 1)),
        (f"{ref}-AUTH-v2", 2, "NDC and OIMP", "Issuance", datetime.date(YEAR, 6, 1)),
    ]
    assert rows[0]["authorized_entity_ids"] == f"PACM-ORG-{year.orgs['dev'].pk}"
    assert _rows(_sheets("KE")["authorizations"]) == []  # Kenya hosts nothing


def test_authorized_entities_and_submission(year):
    sheets = _sheets("GH")
    entities = _rows(sheets["authorized_entities"])
    dev = year.orgs["dev"]
    assert {(r["name"], r["identification_number"], r["country_of_incorporation"]) for r in entities} == {
        (dev.name, f"PACM-ORG-{dev.pk}", "GH")}
    # The host approval (RMP 41) and each of Kpone's accounts resting on Ghana's letter (para 33).
    assert len(entities) == 1 + Account.objects.filter(authorized_by__iso2="GH", organisation=dev).count()
    (submission,) = _rows(sheets["submission"])
    assert (submission["party"], submission["reported_year"], submission["version"],
            submission["date_of_submission"]) == ("GH", YEAR, "1.0", datetime.date(YEAR + 1, 2, 1))


def test_the_sql_owner_party_is_the_models(year):
    """aef.owner_party repeats Account.owner_party_id in SQL: they agree on every account."""
    got = dict(Account.objects.annotate(owner=aef.owner_party("")).values_list("pk", "owner"))
    assert got == {a.pk: a.owner_party_id for a in Account.objects.select_related("organisation")}


# --- The page, the downloads, the command ---------------------------------------------------------

def _download(client, iso, fmt):
    return client.get(reverse("aef-download", kwargs={"iso2": iso, "year": YEAR, "fmt": fmt}))


@pytest.mark.parametrize("who, iso, allowed", [
    ("dina", "GH", True), ("nils", "KE", True), ("sam", "GH", True), ("sam", "KE", True),
    ("dina", "KE", False), ("nils", "GH", False), ("ama", "GH", False), ("sofia", "GH", False),
    ("dora", "GH", False),
])
def test_only_the_partys_dna_and_the_secretariat_download(year, as_user, who, iso, allowed):
    client = as_user(getattr(year, who))
    for fmt in ("xlsx", "zip"):
        assert _download(client, iso, fmt).status_code == (200 if allowed else 404)
    page = client.get(reverse("aef-report"))
    assert page.status_code == (200 if who in ("dina", "nils", "sam") else 403)


def test_anonymous_is_sent_to_log_in(year, client):
    for url in (reverse("aef-report"), reverse("aef-download", kwargs={"iso2": "GH", "year": YEAR, "fmt": "xlsx"})):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def _as_text(rows):
    return [["" if v is None else str(v) for v in row] for row in rows]


def test_the_workbook_has_one_sheet_per_table_and_the_zip_one_csv(year, as_user):
    client = as_user(year.dina)
    book = xlsx_sheets(body(_download(client, "GH", "xlsx")))
    assert list(book) == ["submission", "authorizations", "actions", "holdings", "authorized_entities"]
    expected = _sheets("GH")
    for name, sheet in expected.items():
        rows = book[name]
        assert rows[0] == sheet.header
        if name != "submission":  # its date of submission is today's
            assert len(rows) - 1 == len(list(_sheets("GH")[name].rows))
    # Formula injection: the beneficiary stays text in the actions' additional information.
    actions = book["actions"]
    assert not any(str(v).startswith("=") for row in actions for v in row if v is not None)
    archive = zipfile.ZipFile(io.BytesIO(body(_download(client, "GH", "zip"))))
    assert archive.namelist() == [f"{name}.csv" for name in expected]
    assert archive.read("actions.csv").decode().count("\r\n") == len(actions)


def test_the_page_sends_the_choice_to_the_download(year, as_user):
    client = as_user(year.dina)
    page = client.get(reverse("aef-report"))
    assert "Ghana" in page.content.decode() and "Kenya" not in page.content.decode()
    response = client.get(reverse("aef-report"), {"party": "GH", "year": YEAR, "format": "zip"})
    assert response.status_code == 302
    assert response["Location"] == reverse("aef-download", kwargs={"iso2": "GH", "year": YEAR, "fmt": "zip"})
    # Another Party or a year out of bounds: the form says so, nothing is built.
    for bad in ({"party": "KE", "year": YEAR, "format": "xlsx"}, {"party": "GH", "year": 99999, "format": "xlsx"}):
        assert client.get(reverse("aef-report"), bad).status_code == 200
    assert _download(client, "GH", "pdf").status_code == 404


def test_the_command_writes_the_same_report(year, tmp_path):
    target = tmp_path / "gh.xlsx"
    call_command("aef_report", "gh", str(YEAR), "--output", str(target))
    book = xlsx_sheets(target.read_bytes())
    sheets = _sheets("GH")
    assert _as_text(book["actions"][1:]) == _as_text(
        [[v if not isinstance(v, datetime.datetime) else v for v in row] for row in
         [[_cell(v) for v in row] for row in sheets["actions"].rows]])
    call_command("aef_report", "GH", str(YEAR), "--format", "zip", "--output", str(tmp_path / "gh.zip"))
    assert len(zipfile.ZipFile(tmp_path / "gh.zip").namelist()) == 5


def _cell(value):
    from projects.exports.writer import cell_safe

    return cell_safe(value)


def test_a_year_without_activity_has_empty_tables(reg):
    sheets = {s.name: s for s in aef.aef_sheets(party=reg.host, year=2030)}
    assert [len(list(sheets[n].rows)) for n in ("authorizations", "actions", "holdings")] == [0, 0, 0]
    assert isinstance(sheets["submission"], Sheet)

"""pacm issue 9, the public registry as buyers use it: the serial lookup (PROC-REGS-001 v02.1 paras 13-18,
74), read back from serial_compose, through the index (activity, vintage, serial_start), in a fixed
number of queries; private holders never named (docs/rules-coverage.md public-lookup-1)."""
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pacm.registry.lookup import LOOKUP_BLOCKS, serial_lookup
from pacm.registry.models import AccountKind, UnitBlock
from pacm.registry.serials import SerialQuery, SerialUnreadable, serial_compose, serial_format, serial_parse
from pacm.registry.services import units_transfer

from .conftest import activity_make, issue

pytestmark = pytest.mark.django_db


# --- Reading a serial back --------------------------------------------------------------------------


def test_a_printed_range_reads_back_to_its_components():
    printed = serial_compose(host_iso2="GH", activity_reference="A64-000001", vintage=2024, serial_start=15,
                             serial_end=300)
    assert serial_parse(printed) == [SerialQuery("GH", "A64-000001", 2024, 15, 300)]


def test_one_serial_and_a_reference_ending_in_digits():
    # The last number is either the only serial (reference A64-000001) or a range's end (reference A64,
    # vintage 000001: not a year), so only one reading stands.
    assert serial_parse("A6.4ER-GH-A64-000001-2024-15") == [SerialQuery("GH", "A64-000001", 2024, 15, 15)]
    # Without the prefix, in lower case, a range written with "..".
    assert serial_parse(" gh-a64-000001-2024-15..30 ") == [SerialQuery("GH", "A64-000001", 2024, 15, 30)]


def test_digits_of_other_scripts_read_as_the_forms_read_them():
    assert serial_parse("GH-A64-000001-\u0662\u0660\u0662\u0664-\uff11\uff15") == [
        SerialQuery("GH", "A64-000001", 2024, 15, 15)]


def test_two_readings_when_both_stand():
    """"…-2030-2031-7": the range 2031..7 is backwards, so only the single serial 7 of vintage 2031 of
    the reference A64-X-2030 stands; with an ordered range both readings stand and the lookup tries both."""
    assert serial_parse("GH-A64-X-2030-2031-7") == [SerialQuery("GH", "A64-X-2030", 2031, 7, 7)]
    assert serial_parse("GH-A64-X-2030-5-7") == [SerialQuery("GH", "A64-X", 2030, 5, 7)]
    assert serial_parse("GH-A64-X-2030-2031-2040") == [
        SerialQuery("GH", "A64-X", 2030, 2031, 2040), SerialQuery("GH", "A64-X-2030", 2031, 2040, 2040)]


@pytest.mark.parametrize("text", [
    "", "   ", "hello", "A6.4ER-GH", "A6.4ER-GH-A64-000001", "A6.4ER-GH-A64-000001-2024",
    "A6.4ER-GHA-A64-1-2024-1", "A6.4ER-12-A64-1-2024-1", "A6.4ER-GH-A64-1-1989-5", "A6.4ER-GH-A64-1-2024-0",
    "A6.4ER-GH-A64-1-2024-30-15", "A6.4ER-GH-A64-1-2024-99999999999999999999", "A6.4ER-GH-A64-1-2024-1\x00",
    "A6.4ER-GH-" + "A" * 200 + "-2024-1", None, 12, "A6.4ER-GH-A64-1-2024-\u00b2", "A6.4ER-GH-A64-1-\u00b2\u2070\u00b2\u2074-1",
])
def test_a_malformed_serial_is_unreadable_with_the_expected_form(text):
    with pytest.raises(SerialUnreadable, match="Give a serial number as printed|at most 120 characters"):
        serial_parse(text)


# --- The lookup --------------------------------------------------------------------------------------


def blocks_of(activity):
    return list(UnitBlock.objects.filter(activity=activity).select_related("host_party", "activity", "account")
                .order_by("serial_start"))


def printed(activity, start, end=None, vintage=2024):
    return serial_compose(host_iso2=activity.host_party.iso2, activity_reference=activity.reference,
                          vintage=vintage, serial_start=start, serial_end=start if end is None else end)


@pytest.fixture
def issued(reg):
    """10,000 units of 2024: SOP 1-500, OMGE 501-700, Kpone 701-10,000; then 100 to Ghana's Party account
    (701-800) and 50 to Savannah in Kenya (801-850): five blocks."""
    issue(reg.activity, 10_000, to=reg.acct)
    units_transfer(user=reg.ama, from_account=reg.acct, to_account=reg.gh_party, quantity=100)
    units_transfer(user=reg.ama, from_account=reg.acct, to_account=reg.foreign, quantity=50)
    assert [(b.serial_start, b.serial_end) for b in blocks_of(reg.activity)] == [
        (1, 500), (501, 700), (701, 800), (801, 850), (851, 10_000)]
    return reg


@pytest.mark.parametrize("serial, block", [(5, 0), (1, 0), (500, 0), (501, 1), (700, 1), (850, 3), (10_000, 4)])
def test_a_serial_inside_a_block_and_at_its_edges(issued, serial, block):
    result = serial_lookup(printed(issued.activity, serial))
    expected = blocks_of(issued.activity)[block]
    assert result.error == "" and result.gaps == [] and not result.more
    assert [row["pk"] for row in result.blocks] == [expected.pk]
    row = result.blocks[0]
    assert row["serial"] == serial_format(expected) and row["quantity"] == expected.quantity
    assert (row["vintage"], row["authorization_status"], row["first_transferred"], row["account__kind"],
            row["negligible_risk"]) == (2024, "ndc", expected.first_transferred, expected.account.kind, False)


def test_a_range_across_blocks_shows_each_block_once(issued):
    result = serial_lookup(printed(issued.activity, 450, 820))
    blocks = blocks_of(issued.activity)
    assert [row["pk"] for row in result.blocks] == [b.pk for b in blocks[:4]]
    assert [row["account__kind"] for row in result.blocks] == ["sop_adaptation", "omge_mandatory", "holding",
                                                               "holding"]
    # First transferred: the SOP and OMGE shares (RMP 58-59), the Kenyan transfer (2/CMA.3 annex para 2(a));
    # not the units that stayed in Ghana.
    assert [row["first_transferred"] for row in result.blocks] == [True, True, False, True]
    assert result.units == 850 and result.gaps == []


def test_the_part_of_a_range_not_issued_is_said(issued):
    result = serial_lookup(printed(issued.activity, 9_990, 10_050))
    assert [row["serial_end"] for row in result.blocks] == [10_000]
    assert result.gaps == [(10_001, 10_050)]
    result = serial_lookup(printed(issued.activity, 10_001))
    assert result.blocks == [] and result.error == (
        f"No unit of {issued.activity.reference}, vintage 2024, has this serial number: it has not been issued.")
    result = serial_lookup(printed(issued.activity, 5, vintage=2023))
    assert result.blocks == [] and "vintage 2023" in result.error


def test_an_unknown_activity_and_a_wrong_host_are_said(issued):
    result = serial_lookup("A6.4ER-GH-A64-999999-2024-5")
    assert result.blocks == [] and result.error == (
        "No activity with units in the registry has the reference A64-999999.")
    result = serial_lookup(printed(issued.activity, 5).replace("-GH-", "-KE-"))
    assert result.blocks == [] and result.error == (
        f"The units of {issued.activity.reference} carry the host Party code GH, not KE.")


def test_an_activity_without_units_is_not_found(reg):
    """Blocks exist only for registered (public) activities: one without any is not looked into."""
    result = serial_lookup(printed(reg.activity, 1))
    assert result.blocks == [] and "No activity with units" in result.error


def test_a_wide_range_shows_the_first_blocks_and_says_so(reg):
    issue(reg.activity, 10_000, to=reg.acct)
    for _ in range(LOOKUP_BLOCKS):  # each transfer splits one more block off the front of Kpone's
        units_transfer(user=reg.ama, from_account=reg.acct, to_account=reg.acct2, quantity=1)
    result = serial_lookup(printed(reg.activity, 1, 10_000))
    assert len(result.blocks) == LOOKUP_BLOCKS and result.more and result.gaps == []
    assert [row["serial_start"] for row in result.blocks] == sorted(row["serial_start"] for row in result.blocks)


def _queries(text):
    with CaptureQueriesContext(connection) as captured:
        serial_lookup(text)
    return len(captured)


def test_the_lookup_costs_the_same_however_many_blocks(reg):
    issue(reg.activity, 10_000, to=reg.acct)
    small = [_queries(printed(reg.activity, 5)), _queries(printed(reg.activity, 450, 900)),
             _queries(printed(reg.activity, 20_000)), _queries("nonsense")]
    assert small == [3, 3, 3, 0]
    other = activity_make(reg)
    for _ in range(5):
        issue(reg.activity, 1_000, to=reg.acct)
        issue(other, 1_000, to=reg.acct)
    for _ in range(10):
        units_transfer(user=reg.ama, from_account=reg.acct, to_account=reg.acct2, quantity=3)
    assert [_queries(printed(reg.activity, 5)), _queries(printed(reg.activity, 450, 900)),
            _queries(printed(reg.activity, 20_000)), _queries("nonsense")] == small


# --- The page -----------------------------------------------------------------------------------------


def test_the_page_shows_the_blocks_and_names_only_public_holders(client, issued):
    url = reverse("registry-serials")
    html = client.get(url, {"q": printed(issued.activity, 690, 860)}).content.decode()
    blocks = blocks_of(issued.activity)
    for block in blocks[1:5]:
        assert serial_format(block) in html
    assert serial_format(blocks[0]) not in html
    # The Party's account is named (Party information is public, PROC-REGS-001 para 76); the entities' not.
    assert "Ghana Party holding" in html and "Mandatory OMGE cancellation" in html
    assert html.count("Private holding account") == 2
    for private in ("Kpone", "Savannah", issued.acct.number, issued.foreign.number, issued.gh_party.number):
        assert private not in html
    assert "first transferred" in html and "Authorized for NDC use" in html
    assert "5 blocks" not in html and "4 blocks" in html


@pytest.mark.parametrize("text, message", [
    ("A6.4ER-GH-A64", "Give a serial number as printed"),
    ("A6.4ER-GH-A64-000001-2024-1-" + "9" * 40, "Give a serial number as printed"),
    ("x" * 500, "at most 120 characters"),
    ("A6.4ER-GH-A64-999999-2024-5", "No activity with units in the registry has the reference A64-999999."),
])
def test_the_page_says_what_is_wrong_never_a_500(client, issued, text, message):
    response = client.get(reverse("registry-serials"), {"q": text})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and 'id="lookup-error"' in html and 'id="lookup"' not in html


def test_the_empty_page_explains_the_form_and_every_page_has_the_box(client, issued):
    html = client.get(reverse("registry-serials")).content.decode()
    assert "Type a serial number as printed" in html and 'id="lookup-error"' not in html
    action = f'action="{reverse("registry-serials")}"'
    for name in ("registry-units", "registry-blocks", "registry-issuances", "registry-uses", "registry-totals",
                 "registry-public"):
        assert action in client.get(reverse(name)).content.decode(), name


def test_a_negligible_risk_tag_and_a_mitigation_contribution_show(client, reg):
    from pacm.registry.models import UnitBlock as B

    issue(reg.activity, 1_000, to=reg.acct, status="mc")
    B.objects.filter(activity=reg.activity).update(negligible_risk=True)
    html = client.get(reverse("registry-serials"), {"q": printed(reg.activity, 900)}).content.decode()
    assert "negligible risk of reversal" in html and "Mitigation contribution" in html
    assert "not applicable (mitigation contribution)" in html


def test_the_page_costs_the_same_however_many_blocks(client, reg, django_assert_max_num_queries):
    issue(reg.activity, 10_000, to=reg.acct, lines=[(reg.acct, Decimal("50")), (reg.foreign, Decimal("50"))])
    url, query = reverse("registry-serials"), {"q": printed(reg.activity, 1, 10_000)}
    with CaptureQueriesContext(connection) as small:
        client.get(url, query)
    for _ in range(10):
        units_transfer(user=reg.ama, from_account=reg.acct, to_account=reg.acct2, quantity=7)
    with django_assert_max_num_queries(len(small)):
        html = client.get(url, query).content.decode()
    assert html.count('<code class="hash">') == UnitBlock.objects.filter(activity=reg.activity).count() > 10


def test_holders_of_the_mechanism_accounts_are_named(issued):
    result = serial_lookup(printed(issued.activity, 1, 700))
    assert [row["holder"] for row in result.blocks] == [
        issued.acct.__class__.objects.get(kind=AccountKind.SOP_ADAPTATION).name,
        issued.acct.__class__.objects.get(kind=AccountKind.OMGE_MANDATORY).name]

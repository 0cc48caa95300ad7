"""issuance_execute (rules.md §4.5, §5.4): issue into pending, levy, cancel, buffer, forward."""
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from methodologies.arithmetic import issuance_split
from methodologies.models import RuleSet
from pacm.common.errors import ServiceError
from pacm.registry.models import AccountKind, LedgerEntry, LedgerTransaction, SerialCounter, UnitBlock
from pacm.registry.services import issuance_execute

from .conftest import activity_make, held, issue, mech, request_make


def test_issuance_splits_forwards_and_keys_each_step(reg):
    request, split, rows = issue(reg.activity, 30_000, lines=[(reg.acct, Decimal("60")), (reg.acct2, Decimal("40"))])
    assert (split.share_of_proceeds, split.omge, split.net) == (1_500, 600, 27_900)
    assert [r.kind for r in rows] == ["issuance", "share_of_proceeds", "omge_cancellation", "forwarding", "forwarding"]
    assert [r.idempotency_key for r in rows] == [
        f"issuance:{request.pk}:{step}" for step in ("issue", "share_of_proceeds", "omge", "forward:1", "forward:2")
    ]
    assert [r.quantity for r in rows] == [30_000, 1_500, 600, 16_740, 11_160]
    assert held(reg.acct) == 16_740 and held(reg.acct2) == 11_160
    assert held(mech(AccountKind.SOP_ADAPTATION)) == 1_500 and held(mech(AccountKind.OMGE_MANDATORY)) == 600
    assert held(mech(AccountKind.PENDING)) == 0 and held(mech(AccountKind.BUFFER)) == 0
    # Each step takes the lowest serials left: SOP 1-1500, OMGE 1501-2100, then the forwards.
    ranges = {r.kind + str(r.to_account_id): [(e.serial_start, e.serial_end) for e in r.entries.all()] for r in rows}
    assert ranges[f"share_of_proceeds{mech(AccountKind.SOP_ADAPTATION).pk}"] == [(1, 1_500)]
    assert ranges[f"omge_cancellation{mech(AccountKind.OMGE_MANDATORY).pk}"] == [(1_501, 2_100)]
    assert ranges[f"forwarding{reg.acct.pk}"] == [(2_101, 18_840)]
    assert ranges[f"forwarding{reg.acct2.pk}"] == [(18_841, 30_000)]
    assert SerialCounter.objects.get(activity=reg.activity, vintage=2024).next_serial == 30_001


def test_serials_run_on_per_activity_and_vintage_and_are_never_reused(reg):
    issue(reg.activity, 100, to=reg.acct)
    issue(reg.activity, 50, to=reg.acct, vintage=2025)
    request, _, _ = issue(reg.activity, 200, to=reg.acct)
    blocks = UnitBlock.objects.filter(issuance=request)
    assert min(b.serial_start for b in blocks) == 101 and max(b.serial_end for b in blocks) == 300
    other = activity_make(reg)
    request, _, _ = issue(other, 10, to=reg.acct)
    assert min(b.serial_start for b in UnitBlock.objects.filter(issuance=request)) == 1


def test_tranches_issue_in_order_and_steps_take_serial_order(reg):
    tranches = [(2023, 60, "ndc", "international"), (2024, 30, "mc", ""), (2023, 10, "mc", "")]
    request, split, rows = issue(reg.activity, 100, tranches=tranches, to=reg.acct)
    issued = rows[0].entries.order_by("pk")
    assert [(e.vintage, e.serial_start, e.serial_end) for e in issued] == [(2023, 1, 60), (2024, 1, 30), (2023, 61, 70)]
    statuses = {(b.vintage, b.serial_start): (b.authorization_status, b.first_transfer_definition)
                for b in UnitBlock.objects.filter(issuance=request)}
    assert statuses[(2023, 1)] == ("ndc", "international")
    # SOP 5 units, in proportion (pacm issue 6 §5 rule 5): 3 of the 60 authorized (5 x 60/100 = 3),
    # 2 of the 40 mitigation contribution units; each kind from its first serials, in serial order.
    sop = rows[1].entries.order_by("pk")
    assert [(e.vintage, e.serial_start, e.serial_end) for e in sop] == [(2023, 1, 3), (2023, 61, 62)]


def test_levies_of_authorized_units_are_first_transfers_with_ca(reg):
    request, _, rows = issue(reg.activity, 1_000, to=reg.acct)
    sop, omge, forward = rows[1], rows[2], rows[3]
    # RMP 58-59; 4/CMA.6 paras 16-17.
    assert sop.first_transfer and sop.corresponding_adjustment
    assert omge.first_transfer and omge.corresponding_adjustment
    assert all(e.first_transfer for e in sop.entries.all())
    # NDC units forwarded to the host's own participant: not an international transfer.
    assert not forward.first_transfer and not forward.corresponding_adjustment
    assert set(UnitBlock.objects.filter(account=reg.acct).values_list("first_transferred", flat=True)) == {False}
    levied = UnitBlock.objects.filter(account__kind__in=["sop_adaptation", "omge_mandatory"])
    assert all(b.first_transferred and b.first_transferred_at for b in levied)


def test_mitigation_contribution_levies_are_not_first_transfers(reg):
    _, _, rows = issue(reg.activity, 1_000, to=reg.acct, status="mc")
    assert not LedgerTransaction.objects.filter(first_transfer=True).exists()
    assert not UnitBlock.objects.filter(first_transferred=True).exists()
    assert rows[1].kind == "share_of_proceeds"


def test_forwarding_abroad_of_ndc_units_is_a_first_transfer(reg):
    # The issuance forwards to a Kenyan entity's account: the first international transfer.
    _, _, rows = issue(reg.activity, 1_000, lines=[(reg.acct, Decimal("50")), (reg.foreign, Decimal("50"))])
    assert not rows[3].first_transfer
    assert rows[4].first_transfer and rows[4].corresponding_adjustment and rows[4].to_account_id == reg.foreign.pk
    assert set(UnitBlock.objects.filter(account=reg.foreign).values_list("first_transferred", flat=True)) == {True}


@pytest.mark.parametrize("definition, forwarded_first", [("issuance", True), ("authorization", True), ("use", False)])
def test_oimp_forwarding_follows_the_hosts_definition(reg, definition, forwarded_first):
    _, _, rows = issue(reg.activity, 1_000, to=reg.acct, status="oimp", definition=definition)
    assert rows[3].first_transfer is forwarded_first
    assert UnitBlock.objects.get(account=reg.acct).first_transfer_definition == definition


def test_buffer_step_for_rated_activity(reg):
    request, split, rows = issue(reg.activity, 1_000, to=reg.acct, risk_rating=20)
    assert split.buffer == 200 and [r.kind for r in rows][3] == "buffer_deposit"
    assert rows[3].idempotency_key == f"issuance:{request.pk}:buffer"
    assert not rows[3].first_transfer
    assert held(mech(AccountKind.BUFFER)) == 200 and held(reg.acct) == 730


def test_zero_steps_create_no_transaction(reg):
    # 19 units: SOP floor(0.95) = 0 (RMP 58 with policy.md's rounding): no SOP transaction.
    request, split, rows = issue(reg.activity, 19, to=reg.acct)
    assert split.share_of_proceeds == 0
    assert [r.kind for r in rows] == ["issuance", "omge_cancellation", "forwarding"]
    assert not LedgerTransaction.objects.filter(kind="share_of_proceeds").exists()


def test_issuance_execute_twice_issues_once(reg):
    request, split, rows = issue(reg.activity, 1_000, to=reg.acct)
    counts = (UnitBlock.objects.count(), LedgerTransaction.objects.count(), LedgerEntry.objects.count())
    _, _, again = issue(reg.activity, 1_000, to=reg.acct, request=request)
    assert [r.pk for r in again] == [r.pk for r in rows]
    assert (UnitBlock.objects.count(), LedgerTransaction.objects.count(), LedgerEntry.objects.count()) == counts
    assert held(reg.acct) == split.net
    assert SerialCounter.objects.get(activity=reg.activity, vintage=2024).next_serial == 1_001


def test_a_step_done_before_is_skipped_and_the_rest_completes(reg):
    """A run that stopped after the issuance step (its key exists) resumes with the later steps."""
    request = request_make(reg.activity, 100)
    split = issuance_split(gross=100, rule_set=RuleSet.objects.in_force())
    with transaction.atomic():
        issuance_execute(issuance=request, tranches=[(2024, 100, "ndc", "")], split=split,
                         distribution=[(reg.acct, split.net)], actor_label="t")
        # The ledger is append-only through the ORM; the simulated crash state is written in SQL.
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE registry_ledgertransaction SET idempotency_key = NULL WHERE issuance_id = %s AND kind <> %s",
                [request.pk, "issuance"],
            )
        # Simulate the later steps never having happened: put their units back in pending.
        UnitBlock.objects.filter(issuance=request).update(account=mech(AccountKind.PENDING))
    rows = issuance_execute(issuance=request, tranches=[(2024, 100, "ndc", "")], split=split,
                            distribution=[(reg.acct, split.net)], actor_label="t")
    assert LedgerTransaction.objects.filter(issuance=request, kind="issuance").count() == 1
    assert [r.kind for r in rows] == ["issuance", "share_of_proceeds", "omge_cancellation", "forwarding"]
    assert held(reg.acct) == split.net and held(mech(AccountKind.PENDING)) == 0


def _issue_queries(reg, gross, activity, *, sop_exempt):
    request = request_make(activity, gross)
    split = issuance_split(gross=gross, rule_set=RuleSet.objects.in_force(), risk_rating=10, sop_exempt=sop_exempt)
    first = split.net // 2
    tranches = [(2023, gross // 2, "ndc", "international"), (2024, gross - gross // 2, "mc", "")]
    with CaptureQueriesContext(connection) as ctx:
        with transaction.atomic():
            rows = issuance_execute(issuance=request, tranches=tranches, split=split, actor_label="t",
                                    distribution=[(reg.acct, first), (reg.foreign, split.net - first)])
    assert sum(b.quantity for b in UnitBlock.objects.filter(issuance=request)) == gross
    return len(ctx.captured_queries), [r.kind for r in rows]


@pytest.mark.parametrize("small, sop_exempt", [(100, True), (100, False)])
def test_issuance_queries_do_not_depend_on_quantity(reg, small, sop_exempt):
    """100 and 10,000,000 units run the same queries. The levies take from the authorized and the
    mitigation contribution tranche in proportion (pacm issue 6 §5 rule 5), so the comparison starts
    where each levy is at least 2 units and touches both (100: SOP 5, OMGE 2). Each run uses a
    fresh activity so its serial counters are new in both."""
    few, kinds_small = _issue_queries(reg, small, activity_make(reg), sop_exempt=sop_exempt)
    many, kinds_large = _issue_queries(reg, 10_000_000, activity_make(reg), sop_exempt=sop_exempt)
    assert kinds_small == kinds_large
    assert ("share_of_proceeds" in kinds_small) is not sop_exempt and "buffer_deposit" in kinds_small
    assert few == many


@pytest.mark.parametrize(
    "change, message",
    [
        ({"tranches": [(2024, 99, "ndc", "")]}, "tranches add up to 99"),
        ({"distribution": "short"}, "distribution adds up"),
        ({"distribution": "pending"}, "not a holding account"),
        ({"tranches": [(2024, 100, "weird", "")]}, "unknown authorization status"),
        ({"tranches": [(2024, 100, "oimp", "")]}, "first-transfer definition"),
        ({"tranches": [(2024, 100, "ndc", "use")]}, "internationally"),
        ({"tranches": [(0, 100, "ndc", "")]}, "not a year"),
        ({"tranches": [(2024, -1, "ndc", ""), (2025, 101, "ndc", "")]}, "whole number"),
    ],
)
def test_bad_instructions_change_nothing(reg, change, message):
    request = request_make(reg.activity, 100)
    split = issuance_split(gross=100, rule_set=RuleSet.objects.in_force())
    distribution = [(reg.acct, split.net)]
    if change.get("distribution") == "short":
        distribution = [(reg.acct, split.net - 1)]
    elif change.get("distribution") == "pending":
        distribution = [(mech(AccountKind.PENDING), split.net)]
    with pytest.raises(ServiceError, match=message):
        issuance_execute(issuance=request, tranches=change.get("tranches", [(2024, 100, "ndc", "")]), split=split,
                         distribution=distribution, actor_label="t")
    assert not UnitBlock.objects.exists() and not LedgerTransaction.objects.exists()
    assert not SerialCounter.objects.exists()


def test_first_transfer_to_an_unauthorized_entity_at_forwarding_is_refused(reg):
    # RMP 45: the Kenyan entity is not authorized, NDC units forwarded to it would be a first transfer.
    with pytest.raises(ServiceError, match="RMP 45"):
        issue(reg.activity, 100, to=reg.unauth)
    assert not UnitBlock.objects.exists() and not LedgerTransaction.objects.exists()
    # Mitigation contribution units are never first-transferred: they may go there.
    issue(reg.activity, 100, to=reg.unauth, status="mc")
    assert held(reg.unauth) == 93

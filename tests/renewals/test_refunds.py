"""Refunds of paid fees when a request is withdrawn or rejected (A6.4-PROC-AC-002 v03.0 App.1 paras 7, 14,
17; A6.4-PROC-AC-003 v03.0 App.1 paras 7-8, 15, 19-20; A6.4-PROC-AC-001 v06.0 para 35;
docs/rules-coverage.md refund-1 to refund-5).

Personas: ama (participant) requests and withdraws, otto (Orbis) validates and submits, sam (secretariat)
checks, the Board rejects as recorded by sam."""
import datetime
from decimal import Decimal

import pytest

from methodologies.models import RuleSet
from pacm.events.models import Event
from projects.models import Refund
from projects.renewals import refunds
from projects.renewals import services as rs
from projects.renewals.cycle import RenewalState as S

from .helpers import drive, fresh, last_sequence, registered_renewable, renewal_events, request

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def project(world, advance_to):
    return registered_renewable(world, advance_to)


def _ladders():
    return RuleSet.objects.in_force(datetime.date(2026, 1, 1)).refund_ladders


@pytest.mark.parametrize("ladder, stage, paid, due", [
    # PROC-AC-002 App.1 para 7 (a)-(d): full; above 1,500; above 5,000; none after the substantive check.
    ("registration", "before_checks", "10000", "10000"),
    ("registration", "completeness", "10000", "8500"),
    ("registration", "completeness", "1500", "0"),
    ("registration", "substantive", "10000", "5000"),
    ("registration", "substantive", "5000", "0"),
    ("registration", "after_substantive", "10000", "0"),
    ("registration", "rejected", "10000", "0"),
    # App.1 para 14 (a)-(d): full; above 1,500; above 5,000; above 10,000 later or rejected.
    ("issuance", "before_checks", "30000", "30000"),
    ("issuance", "completeness", "30000", "28500"),
    ("issuance", "substantive", "30000", "25000"),
    ("issuance", "after_substantive", "30000", "20000"),
    ("issuance", "rejected", "30000", "20000"),
    ("issuance", "rejected", "9000", "0"),
    # PROC-AC-003 App.1 para 7 (a)-(d): full; USD 8,500; USD 5,000; none. Para 15: as para 14.
    ("poa_registration", "before_checks", "10000", "10000"),
    ("poa_registration", "completeness", "10000", "8500"),
    ("poa_registration", "substantive", "10000", "5000"),
    ("poa_registration", "after_substantive", "10000", "0"),
    ("poa_registration", "rejected", "10000", "0"),
    ("poa_issuance", "substantive", "30000", "25000"),
    # PROC-AC-003 App.1 paras 8, 20: the CP inclusion and CP renewal fees are never reimbursed.
    ("cp", "before_checks", "800", "0"),
    ("cp", "rejected", "800", "0"),
])
def test_each_rung_of_the_ladders_in_the_rule_set(ladder, stage, paid, due):
    assert refunds.amount_due(_ladders()[ladder][stage], D(paid)) == D(due)


def _paid_renewal(world, project, clock, until, estimate=60_000):
    clock.move_to(datetime.datetime.combine(project.crediting_end - datetime.timedelta(days=100), datetime.time(9),
                                            tzinfo=datetime.UTC), tick=False)
    renewal = drive(world, clock, request(world, project, estimate=estimate), until)
    if until == S.REQUESTED:
        from projects import services

        services.fee_record_payment(fee=renewal.fee, user=world.sam, reference="WIRE-R1")
    return fresh(renewal)


def test_a_renewal_withdrawn_before_the_checks_is_refunded_in_full(world, project, time_machine):
    renewal = _paid_renewal(world, project, time_machine, S.REQUESTED)
    assert renewal.fee.amount_usd == D("10000.00") and renewal.fee.status == "paid"  # tier 3 (App.1 para 16)
    since = last_sequence(project.stream)
    rs.renewal_withdraw(renewal=renewal, user=world.ama, comment="We stop the project.")
    refund = Refund.objects.get(fee=renewal.fee)
    assert (refund.ladder, refund.stage, refund.outcome, refund.amount_usd, refund.status, refund.conditional) == (
        "registration", "before_checks", "withdrawn", D("10000.00"), "due", False)
    assert refund.rule_set == renewal.fee.rule_set
    assert renewal_events(project.stream, since) == [("fee.refund_due", None), ("renewal.transitioned", "withdraw")]
    event = Event.objects.filter(stream=project.stream, kind="fee.refund_due").get()
    assert event.payload["amount_usd"] == "10000.00" and event.payload["subject"].endswith("renewal 1")


def test_withdrawn_at_the_completeness_check_keeps_1500(world, project, time_machine):
    # App.1 paras 17, 7(b): any amount above USD 1,500, unless resubmitted within para 77's days.
    renewal = _paid_renewal(world, project, time_machine, S.COMPLETENESS)
    rs.renewal_withdraw(renewal=renewal, user=world.otto, comment="The participants withdraw.")
    refund = Refund.objects.get(fee=renewal.fee)
    assert (refund.stage, refund.amount_usd, refund.status, refund.conditional) == (
        "completeness", D("8500.00"), "due", True)


def test_returned_from_the_substantive_check_then_withdrawn_keeps_5000(world, project, time_machine):
    # App.1 para 7(c): the stage it was returned from, the substantive check.
    renewal = _paid_renewal(world, project, time_machine, S.SUBSTANTIVE)
    rs.renewal_return_incomplete(renewal=renewal, user=world.sam, comment="The monitoring plan is missing.")
    rs.renewal_withdraw(renewal=fresh(renewal), user=world.ama, comment="We give up.")
    refund = Refund.objects.get(fee=renewal.fee)
    assert (refund.stage, refund.amount_usd) == ("substantive", D("5000.00"))


def test_a_renewal_rejected_by_the_sb_is_not_refunded(world, project, time_machine):
    renewal = _paid_renewal(world, project, time_machine, S.REVIEW_WINDOW)
    renewal = rs.renewal_request_review(renewal=renewal, user=world.dina, comment="The baseline looks stale.")
    rs.renewal_board_decision_record(renewal=renewal, user=world.sam, transition="reject", meeting="SBM019",
                                     agenda_item="4.2", comment="The downward adjustment is not applied.")
    refund = Refund.objects.get(fee=renewal.fee)
    assert (refund.stage, refund.outcome, refund.amount_usd, refund.status) == (
        "rejected", "rejected", D("0.00"), "none")


def test_a_fee_not_paid_has_nothing_to_refund(world, project, time_machine):
    time_machine.move_to(datetime.datetime.combine(project.crediting_end - datetime.timedelta(days=100),
                                                   datetime.time(9), tzinfo=datetime.UTC), tick=False)
    renewal = drive(world, time_machine, request(world, project), S.REQUESTED)
    assert renewal.fee.status == "due"
    rs.renewal_withdraw(renewal=renewal, user=world.ama, comment="Withdrawn.")
    assert not Refund.objects.exists()
    assert not Event.objects.filter(kind="fee.refund_due").exists()


def test_the_fee_list_shows_the_refund_due(world, project, time_machine, client):
    renewal = _paid_renewal(world, project, time_machine, S.COMPLETENESS)
    rs.renewal_withdraw(renewal=renewal, user=world.otto, comment="The participants withdraw.")
    client.force_login(world.ama)
    page = client.get(f"/activities/{project.reference}/").content.decode()
    assert 'data-refund="due"' in page and "Refund due: USD 8,500.00 (Withdrawn)" in page
    assert "registration ladder, completeness, withdrawn (rule set 2025-08)" in page


def test_a_withdrawn_cp_renewal_keeps_its_paid_fee(world, time_machine):
    # PROC-AC-003 App.1 para 20: the CP renewal fee is not reimbursed.
    from projects import services
    from tests import factories as f

    from .poa_helpers import included_cp, registered_poa

    poa = registered_poa(world, years=20)
    cp = included_cp(world, poa)
    time_machine.move_to(datetime.datetime.combine(cp.crediting_end - datetime.timedelta(days=30), datetime.time(9),
                                                   tzinfo=datetime.UTC), tick=False)
    renewal = rs.cp_renewal_notify(
        cp=cp, user=world.otto, baseline_update="Baseline updated.", estimated_annual=20_000,
        design=f.pdf("cpdd-v2.pdf", content=f.pdf_bytes(f"CP-DD v2 {cp.reference}")),
        report=f.pdf("cpvr-renewal.pdf", content=f.pdf_bytes(f"renewal VR {cp.reference}")))
    services.fee_record_payment(fee=renewal.fee, user=world.sam, reference="WIRE-CPR")
    rs.cp_renewal_withdraw(renewal=fresh(renewal), user=world.otto, comment="The implementer stops.")
    refund = Refund.objects.get(fee=renewal.fee)
    assert (refund.ladder, refund.amount_usd, refund.status) == ("cp", D("0.00"), "none")

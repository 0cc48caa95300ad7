"""Registration fees (rules.md §9; policy.md §1): assessed with the request from the rule set in
force that day, waived for LDC/SIDS hosts, and blocking processing until paid (7/CMA.4 annex I
paras 51, 56, 58)."""
import datetime
from decimal import Decimal

import pytest
import time_machine

from methodologies.models import RuleSet
from pacm.common.errors import Refused, ServiceError
from pacm.events.models import EventKind
from pacm.parties.models import PartyStatus
from projects import services
from projects.cycle import ActivityState as A
from projects.models import Activity, Fee

from .. import factories as f
from .support import last_sequence, new_events, snapshot


@pytest.fixture
def requested(world, advance_to, approve_host):
    """Activities with a given annual estimate, taken to the registration request."""

    def make(estimated_annual=40_000, at=None):
        activity = services.activity_create(
            user=world.ama, **f.pdd_data(world.host, world.version, estimated_annual=estimated_annual)
        )
        activity = advance_to(activity, A.VALIDATED)
        approve_host(activity)
        if at is None:
            services.activity_request_registration(activity=activity, user=world.dora)
        else:
            with time_machine.travel(at, tick=False):
                services.activity_request_registration(activity=activity, user=world.dora)
        return Activity.objects.get(pk=activity.pk)

    return make


def test_completeness_check_waits_for_the_fee(world, requested):
    activity = requested()
    fee = activity.fees.get(kind=Fee.Kind.REGISTRATION)
    assert fee.status == Fee.Status.DUE
    before = snapshot(activity)
    with pytest.raises(ServiceError, match="registration fee has not been recorded as paid") as error:
        services.activity_start_completeness_check(activity=activity, user=world.sam)
    assert not isinstance(error.value, Refused)
    assert snapshot(activity) == before

    since = last_sequence(activity)
    services.fee_record_payment(fee=fee, user=world.sam, reference="  WIRE-2026-118  ")
    fee = Fee.objects.get(pk=fee.pk)
    assert fee.status == Fee.Status.PAID and fee.payment_reference == "WIRE-2026-118" and fee.paid_at
    (event,) = new_events(activity, since)
    assert event.kind == EventKind.FEE_PAID and event.actor == world.sam and event.role == "secretariat"
    assert event.payload == {"fee": "registration", "amount_usd": str(fee.amount_usd), "reference": "WIRE-2026-118",
                             "previous_status": "due", "status": "paid"}

    services.activity_start_completeness_check(activity=activity, user=world.sam)
    assert Activity.objects.get(pk=activity.pk).state == A.COMPLETENESS_CHECK


def test_only_the_secretariat_records_a_payment_once_with_a_reference(world, requested):
    activity = requested()
    fee = activity.fees.get()
    before = snapshot(activity)
    for persona in ("ama", "kofi", "dora", "otto", "dina", "nils", "sofia"):
        with pytest.raises(Refused):
            services.fee_record_payment(fee=fee, user=world.people[persona], reference="WIRE-1")
    with pytest.raises(ServiceError, match="payment reference"):
        services.fee_record_payment(fee=fee, user=world.sam, reference="   ")
    assert snapshot(activity) == before
    services.fee_record_payment(fee=fee, user=world.sam, reference="WIRE-1")
    paid = snapshot(activity)
    with pytest.raises(Refused, match="already paid"):
        services.fee_record_payment(fee=fee, user=world.sam, reference="WIRE-2")
    assert snapshot(activity) == paid
    assert Fee.objects.get(pk=fee.pk).payment_reference == "WIRE-1"


@pytest.mark.parametrize("kind", [PartyStatus.Kind.LDC, PartyStatus.Kind.SIDS])
def test_ldc_or_sids_host_fee_is_waived_and_the_check_starts_at_once(world, requested, kind):
    """7/CMA.4 annex I para 58: all fees waived for LDC and SIDS hosts."""
    PartyStatus.objects.create(party=world.host, kind=kind, valid_from=datetime.date(1994, 1, 1))
    activity = requested()
    fee = activity.fees.get()
    assert fee.status == Fee.Status.WAIVED
    assert "waived" in fee.basis
    assessed = activity.events.get(kind=EventKind.FEE_ASSESSED)
    assert assessed.payload["status"] == Fee.Status.WAIVED
    transitioned = activity.events.filter(kind=EventKind.ACTIVITY_TRANSITIONED).order_by("-sequence").first()
    assert transitioned.payload["fee_status"] == Fee.Status.WAIVED
    services.activity_start_completeness_check(activity=activity, user=world.sam)
    assert Activity.objects.get(pk=activity.pk).state == A.COMPLETENESS_CHECK
    with pytest.raises(Refused, match="already waived"):
        services.fee_record_payment(fee=fee, user=world.sam, reference="WIRE-1")


def test_waiver_follows_the_status_on_the_submission_date(world, requested):
    """An LDC status that ended before the request does not waive the fee (rules.md §9, open point)."""
    PartyStatus.objects.create(party=world.host, kind=PartyStatus.Kind.LDC, valid_from=datetime.date(1994, 1, 1),
                               valid_to=datetime.date(2024, 12, 31))
    assert requested().fees.get().status == Fee.Status.DUE


def test_waiver_can_be_switched_off_in_a_rule_set(world, requested):
    PartyStatus.objects.create(party=world.host, kind=PartyStatus.Kind.LDC, valid_from=datetime.date(1994, 1, 1))
    RuleSet.objects.create(version="no-waiver", effective_from=datetime.date(2025, 8, 8), fees_waived_ldc_sids=False)
    assert requested().fees.get().status == Fee.Status.DUE


TIERS = [(15_000, 1), (15_001, 2), (50_000, 2), (50_001, 3)]


@pytest.mark.parametrize("tonnes,tier", TIERS, ids=[f"{t}t" for t, _ in TIERS])
def test_registration_fee_tiers(world, requested, tonnes, tier):
    """7/CMA.4 annex I para 51: <= 15,000 / 15,001-50,000 / > 50,000 t/yr."""
    rules = RuleSet.objects.in_force()
    assert (rules.registration_tier1_max_tonnes, rules.registration_tier2_max_tonnes) == (15_000, 50_000)
    activity = requested(estimated_annual=tonnes)
    fee = activity.fees.get()
    assert fee.amount_usd == getattr(rules, f"registration_fee_tier{tier}_usd")
    assert fee.rule_set == rules
    assert f"{tonnes:,} t/yr" in fee.basis and rules.version in fee.basis
    assessed = activity.events.get(kind=EventKind.FEE_ASSESSED)
    assert assessed.actor == world.dora
    assert assessed.payload == {"fee": "registration", "amount_usd": str(fee.amount_usd), "status": "due",
                                "basis": fee.basis, "rule_set": rules.version}


def test_tier_amounts_differ(db):
    """The tier test above would not see a mix-up if two tiers cost the same."""
    rules = RuleSet.objects.in_force()
    amounts = {rules.registration_fee_tier1_usd, rules.registration_fee_tier2_usd, rules.registration_fee_tier3_usd}
    assert len(amounts) == 3


@pytest.mark.parametrize("moment,version,amount", [
    (datetime.datetime(2026, 12, 31, 23, 59, 59, tzinfo=datetime.UTC), "2025-08", None),
    (datetime.datetime(2027, 1, 1, 0, 0, tzinfo=datetime.UTC), "2027-01", Decimal("1500.00")),
])
def test_a_newer_rule_set_applies_from_its_effective_date(world, requested, moment, version, amount):
    """policy.md §1: the rule set in force on the submission date, recorded on the Fee."""
    old = RuleSet.objects.get(version="2025-08")
    RuleSet.objects.create(version="2027-01", effective_from=datetime.date(2027, 1, 1),
                           registration_tier1_max_tonnes=20_000, registration_fee_tier1_usd=Decimal("1500"))
    activity = requested(estimated_annual=16_000, at=moment)
    fee = activity.fees.get()
    assert fee.rule_set.version == version
    assert fee.amount_usd == (amount if amount is not None else old.registration_fee_tier2_usd)
    assert fee.assessed_at == moment
    assert activity.events.get(kind=EventKind.FEE_ASSESSED).payload["rule_set"] == version

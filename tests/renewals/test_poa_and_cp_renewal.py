"""Renewal of a PoA period (A6.4-PROC-AC-003 v03.0 paras 274-293) and notification of renewal of a CP's
crediting period (paras 294-305; A6.4-STAN-AC-004 v03.0 paras 73, 130, 216)."""
import datetime
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta

from pacm.common.errors import Refused, ServiceError
from pacm.engine.offers import available_actions
from pacm.events.models import Event
from projects import services
from projects.poa.models import ComponentProject, Programme
from projects.renewals import services as rs
from projects.renewals.cycle import CPRenewalState as C
from projects.renewals.cycle import RenewalState as S
from projects.renewals.models import CPRenewal
from tests import factories as f

from .helpers import DAY, drive, last_sequence, renewal_events, request
from .poa_helpers import included_cp, registered_poa

pytestmark = pytest.mark.django_db


def _at(clock, day):
    clock.move_to(datetime.datetime.combine(day, datetime.time(9), tzinfo=datetime.UTC), tick=False)


def _notify(world, cp, user=None):
    return rs.cp_renewal_notify(
        cp=cp, user=user or world.otto, baseline_update="Baseline updated per the generic CP-DD.",
        estimated_annual=20_000, design=f.pdf("cpdd-v2.pdf", content=f.pdf_bytes(f"CP-DD v2 {cp.reference}")),
        report=f.pdf("cpvr-renewal.pdf", content=f.pdf_bytes(f"renewal VR {cp.reference}")),
    )


def test_a_poa_period_is_renewed_on_the_pipeline_with_the_poa_fee(world, time_machine):
    poa = registered_poa(world)
    old_end = poa.crediting_end
    _at(time_machine, old_end - datetime.timedelta(days=100))
    since = last_sequence(poa.stream)
    renewal = request(world, poa)
    assert type(renewal).__name__ == "PoARenewal"
    # Each host's DNA holds the DNA role on the PoA's renewal (PROC-AC-003 para 26).
    assert "request_review" not in available_actions(world.nils, renewal).names  # not yet in the review window
    renewal = drive(world, time_machine, renewal, S.REVIEW_WINDOW)
    assert available_actions(world.nils, renewal).has("request_review")
    renewal = drive(world, time_machine, renewal, S.RENEWED)
    poa = Programme.objects.get(pk=poa.pk)
    # Para 277: from the day after; para 274: five years more (15 with removals).
    assert (renewal.new_start, poa.crediting_end) == (old_end + DAY, old_end + relativedelta(years=5))
    # App.1 para 17: the PoA registration fee of rule set 2025-08.
    assert renewal.fee.amount_usd == Decimal("10000.00") and renewal.fee.activity_id == poa.pk
    assert [k for k, _t in renewal_events(poa.stream, since)].count("renewal.transitioned") == 7
    renewed = Event.objects.filter(stream=poa.stream, kind="renewal.transitioned").order_by("-sequence").first()
    # PROC-AC-003 para 274: at most three renewals of the PoA period (RuleSet.poa_max_renewals).
    assert renewed.payload["renewals_left"] == 2 and renewed.payload["renewal_kind"] == "poa"


def test_a_poa_period_never_passes_its_total_duration(world, time_machine):
    """Para 274: at most 20 years in all (RuleSet.poa_max_years)."""
    poa = registered_poa(world, years=20)
    _at(time_machine, poa.crediting_end - datetime.timedelta(days=100))
    offer = available_actions(world.ama, Programme.objects.get(pk=poa.pk)).get("request_renewal")
    assert offer.blocked.code == "poa_duration_reached"


def test_a_cp_renewal_is_a_doe_notification_with_its_fee(world, time_machine):
    poa = registered_poa(world, years=20)
    cp = included_cp(world, poa)
    old_end = cp.crediting_end
    _at(time_machine, old_end - datetime.timedelta(days=30))
    # Para 299: the DOE notifies; not the implementers, not another DOE, not the secretariat.
    for user in (world.ama, world.kofi, world.dora, world.sam, world.dina):
        with pytest.raises(Refused):
            _notify(world, cp, user=user)
    since = last_sequence(poa.stream)
    renewal = _notify(world, cp)
    assert renewal.state == C.NOTIFIED
    # Para 300, App.1 para 18: the CP renewal fee is the inclusion fee (rule set 2025-08: USD 800).
    assert renewal.fee.kind == "renewal" and renewal.fee.amount_usd == Decimal("800.00")
    # Para 302: renewed only once the fee is processed.
    with pytest.raises(ServiceError) as error:
        rs.cp_renewal_renew(renewal=renewal, user=world.sam)
    assert error.value.code == "renewal_fee_due"
    with pytest.raises(Refused):
        rs.cp_renewal_renew(renewal=renewal, user=world.otto)
    services.fee_record_payment(fee=renewal.fee, user=world.sam, reference="WIRE-CPR")
    renewal = rs.cp_renewal_renew(renewal=renewal, user=world.sam)
    cp = ComponentProject.objects.get(pk=cp.pk)
    assert renewal.state == C.RENEWED
    assert (renewal.new_start, cp.crediting_end) == (old_end + DAY, old_end + DAY + relativedelta(years=5) - DAY)
    assert renewal_events(poa.stream, since) == [
        ("document.uploaded", None), ("document.uploaded", None), ("fee.assessed", None), ("renewal.requested", None),
        ("fee.paid", None), ("renewal.transitioned", "renew_cp"),
    ]
    renewed = Event.objects.filter(stream=poa.stream, kind="renewal.transitioned").get()
    assert renewed.payload["renewal_kind"] == "cp" and renewed.payload["subject"] == cp.reference
    # STAN-AC-004 para 73: renewable at most twice.
    assert renewed.payload["renewals_left"] == 1


def test_a_cp_period_is_capped_by_the_poa_end(world, time_machine):
    """STAN-AC-004 para 130: a CP's crediting period never runs past the PoA's end."""
    poa = registered_poa(world, years=6)
    cp = included_cp(world, poa, years=3)
    _at(time_machine, cp.crediting_end - datetime.timedelta(days=30))
    renewal = _notify(world, cp)
    assert renewal.new_end == poa.crediting_end < renewal.new_start + relativedelta(years=5) - DAY
    services.fee_record_payment(fee=renewal.fee, user=world.sam, reference="WIRE-CPR")
    rs.cp_renewal_renew(renewal=renewal, user=world.sam)
    cp = ComponentProject.objects.get(pk=cp.pk)
    assert cp.crediting_end == poa.crediting_end
    # Nothing left before the PoA's end: no further renewal (para 277: renew the PoA period first).
    _at(time_machine, cp.crediting_end - datetime.timedelta(days=30))
    offer = available_actions(world.otto, cp).get("notify_renewal")
    assert offer.blocked.code == "cp_renewal_past_poa_end"
    assert offer.blocked.params == {"poa_end": poa.crediting_end.isoformat(),
                                    "start": (poa.crediting_end + DAY).isoformat()}
    with pytest.raises(ServiceError) as error:
        _notify(world, cp)
    assert error.value.code == "cp_renewal_past_poa_end"


def test_a_cp_notification_outside_its_window_is_refused(world, time_machine):
    """PROC-AC-003 para 303: no earlier than 270 days before, no later than one year after."""
    poa = registered_poa(world, years=20)
    cp = included_cp(world, poa)
    _at(time_machine, cp.crediting_end + datetime.timedelta(days=366))
    with pytest.raises(ServiceError) as error:
        _notify(world, cp)
    assert error.value.code == "renewal_window_closed"
    _at(time_machine, cp.crediting_end - datetime.timedelta(days=271))
    with pytest.raises(ServiceError) as error:
        _notify(world, cp)
    assert error.value.code == "renewal_window_not_open"
    assert not CPRenewal.objects.filter(component=cp).exists()
    assert not cp.poa.fees.filter(kind="renewal").exists()

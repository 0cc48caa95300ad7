"""The transition fee's refund (A6.4-PROC-AC-001 v06.0 para 35: "in line with" the registration fee's,
A6.4-PROC-AC-002 v03.0 App.1 para 7; docs/rules-coverage.md refund-4).

Personas: ama (the proponent) withdraws, sam (secretariat) checks."""
from decimal import Decimal

import pytest

from pacm.events.models import Event
from projects.models import Refund
from projects.transition import services as ts
from projects.transition.cycle import TransitionState as S

from .helpers import create, drive, fresh

pytestmark = pytest.mark.django_db


def test_withdrawn_at_the_completeness_check_the_fee_above_1500_is_refunded(world, time_machine, client):
    request = drive(world, time_machine, create(world, time_machine), S.COMPLETENESS)
    paid = request.fee_usd  # the registration fee of 40,000 t under the rule set in force (para 33)
    assert request.fee_status == "paid" and paid > Decimal("1500")
    ts.transition_request_withdraw(request=request, user=world.ama, comment="We stay under the CDM.")
    refund = Refund.objects.get(transition_request=request)
    assert (refund.ladder, refund.stage, refund.outcome, refund.amount_usd, refund.status, refund.conditional) == (
        "registration", "completeness", "withdrawn", paid - Decimal("1500"), "due", True)  # App.1 para 7(b)
    kinds = list(Event.objects.filter(stream=request.stream).order_by("-sequence").values_list("kind", flat=True)[:2])
    assert kinds == ["transition.transitioned", "fee.refund_due"]
    client.force_login(world.ama)
    page = client.get(f"/transitions/{request.pk}/").content.decode()
    assert 'data-refund="due"' in page and f"Refund due: USD {paid - 1500:,.2f} (Withdrawn)" in page


def test_withdrawn_before_the_fee_is_paid_has_no_refund(world, time_machine):
    request = drive(world, time_machine, create(world, time_machine), S.DOCUMENTATION_SUBMITTED)
    assert fresh(request).fee_status == "due"
    ts.transition_request_withdraw(request=request, user=world.ama, comment="Withdrawn.")
    assert not Refund.objects.exists()

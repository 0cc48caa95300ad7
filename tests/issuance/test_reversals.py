"""Reversals (policy.md §2): the buffer covers unavoidable ones, participants avoidable ones."""
import pytest

from pacm.common.errors import Refused, ServiceError
from pacm.registry.models import Account, AccountKind, UnitBlock
from projects import services
from projects.cycle import PeriodState as P
from projects.models import Activity, Reversal


def held(account):
    return sum(b.quantity for b in UnitBlock.objects.filter(account=account))


@pytest.fixture
def removals(world, registered):
    m = registered.methodology_version.methodology
    m.kind = "removals"
    m.save()
    Activity.objects.filter(pk=registered.pk).update(risk_rating_percent=10)
    return Activity.objects.get(pk=registered.pk)


def test_reversal_needs_a_reversal_risk_methodology(world, registered):
    with pytest.raises(ServiceError, match="no reversal risk"):
        services.reversal_report(activity=registered, user=world.ama, quantity=10, kind="unavoidable",
                                 description="Fire")
    assert not Reversal.objects.exists()


def test_unavoidable_reversal_is_cancelled_from_the_buffer(world, removals, submit, drive):
    drive(submit(removals), P.ISSUED)  # buffer 10% of 30,000 = 3,000
    buffer = Account.objects.get(kind=AccountKind.BUFFER)
    admin = Account.objects.get(kind=AccountKind.ADMIN_CANCELLATION)
    reversal = services.reversal_report(activity=removals, user=world.ama, quantity=1_200, kind="unavoidable",
                                        description="Wildfire in compartment 4")
    with pytest.raises(Refused):
        services.reversal_cancel_from_buffer(reversal=reversal, user=world.ama)
    reversal = services.reversal_cancel_from_buffer(reversal=reversal, user=world.sam)
    assert reversal.status == Reversal.Status.SETTLED and reversal.cancelled == 1_200
    assert held(buffer) == 1_800 and held(admin) == 1_200
    with pytest.raises(Refused):
        services.reversal_cancel_from_buffer(reversal=reversal, user=world.sam)


def test_buffer_shortfall_stays_owed_and_blocks_issuance(world, removals, submit, drive):
    drive(submit(removals), P.ISSUED)
    reversal = services.reversal_report(activity=removals, user=world.ama, quantity=5_000, kind="unavoidable",
                                        description="Storm")
    reversal = services.reversal_cancel_from_buffer(reversal=reversal, user=world.sam)
    assert (reversal.cancelled, reversal.outstanding, reversal.status) == (3_000, 2_000, Reversal.Status.REPORTED)
    second = drive(submit(removals, number=2, claims={removals.crediting_start.year + 1: 1_000}), P.VERIFIED)
    with pytest.raises(ServiceError, match="not been compensated"):
        services.period_request_issuance(period=second, user=world.dora, units_requested=1_000,
                                         lines=[{"account": world.acct, "percent": "100"}])
    services.reversal_compensate(reversal=reversal, user=world.ama, from_account=world.acct, quantity=2_000)
    reversal.refresh_from_db()
    assert reversal.status == Reversal.Status.SETTLED
    second = services.period_request_issuance(period=second, user=world.dora, units_requested=1_000,
                                              lines=[{"account": world.acct, "percent": "100"}])
    assert second.state == P.ISSUANCE_REQUESTED


def test_avoidable_reversal_blocks_until_participants_compensate(world, removals, submit, drive):
    drive(submit(removals), P.ISSUED)
    before = held(world.acct)
    reversal = services.reversal_report(activity=removals, user=world.ama, quantity=500, kind="avoidable",
                                        description="Unauthorised harvest")
    with pytest.raises(Refused):
        services.reversal_cancel_from_buffer(reversal=reversal, user=world.sam)
    with pytest.raises(ServiceError, match="between 1 and"):
        services.reversal_compensate(reversal=reversal, user=world.ama, from_account=world.acct, quantity=501)
    with pytest.raises(Refused):
        services.reversal_compensate(reversal=reversal, user=world.kofi, from_account=world.acct, quantity=500)
    services.reversal_compensate(reversal=reversal, user=world.ama, from_account=world.acct, quantity=500)
    reversal.refresh_from_db()
    assert reversal.status == Reversal.Status.SETTLED
    assert held(world.acct) == before - 500
    assert held(Account.objects.get(kind=AccountKind.ADMIN_CANCELLATION)) == 500

"""The registry's side of reversals (A6.4-STAN-METH-002 v01.0 paras 25, 44, 53-58): suspensions in
the one shared outgoing path and in issuance; remediation cancelled from the pool by type;
replenishment by the participants. Replaces the policy.md §2 placeholder tests of
`buffer_cancel` (unavoidable only) and `units_compensate` (participants' own units cancelled)."""
import pytest

from pacm.common.errors import Refused, ServiceError
from pacm.events.models import Event
from pacm.registry.models import AccountKind, LedgerTransaction, Suspension, UnitBlock
from pacm.registry.services import (
    buffer_remediate,
    buffer_replenish,
    suspension_lift,
    suspension_start,
    units_transfer,
    units_use,
)

from .conftest import activity_make, held, issue, mech
from .test_transfers import ledger_state


def suspend(activity):
    return suspension_start(activity=activity, reason="observed_event", detail="Observed event 1", actor_label="sofia")


def test_remediation_cancels_pooled_units_of_the_type_and_reports_a_shortfall(reg):
    issue(reg.activity, 1_000, to=reg.acct, risk_rating=10)  # 100 authorized (ndc) units into the pool
    issue(reg.activity, 1_000, to=reg.acct, risk_rating=10, status="mc")  # 100 mitigation contribution units
    buffer, admin = mech(AccountKind.BUFFER), mech(AccountKind.ADMIN_CANCELLATION)
    assert buffer_remediate(quantities={"authorized": 40, "mc": 0}, reference="A64-X observed event 1",
                            actor_label="sam") == {"authorized": 40, "mc": 0}
    assert held(buffer, authorization_status="ndc") == 60 and held(buffer, authorization_status="mc") == 100
    assert held(admin, authorization_status="ndc") == 40 and held(admin, authorization_status="mc") == 0
    row = LedgerTransaction.objects.get(kind="reversal_remediation")
    assert (row.from_account_id, row.to_account_id, row.purpose, row.actor_label) == (
        buffer.pk, admin.pk, "Remediation of reversals: A64-X observed event 1", "sam")
    # More than the pool holds of a type: it cancels what there is; the caller records the shortfall.
    assert buffer_remediate(quantities={"authorized": 1_000, "mc": 30}, reference="A64-X observed event 2",
                            actor_label="sam") == {"authorized": 60, "mc": 30}
    before = ledger_state()
    assert buffer_remediate(quantities={"authorized": 5}, reference="A64-X observed event 3",
                            actor_label="sam") == {"authorized": 0}
    assert ledger_state() == before  # nothing to cancel: no transaction, no event
    events = Event.objects.filter(stream=f"account:{buffer.number}")
    assert [e.payload["quantity"] for e in events] == [40, 60, 30]  # authorized first, then mc


@pytest.mark.parametrize("kwargs, message", [
    ({"quantities": {"authorized": -1}}, "whole number"), ({"quantities": {"gold": 1}}, "authorized A6.4ERs or"),
    ({"reference": ""}, "Give the reference"), ({"actor_label": " "}, "actor label"),
])
def test_remediation_bad_input(reg, kwargs, message):
    issue(reg.activity, 1_000, to=reg.acct, risk_rating=10)
    before = ledger_state()
    with pytest.raises(ServiceError, match=message):
        buffer_remediate(**{"quantities": {"authorized": 10}, "reference": "A64-X", "actor_label": "sam", **kwargs})
    assert ledger_state() == before


def test_pool_units_stay_pooled_across_activities_and_a_suspension_does_not_hold_back_remediation(reg):
    other = activity_make(reg)
    issue(reg.activity, 1_000, to=reg.acct, risk_rating=10)
    issue(other, 1_000, to=reg.acct, risk_rating=30)
    suspend(reg.activity)
    assert buffer_remediate(quantities={"authorized": 350}, reference="A64-X", actor_label="sam") == {"authorized": 350}
    assert held(mech(AccountKind.BUFFER)) == 50


def test_suspension_refuses_transfer_use_and_cancellation_of_that_activity_only(reg):
    """Paras 25, 44: every unit of the activity, wherever it is held; other units move freely."""
    other = activity_make(reg)
    issue(reg.activity, 1_000, to=reg.acct)
    issue(other, 1_000, to=reg.acct)
    issue(reg.activity, 1_000, to=reg.foreign)
    suspension = suspend(reg.activity)
    for call in (
        lambda: units_transfer(user=reg.ama, from_account=reg.acct, to_account=reg.acct2, quantity=10,
                               activity=reg.activity),
        lambda: units_use(user=reg.ama, from_account=reg.acct, quantity=10, purpose="Claim", beneficiary="",
                          use="voluntary", activity=reg.activity),
        lambda: units_use(user=reg.kofi, from_account=reg.foreign, quantity=10, purpose="Claim", beneficiary="",
                          use="voluntary"),
        # More than the other activity's units: the suspended ones would be needed.
        lambda: units_transfer(user=reg.ama, from_account=reg.acct, to_account=reg.acct2, quantity=931),
    ):
        before = ledger_state()
        with pytest.raises(ServiceError) as error:
            call()
        assert error.value.code == "units_suspended"
        assert error.value.params["activity"] == reg.activity.reference
        assert "Observed event" in error.value.message
        assert ledger_state() == before
    # The other activity's units, in the same account, move: oldest serials first, skipping the suspended.
    row = units_transfer(user=reg.ama, from_account=reg.acct, to_account=reg.acct2, quantity=930)
    assert {b.activity_id for b in UnitBlock.objects.filter(account=reg.acct2)} == {other.pk}
    assert row.quantity == 930
    # Issuance of the suspended activity is refused; of the other, not.
    with pytest.raises(ServiceError) as error:
        issue(reg.activity, 100, to=reg.acct)
    assert error.value.code == "units_suspended"
    issue(other, 100, to=reg.acct)
    assert suspension_lift(suspension=suspension, actor_label="sofia").lifted_by == "sofia"
    assert suspension_lift(suspension=suspension, actor_label="sofia") is None
    units_transfer(user=reg.ama, from_account=reg.acct, to_account=reg.acct2, quantity=10, activity=reg.activity)
    assert Suspension.objects.get(pk=suspension.pk).lifted_at is not None


def test_replenishment_forwards_the_participants_units_of_the_type(reg):
    issue(reg.activity, 1_000, to=reg.acct)  # 930 ndc units to acct
    issue(reg.activity, 1_000, to=reg.acct, status="mc")
    buffer = mech(AccountKind.BUFFER)
    participants = [reg.orgs["dev"].pk]
    row = buffer_replenish(user=reg.ama, from_account=reg.acct, unit_type="mc", quantity=25,
                           participant_ids=participants, reference="A64-X observed event 1")
    assert (row.kind, row.to_account_id, row.quantity, row.first_transfer) == ("buffer_replenishment", buffer.pk, 25,
                                                                               False)
    assert held(buffer, authorization_status="mc") == 25 and held(buffer, authorization_status="ndc") == 0
    assert held(reg.acct) == 1_860 - 25


@pytest.mark.parametrize("who, source, unit_type, quantity, error, message", [
    ("kofi", "acct", "authorized", 5, Refused, "may not replenish"),
    ("kofi", "foreign", "authorized", 5, Refused, "not a holding account of a participant"),
    ("ama", "acct", "authorized", 931, ServiceError, "holds 930 authorized A6.4ERs units"),
    ("ama", "acct", "mc", 1, ServiceError, "holds 0 mitigation contribution units"),
    ("ama", "acct", "authorized", 0, ServiceError, "at least 1"),
    ("ama", "acct", "gold", 1, ServiceError, "authorized A6.4ERs or"),
    ("sam", "admin", "authorized", 1, ServiceError, "never move again"),
])
def test_refused_replenishment_changes_nothing(reg, who, source, unit_type, quantity, error, message):
    issue(reg.activity, 1_000, to=reg.acct)
    issue(reg.activity, 100, to=reg.foreign, status="mc")
    accounts = {"acct": reg.acct, "foreign": reg.foreign, "admin": mech(AccountKind.ADMIN_CANCELLATION)}
    before = ledger_state()
    with pytest.raises(error, match=message):
        buffer_replenish(user=getattr(reg, who), from_account=accounts[source], unit_type=unit_type,
                         quantity=quantity, participant_ids=[reg.orgs["dev"].pk], reference="A64-X")
    assert ledger_state() == before

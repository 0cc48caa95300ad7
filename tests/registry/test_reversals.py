"""Reversals in units (policy.md §2): buffer_cancel and units_compensate."""
import pytest

from pacm.common.errors import Refused, ServiceError
from pacm.events.models import Event
from pacm.registry.models import AccountKind, LedgerTransaction
from pacm.registry.services import buffer_cancel, units_compensate

from .conftest import activity_make, held, issue, mech
from .test_transfers import ledger_state


def test_buffer_cancel_moves_pooled_units_and_reports_a_shortfall(reg):
    issue(reg.activity, 1_000, to=reg.acct, risk_rating=10)  # 100 units into the buffer
    buffer, admin = mech(AccountKind.BUFFER), mech(AccountKind.ADMIN_CANCELLATION)
    assert buffer_cancel(quantity=40, actor_label="sam", reason="Fire, unavoidable reversal 1") == 40
    assert held(buffer) == 60 and held(admin) == 40
    row = LedgerTransaction.objects.get(kind="buffer_cancellation")
    assert (row.from_account_id, row.to_account_id, row.purpose, row.actor_label) == (
        buffer.pk, admin.pk, "Fire, unavoidable reversal 1", "sam")
    # Asked for more than the pool holds: it cancels what there is and says how many.
    assert buffer_cancel(quantity=1_000, actor_label="sam", reason="Flood") == 60
    assert held(buffer) == 0 and held(admin) == 100
    before = ledger_state()
    assert buffer_cancel(quantity=5, actor_label="sam", reason="Storm") == 0
    assert ledger_state() == before  # nothing to cancel: no transaction, no event
    events = Event.objects.filter(stream=f"account:{buffer.number}")
    assert [(e.kind, e.actor_label, e.role, e.payload["quantity"]) for e in events] == [
        ("registry.units_moved", "sam", "secretariat", 40), ("registry.units_moved", "sam", "secretariat", 60)]


@pytest.mark.parametrize("kwargs, message", [
    ({"quantity": 0}, "at least 1"), ({"reason": ""}, "Give the reason"), ({"actor_label": " "}, "actor label"),
])
def test_buffer_cancel_bad_input(reg, kwargs, message):
    issue(reg.activity, 1_000, to=reg.acct, risk_rating=10)
    before = ledger_state()
    with pytest.raises(ServiceError, match=message):
        buffer_cancel(**{"quantity": 10, "actor_label": "sam", "reason": "Fire", **kwargs})
    assert ledger_state() == before


def test_buffer_units_stay_pooled_across_activities(reg):
    other = activity_make(reg)
    issue(reg.activity, 1_000, to=reg.acct, risk_rating=10)
    issue(other, 1_000, to=reg.acct, risk_rating=30)
    assert buffer_cancel(quantity=350, actor_label="sam", reason="Pooled") == 350
    assert held(mech(AccountKind.BUFFER)) == 50


def test_participant_compensates_from_its_own_units(reg):
    issue(reg.activity, 1_000, to=reg.acct)
    row = units_compensate(user=reg.ama, from_account=reg.acct, quantity=25, activity=reg.activity)
    assert (row.kind, row.to_account_id, row.quantity) == (
        "reversal_compensation", mech(AccountKind.ADMIN_CANCELLATION).pk, 25)
    assert reg.activity.reference in row.purpose
    assert held(reg.acct) == 905
    assert Event.objects.filter(stream=f"account:{reg.acct.number}", kind="registry.units_moved").count() == 1


@pytest.mark.parametrize("who, source, quantity, error, message", [
    ("kofi", "acct", 5, Refused, "may not compensate"),
    ("kofi", "foreign", 5, Refused, "not a holding account of a participant"),
    ("ama", "acct", 931, ServiceError, "holds 930 units"),
    ("ama", "acct", 0, ServiceError, "at least 1"),
    ("sam", "admin", 1, ServiceError, "never move again"),
])
def test_refused_compensation_changes_nothing(reg, who, source, quantity, error, message):
    issue(reg.activity, 1_000, to=reg.acct)
    issue(reg.activity, 100, to=reg.foreign, status="mc")
    accounts = {"acct": reg.acct, "foreign": reg.foreign, "admin": mech(AccountKind.ADMIN_CANCELLATION)}
    before = ledger_state()
    with pytest.raises(error, match=message):
        units_compensate(user=getattr(reg, who), from_account=accounts[source], quantity=quantity,
                         activity=reg.activity)
    assert ledger_state() == before

"""units_use / units_cancel_voluntarily (RMP 61, 70; 7/CMA.4 annex I paras 44-45)."""
import pytest
from django.contrib.auth import get_user_model

from pacm.common.errors import Refused, ServiceError
from pacm.events.models import Event
from pacm.registry.models import AccountKind, LedgerTransaction, UnitBlock
from pacm.registry.services import account_open, units_cancel_voluntarily, units_transfer, units_use
from tests import factories as f

from .conftest import held, issue, mech
from .test_transfers import ledger_state


def use(reg, who, source, **kw):
    args = {"quantity": 10, "purpose": "NDC 2030", "beneficiary": "", "use": "retirement", **kw}
    return units_use(user=getattr(reg, who), from_account=source, **args)


def test_retirement_into_the_partys_account_from_its_own(reg):
    issue(reg.activity, 1_000, to=reg.acct)
    units_transfer(user=reg.ama, from_account=reg.acct, to_account=reg.ke_party, quantity=100)
    row = use(reg, "nils", reg.ke_party, party=reg.other, beneficiary="Republic of Kenya")
    assert (row.kind, row.to_account_id, row.quantity) == ("retirement", reg.ke_retire.pk, 10)
    assert (row.purpose, row.beneficiary) == ("NDC 2030", "Republic of Kenya")
    assert not row.first_transfer  # first-transferred when they left Ghana
    assert held(reg.ke_retire) == 10 and held(reg.ke_party) == 90
    event = Event.objects.filter(stream=f"account:{reg.ke_party.number}").last()
    assert event.kind == "registry.units_moved" and event.payload["kind"] == "retirement"
    assert event.payload["purpose"] == "NDC 2030" and event.role == "dna"


def test_entity_of_a_party_retires_into_that_partys_account(reg):
    issue(reg.activity, 1_000, to=reg.acct)
    units_transfer(user=reg.ama, from_account=reg.acct, to_account=reg.foreign, quantity=100)
    row = use(reg, "kofi", reg.foreign, party=reg.other)
    assert row.to_account_id == reg.ke_retire.pk


def test_host_retiring_its_own_units_is_not_a_first_transfer(reg):
    issue(reg.activity, 100, to=reg.gh_party)
    row = use(reg, "dina", reg.gh_party, party=reg.host)
    assert not row.first_transfer and held(reg.gh_retire) == 10


@pytest.mark.parametrize(
    "who, source, kw, error, message",
    [
        # 7/CMA.4 annex I para 44: only from accounts associated with that Party.
        ("ama", "acct", {"party": "other"}, ServiceError, "not associated with Kenya"),
        ("ama", "acct", {"party": None}, ServiceError, "for which Party"),
        ("ama", "acct", {"use": "spend"}, ServiceError, "Choose retirement"),
        ("ama", "acct", {"use": "voluntary", "purpose": "  "}, ServiceError, "Give the purpose"),
        ("ama", "acct", {"use": "voluntary", "purpose": "x" * 201}, ServiceError, "at most 200"),
        ("ama", "acct", {"use": "voluntary", "quantity": 0}, ServiceError, "at least 1"),
        ("ama", "acct", {"use": "voluntary", "quantity": 931}, ServiceError, "holds 930 units"),
        # RMP 43; 4/CMA.6 para 11: NDC units are not OIMP-authorized.
        ("ama", "acct", {"use": "oimp"}, ServiceError, "holds 0 OIMP-authorized units"),
        # RMP 70: only correspondingly adjusted units (these were never first-transferred).
        ("ama", "acct", {"use": "omge_voluntary"}, ServiceError, "holds 0 correspondingly adjusted units"),
        ("kofi", "acct", {"use": "voluntary"}, Refused, "may not use or cancel"),
        ("sam", "omge", {"use": "voluntary"}, ServiceError, "can never move again"),
    ],
)
def test_refused_uses_change_nothing(reg, who, source, kw, error, message):
    issue(reg.activity, 1_000, to=reg.acct)
    kw = {**kw}
    if kw.get("party") == "other":
        kw["party"] = reg.other
    before = ledger_state()
    accounts = {"acct": reg.acct, "omge": mech(AccountKind.OMGE_MANDATORY)}
    with pytest.raises(error, match=message):
        use(reg, who, accounts[source], **kw)
    assert ledger_state() == before


def test_mitigation_contribution_units_cannot_be_retired(reg):
    issue(reg.activity, 100, to=reg.gh_party, status="mc")
    with pytest.raises(ServiceError, match="holds 0 NDC-authorized units"):
        use(reg, "dina", reg.gh_party, party=reg.host)


def test_party_without_retirement_account(reg):
    tuvalu = f.party("TV", "Tuvalu")
    f.user("tala", f.organisation("Tuvalu DNA", "dna", party=tuvalu))
    account = account_open(kind=AccountKind.HOLDING, name="Tuvalu holding", party=tuvalu)
    issue(reg.activity, 100, to=account)
    before = ledger_state()
    with pytest.raises(ServiceError, match="Tuvalu has no retirement account"):
        units_use(user=get_user_model().objects.get(username="tala"), from_account=account, quantity=1,
                  purpose="NDC", beneficiary="", use="retirement", party=tuvalu)
    assert ledger_state() == before


def test_oimp_cancellation_of_oimp_units_is_their_first_transfer_when_defined_at_use(reg):
    issue(reg.activity, 1_000, to=reg.acct, status="oimp", definition="use")
    row = use(reg, "ama", reg.acct, use="oimp", purpose="CORSIA first phase", beneficiary="Airline X")
    assert (row.kind, row.to_account_id) == ("cancellation_oimp", mech(AccountKind.CANCELLATION_OIMP).pk)
    # 2/CMA.3 annex para 2(b): the host defined the first transfer as use or cancellation.
    assert row.first_transfer and row.corresponding_adjustment
    assert all(b.first_transferred for b in UnitBlock.objects.filter(account=row.to_account))


def test_voluntary_cancellation_of_any_unit(reg):
    issue(reg.activity, 100, to=reg.acct, status="mc")
    row = units_cancel_voluntarily(user=reg.ama, from_account=reg.acct, quantity=93, purpose="Offset 2024 travel",
                                   beneficiary="Kpone staff")
    assert (row.kind, row.quantity, row.beneficiary) == ("voluntary_cancellation", 93, "Kpone staff")
    assert held(reg.acct) == 0 and held(mech(AccountKind.VOLUNTARY_CANCELLATION)) == 93
    # 7/CMA.4 annex I para 45: never again.
    with pytest.raises(ServiceError, match="never move again"):
        units_transfer(user=reg.sam, from_account=mech(AccountKind.VOLUNTARY_CANCELLATION), to_account=reg.acct,
                       quantity=1)


def test_voluntary_omge_cancellation_takes_only_adjusted_units(reg):
    issue(reg.activity, 1_000, to=reg.acct)
    units_transfer(user=reg.ama, from_account=reg.acct, to_account=reg.foreign, quantity=30)
    units_transfer(user=reg.kofi, from_account=reg.foreign, to_account=reg.acct, quantity=30)
    # acct now holds 30 first-transferred units among 900 that are not.
    with pytest.raises(ServiceError, match="holds 30 correspondingly adjusted units"):
        use(reg, "ama", reg.acct, use="omge_voluntary", quantity=31)
    row = use(reg, "ama", reg.acct, use="omge_voluntary", quantity=30, purpose="Extra OMGE")
    assert row.kind == "voluntary_omge_cancellation"
    assert all(b.first_transferred for b in UnitBlock.objects.filter(account=mech(AccountKind.OMGE_VOLUNTARY)))
    assert held(mech(AccountKind.OMGE_VOLUNTARY)) == 30 and held(reg.acct, first_transferred=True) == 0
    assert LedgerTransaction.objects.filter(kind="voluntary_omge_cancellation").count() == 1

"""units_transfer (7/CMA.4 annex I paras 42-45; RMP 45): who may move what where, and the ledger."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pacm.common.errors import Refused, ServiceError
from pacm.events.models import Event
from pacm.events.services import chain_verify
from pacm.registry.models import Account, AccountKind, LedgerEntry, LedgerTransaction, UnitBlock
from pacm.registry.services import units_transfer

from .conftest import held, issue, mech


def ledger_state():
    """Everything a refused move must leave untouched."""
    blocks = sorted(
        UnitBlock.objects.values_list("pk", "account_id", "serial_start", "serial_end", "first_transferred")
    )
    return blocks, LedgerTransaction.objects.count(), LedgerEntry.objects.count(), Event.objects.count()


def fragmented(reg, account, n_blocks):
    """`account` ends up holding about `n_blocks` blocks: an issuance of 2-unit tranches whose
    statuses alternate, so no two neighbours could ever be one block. The OMGE levy (2% up) takes
    as many authorized as mitigation contribution units (pacm issue 6 §5 rule 5), an even number
    of each, so every block left is whole: 2 units."""
    count = n_blocks + 11
    while count % 2 or -(-4 * count // 100) % 4:  # half of ceil(2% of 2 x count) must be even
        count += 1
    tranches = [(2024, 2, "mc" if i % 2 == 0 else "ndc", "") for i in range(count)]
    issue(reg.activity, 2 * len(tranches), tranches=tranches, to=account, sop_exempt=True)
    return UnitBlock.objects.filter(account=account).count()


def test_transfer_moves_lowest_serials_and_splits_one_block(reg):
    issue(reg.activity, 1_000, to=reg.acct)  # acct holds serials 73..1000 (SOP 50, OMGE 20 first)
    row = units_transfer(user=reg.ama, from_account=reg.acct, to_account=reg.acct2, quantity=100)
    assert (row.kind, row.quantity) == ("transfer", 100)
    assert (row.from_account_id, row.to_account_id) == (reg.acct.pk, reg.acct2.pk)
    assert [(e.serial_start, e.serial_end) for e in row.entries.all()] == [(71, 170)]
    assert held(reg.acct) == 830 and held(reg.acct2) == 100
    remaining = UnitBlock.objects.get(account=reg.acct)
    moved = UnitBlock.objects.get(account=reg.acct2)
    assert (remaining.serial_start, remaining.serial_end) == (171, 1_000)
    assert moved.parent_id == remaining.pk and row.entries.get().block_id == moved.pk
    assert not row.first_transfer  # Ghana to Ghana


def test_transfer_records_the_exact_event_on_the_account_stream(reg):
    issue(reg.activity, 1_000, to=reg.acct)
    row = units_transfer(user=reg.ama, from_account=reg.acct, to_account=reg.acct2.number, quantity=5)
    events = list(Event.objects.filter(stream=f"account:{reg.acct.number}"))
    # The opening event, then the move.
    assert [e.kind for e in events] == ["registry.account_opened", "registry.units_moved"]
    moved = events[-1]
    assert (moved.actor_id, moved.organisation_id, moved.role) == (reg.ama.pk, reg.orgs["dev"].pk, "participant")
    assert moved.payload == {
        "transaction": row.pk, "kind": "transfer", "from": reg.acct.number, "to": reg.acct2.number, "quantity": 5,
        "first_transfer": False, "purpose": "", "beneficiary": "", "ranges": [[reg.activity.pk, 2024, 71, 75, False]],
    }
    assert chain_verify(f"account:{reg.acct.number}") == []


def test_first_international_transfer_is_flagged_once(reg):
    issue(reg.activity, 1_000, to=reg.acct)
    out = units_transfer(user=reg.ama, from_account=reg.acct, to_account=reg.foreign, quantity=10)
    # 2/CMA.3 annex para 2(a): NDC units leaving Ghana for a Kenyan entity.
    assert out.first_transfer and out.corresponding_adjustment
    assert all(b.first_transferred and b.first_transferred_at for b in UnitBlock.objects.filter(account=reg.foreign))
    back = units_transfer(user=reg.kofi, from_account=reg.foreign, to_account=reg.acct, quantity=10)
    again = units_transfer(user=reg.ama, from_account=reg.acct, to_account=reg.foreign, quantity=20)
    assert not back.first_transfer
    # Of the 20 moved now, the 10 returned were first-transferred before; the other 10 are new.
    assert again.first_transfer
    assert sorted((e.quantity, e.first_transfer) for e in again.entries.all()) == [(10, False), (10, True)]


def test_filters_pick_activity_and_vintage(reg):
    issue(reg.activity, 100, to=reg.acct, vintage=2023)
    issue(reg.activity, 100, to=reg.acct, vintage=2024)
    row = units_transfer(user=reg.ama, from_account=reg.acct, to_account=reg.acct2, quantity=50, vintage=2024,
                         activity=reg.activity)
    assert {e.vintage for e in row.entries.all()} == {2024}
    with pytest.raises(ServiceError, match="holds 43 units"):
        units_transfer(user=reg.ama, from_account=reg.acct, to_account=reg.acct2, quantity=44, vintage=2024)


@pytest.mark.parametrize(
    "who, source, target, quantity, error, message",
    [
        ("ama", "acct", "acct2", 0, ServiceError, "at least 1"),
        ("ama", "acct", "acct2", -3, ServiceError, "at least 1"),
        ("ama", "acct", "acct2", 1.5, ServiceError, "whole number"),
        ("ama", "acct", "acct2", "ten", ServiceError, "whole number"),
        ("ama", "acct", "acct2", 931, ServiceError, "holds 930 units"),
        ("ama", "acct", "PACM-H-999999", 1, ServiceError, "No account PACM-H-999999"),
        ("ama", "acct", "", 1, ServiceError, "No account"),
        ("ama", "acct", "unsaved", 1, ServiceError, "No account"),
        ("ama", "acct", "acct", 1, ServiceError, "already in this account"),
        ("ama", "acct", "ke_retire", 1, ServiceError, "not a holding account"),
        ("ama", "acct", "sop", 1, ServiceError, "not a holding account"),
        # RMP 45: a first transfer of NDC units to an entity its Party has not authorized.
        ("ama", "acct", "unauth", 1, ServiceError, "RMP 45"),
        # 7/CMA.4 annex I para 45: units in cancellation and retirement accounts never move.
        ("sam", "omge", "acct2", 1, ServiceError, "can never move again"),
        ("nils", "ke_retire", "ke_party", 1, ServiceError, "can never move again"),
        ("kofi", "acct", "foreign", 1, Refused, "may not transfer"),
        ("dina", "acct", "acct2", 1, Refused, "may not transfer"),
        ("sam", "acct", "acct2", 1, Refused, "may not transfer"),
        (None, "acct", "acct2", 1, Refused, "may not transfer"),
        ("sam", "pending", "acct2", 1, Refused, "may not transfer"),
        # A6.4-STAN-METH-002 paras 54-55: buffer units are only cancelled, never transferred, by anyone.
        ("sam", "buffer", "acct2", 1, ServiceError, "only cancelled by the registry administrator"),
        ("ama", "buffer", "acct", 1, ServiceError, "only cancelled by the registry administrator"),
        ("ama", "missing", "acct2", 1, ServiceError, "No account"),
    ],
)
def test_refused_transfers_change_nothing(reg, who, source, target, quantity, error, message):
    issue(reg.activity, 1_000, to=reg.acct)
    accounts = {
        "acct": reg.acct, "acct2": reg.acct2, "unauth": reg.unauth, "ke_retire": reg.ke_retire,
        "ke_party": reg.ke_party, "foreign": reg.foreign, "sop": mech(AccountKind.SOP_ADAPTATION),
        "omge": mech(AccountKind.OMGE_MANDATORY), "pending": mech(AccountKind.PENDING),
        "buffer": mech(AccountKind.BUFFER), "unsaved": Account(number="PACM-H-424242", kind="holding"),
        "missing": Account(pk=987654, number="PACM-H-987654", kind="holding"),
    }
    before = ledger_state()
    with pytest.raises(error, match=message):
        units_transfer(user=getattr(reg, who) if who else None, from_account=accounts[source],
                       to_account=accounts.get(target, target), quantity=quantity)
    assert ledger_state() == before


def test_mitigation_contribution_units_may_go_to_an_unauthorized_entity(reg):
    issue(reg.activity, 100, to=reg.acct, status="mc")
    row = units_transfer(user=reg.ama, from_account=reg.acct, to_account=reg.unauth, quantity=10)
    assert not row.first_transfer and held(reg.unauth) == 10


def test_party_accounts_are_operated_by_the_partys_dna(reg):
    issue(reg.activity, 100, to=reg.gh_party)
    units_transfer(user=reg.dina, from_account=reg.gh_party, to_account=reg.acct, quantity=3)
    with pytest.raises(Refused):
        units_transfer(user=reg.nils, from_account=reg.gh_party, to_account=reg.acct, quantity=3)
    assert held(reg.acct) == 3


def test_adaptation_fund_operates_its_share_of_proceeds(reg):
    issue(reg.activity, 1_000, to=reg.acct)  # 50 units to the SOP account
    row = units_transfer(user=reg.af, from_account=mech(AccountKind.SOP_ADAPTATION), to_account=reg.acct2, quantity=50)
    assert row.quantity == 50 and held(reg.acct2) == 50
    assert not row.first_transfer  # they were first-transferred when levied
    with pytest.raises(Refused):
        units_transfer(user=reg.ama, from_account=mech(AccountKind.SOP_ADAPTATION), to_account=reg.acct2, quantity=1)


def _transfer_queries(user, source, target):
    with CaptureQueriesContext(connection) as ctx:
        units_transfer(user=user, from_account=source, to_account=target, quantity=1)
    return len(ctx.captured_queries)


def test_transfer_queries_do_not_depend_on_the_blocks_held(reg):
    assert fragmented(reg, reg.acct, 500) >= 500
    issue(reg.activity, 100, to=reg.acct2, status="mc")
    assert UnitBlock.objects.filter(account=reg.acct2).count() == 1
    many = _transfer_queries(reg.ama, reg.acct, reg.gh_party)
    one = _transfer_queries(reg.ama, reg.acct2, reg.gh_party)
    assert many == one


def test_a_transfer_touches_only_the_blocks_it_splits(reg):
    fragmented(reg, reg.acct, 500)
    first_three = list(UnitBlock.objects.filter(account=reg.acct).order_by("serial_start")[:3])
    others = {b.pk: (b.account_id, b.serial_start, b.serial_end, b.first_transferred)
              for b in UnitBlock.objects.filter(account=reg.acct).exclude(pk__in=[b.pk for b in first_three])}
    quantity = first_three[0].quantity + first_three[1].quantity + 1  # two whole blocks and one unit of the third
    row = units_transfer(user=reg.ama, from_account=reg.acct, to_account=reg.acct2, quantity=quantity)
    assert row.entries.count() == 3
    after = {b.pk: (b.account_id, b.serial_start, b.serial_end, b.first_transferred)
             for b in UnitBlock.objects.filter(pk__in=others)}
    assert after == others
    third = UnitBlock.objects.get(pk=first_three[2].pk)
    assert (third.account_id, third.serial_start) == (reg.acct.pk, first_three[2].serial_start + 1)


def test_a_large_transfer_spanning_hundreds_of_blocks(reg):
    fragmented(reg, reg.acct, 500)
    total = held(reg.acct)
    row = units_transfer(user=reg.ama, from_account=reg.acct, to_account=reg.acct2, quantity=total - 1)
    assert held(reg.acct) == 1 and held(reg.acct2) == total - 1
    assert sum(e.quantity for e in row.entries.all()) == total - 1

"""The registry account is a subject of the engine too (pacm.registry.machine): who may move its
units is declared once, pages ask `available_actions`, and the services check the same
declaration under their own ordered locks (7/CMA.4 annex I paras 33, 42-45; RMP 66)."""
import pytest

from pacm.common.errors import Refused
from pacm.engine.offers import available_actions
from pacm.registry.models import Account, AccountKind
from pacm.registry.services.accounts import account_actor

MOVES = {"transfer_units", "use_units", "cancel_units"}


@pytest.fixture
def accounts(world):
    own = Account.objects.create(number="PACM-H-DEV-9", kind=AccountKind.HOLDING, name="Kpone",
                                 organisation=world.orgs["dev"], party=world.host)
    party = Account.objects.create(number="PACM-H-GH-9", kind=AccountKind.HOLDING, name="Ghana", party=world.host)
    return own, party


def test_holders_are_offered_the_moves_and_nobody_else(world, accounts):
    own, party = accounts
    assert available_actions(world.ama, own).names == MOVES
    assert available_actions(world.dina, party).names == MOVES
    for persona in ("kofi", "dora", "otto", "nils", "sam", "sofia"):
        assert available_actions(world.people[persona], own).names == set(), persona
    assert available_actions(world.dina, own).names == set()  # an entity's account: its members only
    with pytest.raises(Refused, match="You may not transfer units from account PACM-H-DEV-9"):
        account_actor(user=world.kofi, account=own, what="transfer units")
    assert account_actor(user=world.ama, account=own, what="transfer units").organisation == world.orgs["dev"]


def test_nothing_is_offered_on_a_terminal_or_a_registry_operated_account(world, accounts):
    for kind in (AccountKind.CANCELLATION_OIMP, AccountKind.PENDING):
        account = Account.objects.filter(kind=kind).first()
        assert account is not None, kind
        for user in world.people.values():
            assert available_actions(user, account).names == set(), (kind, user)


def test_opening_an_account_is_a_declared_write_of_the_party(world):
    """7/CMA.4 annex I para 33: the registry administrator, or the Party's own DNA, opens it."""
    from pacm.registry.services.accounts import account_open

    assert available_actions(world.sam, world.host).names == {"open_account"}
    assert available_actions(world.dina, world.host).names == {"open_account"}
    assert available_actions(world.nils, world.host).names == set()  # another Party's DNA
    assert available_actions(world.ama, world.host).names == set()
    with pytest.raises(Refused, match="Only the registry administrator or the Party's DNA"):
        account_open(kind=AccountKind.HOLDING, name="Ghana", party=world.host, user=world.nils)
    account = account_open(kind=AccountKind.HOLDING, name="Ghana", party=world.host, user=world.dina)
    assert account.party == world.host and available_actions(world.dina, account).names == MOVES

"""The registry account as a subject of the engine: who may move its units, declared once.

An account has no cycle of its own; its "state" says what may be done with it (7/CMA.4 annex I
paras 42-45): a holding or the SOP account moves units by its holders' hand; a cancellation or
retirement account never releases a unit (para 45); the pending and buffer accounts move only by
the registry's own services. Its holders are tied to it (pacm.parties.roles): an entity's
members hold its holding account, a Party's DNA the Party's, the Adaptation Fund the SOP
account (para 33; RMP 66, annex I para 60). Pages ask `available_actions(user, account)`; the
registry's services check the same declaration (`write_check`) under their own ordered locks.
"""
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pacm.engine.declarations import A
from pacm.engine.machines import Machine
from pacm.parties.models import Organisation, Party
from pacm.parties.roles import Role, Tie

from .models import Account, AccountKind

K = Organisation.Kind


class AccountState(models.TextChoices):
    MOVABLE = "movable", _("Open")
    TERMINAL = "terminal", _("Units never leave it")
    SYSTEM = "system", _("Operated by the registry")
    # A6.4-STAN-METH-002 paras 53-55: the Reversal Risk Buffer Pool Account; administered by the registry
    # administrator only, its units are only ever cancelled (remediation of reversals), never moved by hand.
    POOL = "pool", _("Buffer units: only cancelled to remediate reversals")


HOLDERS = frozenset({Role.PARTICIPANT, Role.DNA, Role.ADAPTATION_FUND})

ACCOUNT_TIES = (
    Tie(Role.PARTICIPANT, K.PARTICIPANT, "organisation", when=Q(kind=AccountKind.HOLDING)),
    Tie(Role.DNA, K.DNA, "party", via_party=True, when=Q(kind=AccountKind.HOLDING, organisation__isnull=True)),
    Tie(Role.ADAPTATION_FUND, K.ADAPTATION_FUND, when=Q(kind=AccountKind.SOP_ADAPTATION)),
    # A6.4-PROC-AC-003 v03.0 para 139: a DOE at fault acquires units and cancels them from its own account.
    Tie(Role.DOE, K.DOE, "organisation", when=Q(kind=AccountKind.HOLDING)),
)

ACCOUNT_ACTIONS = (
    # Paras 42-43: to another holding account.
    A("transfer_units", AccountState.MOVABLE, HOLDERS, _("Transfer units")),
    # Para 44 retirement, RMP 43 OIMP cancellation, RMP 70 voluntary OMGE cancellation.
    A("use_units", AccountState.MOVABLE, HOLDERS, _("Use units")),
    # RMP 61: voluntary cancellation.
    A("cancel_units", AccountState.MOVABLE, HOLDERS | {Role.DOE}, _("Cancel units")),
)


class account_guards:  # noqa: N801 - the account's writes need no guard beyond their states
    pass


ACCOUNT = Machine(
    name="account",
    model=Account,
    states=AccountState,
    initial=AccountState.MOVABLE,
    transitions=(),
    actions=ACCOUNT_ACTIONS,
    terminal=frozenset({AccountState.TERMINAL, AccountState.SYSTEM, AccountState.POOL}),
    ties=ACCOUNT_TIES,
    guards=account_guards,
    subject_kwarg="account",
    describe=lambda a: a.number,
)


class PartyState(models.TextChoices):
    LISTED = "listed", _("A Party to the Paris Agreement")


# 7/CMA.4 annex I para 33: holding accounts are opened by the registry administrator (the
# secretariat) or, for its own entities and itself, by the Party through its DNA.
PARTY_TIES = (
    Tie(Role.DNA, K.DNA, "id", via_party=True),
    Tie(Role.SECRETARIAT, K.SECRETARIAT),
)
PARTY_ACTIONS = (
    A("open_account", PartyState.LISTED, {Role.SECRETARIAT, Role.DNA}, _("Open a holding account")),
)

PARTY = Machine(
    name="party",
    model=Party,
    states=PartyState,
    initial=PartyState.LISTED,
    transitions=(),
    actions=PARTY_ACTIONS,
    terminal=frozenset(),
    ties=PARTY_TIES,
    guards=account_guards,
    subject_kwarg="party",
    describe=lambda p: p.name,
)

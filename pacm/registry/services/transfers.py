"""Transfers between holding accounts, and the uses that end a unit's life (rules.md §5.4).

7/CMA.4 annex I paras 42-45; RMP 45, 61, 70. Each call is one transaction that first locks the
accounts it touches, all in one statement in primary-key order (`accounts_lock`), and is rerun
whole if the database still reports a conflict (`conflict_retry`).
"""
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from pacm.common.errors import ServiceError
from pacm.common.retry import atomic_step, conflict_retry
from pacm.parties.models import Party

from ..models import Account, AccountKind, TransactionKind
from .accounts import account_actor, account_get, account_label, account_lock, accounts_lock
from .first_transfer import NDC_STATUSES, OIMP_STATUSES
from .outgoing import (
    eligible_blocks,
    quantity_clean,
    takes_digest,
    takes_ranges,
    terminal_refuse,
    text_clean,
    units_move_out,
    units_plan,
)


@conflict_retry
def units_transfer(*, user, from_account, to_account, quantity, activity=None, vintage=None, expected=None):
    """Transfer units to another holding account (paras 42-43), oldest serials first."""
    quantity = quantity_clean(quantity)
    with atomic_step():  # the transaction conflict_retry opened: no savepoint (pacm issue 8)
        # Both accounts at once, lowest key first: crossing transfers queue, never deadlock.
        source, target = accounts_lock(from_account, to_account)
        if source is None:
            raise ServiceError(_("No account %(account)s exists.") % {"account": account_label(from_account)},
                               code="no_account")
        terminal_refuse(source)
        actor = account_actor(user=user, account=source, what=_("transfer units"))
        _transfer_target_check(source=source, target=target, to_account=to_account)
        return units_move_out(
            source=source, target=target, quantity=quantity, kind=TransactionKind.TRANSFER, actor=actor,
            eligible=eligible_blocks(source, activity=activity, vintage=vintage),
            whole_account=activity is None and vintage is None, expected=expected,
        )


def _transfer_target_check(*, source, target, to_account):
    if target is None:
        raise ServiceError(_("No account %(account)s exists.") % {
            "account": account_label(to_account) or _("(none given)")}, code="no_account")
    if target.kind != AccountKind.HOLDING:
        params = {"target": target.number}
        raise ServiceError(
            _("%(target)s is not a holding account: units are transferred to holding accounts.") % params,
            field="to_account", code="target_not_holding", params=params,
        )
    if target.pk == source.pk:
        raise ServiceError(
            _("The units are already in this account."),
            field="to_account", code="target_is_source",
        )


# use -> (transaction kind, which units qualify, description of those units)
USES = {
    # 7/CMA.4 annex I para 44: only NDC-authorized units are retired.
    "retirement": (TransactionKind.RETIREMENT, {"authorization_status__in": sorted(NDC_STATUSES)}, gettext_noop("NDC-authorized")),
    # RMP 43; 4/CMA.6 para 11: only OIMP-authorized units count towards OIMP.
    "oimp": (TransactionKind.CANCELLATION_OIMP, {"authorization_status__in": sorted(OIMP_STATUSES)}, gettext_noop("OIMP-authorized")),
    # RMP 61: any unit may be cancelled voluntarily.
    "voluntary": (TransactionKind.VOLUNTARY_CANCELLATION, {}, ""),
    # RMP 70: only correspondingly adjusted units (authorized and first-transferred).
    "omge_voluntary": (
        TransactionKind.VOLUNTARY_OMGE_CANCELLATION,
        {"first_transferred": True, "authorization_status__in": sorted(NDC_STATUSES | OIMP_STATUSES)},
        gettext_noop("correspondingly adjusted"),
    ),
}
USE_ACCOUNT = {
    "oimp": AccountKind.CANCELLATION_OIMP,
    "voluntary": AccountKind.VOLUNTARY_CANCELLATION,
    "omge_voluntary": AccountKind.OMGE_VOLUNTARY,
}


def _retirement_account(*, party, source):
    if not isinstance(party, Party):
        raise ServiceError(
            _("Say for which Party's NDC the units are retired."),
            field="party", code="party_required",
        )
    if source.owner_party_id != party.pk:
        # 7/CMA.4 annex I para 44: only from accounts associated with that Party.
        params = {"source": source.number, "party": party.name}
        raise ServiceError(
            _("%(source)s is not associated with %(party)s: it cannot retire into its account.") % params,
            field="party", code="account_not_of_party", params=params,
        )
    target = Account.objects.filter(kind=AccountKind.RETIREMENT, party=party).first()
    if target is None:
        params = {"party": party.name}
        raise ServiceError(
            _("%(party)s has no retirement account.") % params,
            field="party", code="retirement_account_missing", params=params,
        )
    return target


@conflict_retry
def units_use(*, user, from_account, quantity, purpose, beneficiary, use, party=None, activity=None, vintage=None,
              expected=None):
    """Retire for NDC use, cancel for OIMP, cancel voluntarily, or cancel voluntarily for OMGE.

    The units end in a cancellation or retirement account and never move again (para 45).
    """
    if use not in USES:
        raise ServiceError(
            _("Choose retirement, oimp, voluntary or omge_voluntary."),
            field="use", code="use_unknown",
        )
    quantity = quantity_clean(quantity)
    purpose = text_clean(purpose, field="purpose", required=True)
    beneficiary = text_clean(beneficiary, field="beneficiary", required=False)
    kind, filters, what = USES[use]
    with atomic_step():  # the transaction conflict_retry opened: no savepoint (pacm issue 8)
        # Only the source: units that are used end in a retirement or cancellation account,
        # which nothing ever moves out of, so nothing else locks it (accounts_lock).
        source = account_lock(from_account)
        terminal_refuse(source)
        actor = account_actor(user=user, account=source, what=_("use or cancel units"),
                              write="cancel_units" if use == "voluntary" else "use_units")
        target = _use_target(use=use, party=party, source=source)
        return units_move_out(
            source=source, target=target, quantity=quantity, kind=kind, actor=actor, purpose=purpose,
            beneficiary=beneficiary, what=_(what) if what else "", eligible=eligible_blocks(source, activity=activity, vintage=vintage,
                                                                         **filters),
            whole_account=not filters and activity is None and vintage is None, expected=expected,
        )


def _use_target(*, use, party, source):
    if use == "retirement":
        return _retirement_account(party=party, source=source)
    return account_get(USE_ACCOUNT[use])


def units_cancel_voluntarily(*, user, from_account, quantity, purpose, beneficiary="", activity=None, vintage=None,
                             expected=None):
    """RMP 61: voluntary cancellation, e.g. for a voluntary claim."""
    return units_use(user=user, from_account=from_account, quantity=quantity, purpose=purpose,
                     beneficiary=beneficiary, use="voluntary", activity=activity, vintage=vintage, expected=expected)


@dataclass(frozen=True)
class MovePreview:
    """What a move would do, computed by the move's own planner (`units_plan`) without writing."""

    source: Account
    target: Account
    quantity: int
    ranges: list  # [(block, first serial, last serial)]
    digest: str


def _preview(*, source, target, quantity, eligible, what="", whole_account=False):
    takes = units_plan(source=source, quantity=quantity, eligible=eligible, what=what, whole_account=whole_account)
    return MovePreview(source=source, target=target, quantity=quantity, ranges=takes_ranges(takes),
                       digest=takes_digest(target=target, takes=takes))


def units_transfer_preview(*, user, from_account, to_account, quantity, activity=None, vintage=None):
    """pacm issue 9: the receiver and the ranges `units_transfer` would move now; refuses as it would."""
    quantity = quantity_clean(quantity)
    source = account_find(from_account)
    terminal_refuse(source)
    account_actor(user=user, account=source, what=_("transfer units"))
    target = Account.objects.select_related("organisation", "party").filter(number=account_label(to_account)).first()
    _transfer_target_check(source=source, target=target, to_account=to_account)
    return _preview(source=source, target=target, quantity=quantity,
                    eligible=eligible_blocks(source, activity=activity, vintage=vintage),
                    whole_account=activity is None and vintage is None)


def units_use_preview(*, user, from_account, quantity, purpose, beneficiary, use, party=None, activity=None,
                      vintage=None):
    """pacm issue 9: where and which ranges `units_use` would move now; refuses as it would."""
    if use not in USES:
        raise ServiceError(_("Choose retirement, oimp, voluntary or omge_voluntary."), field="use", code="use_unknown")
    quantity = quantity_clean(quantity)
    text_clean(purpose, field="purpose", required=True)
    text_clean(beneficiary, field="beneficiary", required=False)
    kind, filters, what = USES[use]
    source = account_find(from_account)
    terminal_refuse(source)
    account_actor(user=user, account=source, what=_("use or cancel units"),
                  write="cancel_units" if use == "voluntary" else "use_units")
    target = _use_target(use=use, party=party, source=source)
    return _preview(source=source, target=target, quantity=quantity, what=_(what) if what else "",
                    eligible=eligible_blocks(source, activity=activity, vintage=vintage, **filters),
                    whole_account=not filters and activity is None and vintage is None)


def account_find(value):
    """The account (row or number), unlocked: a preview reads, it never moves."""
    account = Account.objects.filter(number=account_label(value)).first()
    if account is None:
        params = {"value": account_label(value)}
        raise ServiceError(_("No account %(value)s exists.") % params, code="account_unknown", params=params)
    return account


"""Transfers between holding accounts, and the uses that end a unit's life (rules.md §5.4).

7/CMA.4 annex I paras 42-45; RMP 45, 61, 70. Each call is one transaction that first locks the
accounts it touches, all in one statement in primary-key order (`accounts_lock`), and is rerun
whole if the database still reports a conflict (`conflict_retry`).
"""
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from pacm.common.errors import ServiceError
from pacm.common.retry import atomic_step, conflict_retry
from pacm.parties.models import Party

from ..models import Account, AccountKind, TransactionKind
from .accounts import account_actor, account_get, account_label, account_lock, accounts_lock
from .first_transfer import NDC_STATUSES, OIMP_STATUSES
from .outgoing import eligible_blocks, quantity_clean, terminal_refuse, text_clean, units_move_out


@conflict_retry
def units_transfer(*, user, from_account, to_account, quantity, activity=None, vintage=None):
    """Transfer units to another holding account (paras 42-43), oldest serials first."""
    quantity = quantity_clean(quantity)
    with atomic_step():  # the transaction conflict_retry opened: no savepoint (pacm issue 8)
        # Both accounts at once, lowest key first: crossing transfers queue, never deadlock.
        source, target = accounts_lock(from_account, to_account)
        if source is None:
            raise ServiceError(f"No account {account_label(from_account)} exists.", code="no_account")
        terminal_refuse(source)
        actor = account_actor(user=user, account=source, what=_("transfer units"))
        if target is None:
            raise ServiceError(f"No account {account_label(to_account) or '(none given)'} exists.", code="no_account")
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
        return units_move_out(
            source=source, target=target, quantity=quantity, kind=TransactionKind.TRANSFER, actor=actor,
            eligible=eligible_blocks(source, activity=activity, vintage=vintage),
            whole_account=activity is None and vintage is None,
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
def units_use(*, user, from_account, quantity, purpose, beneficiary, use, party=None, activity=None, vintage=None):
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
        if use == "retirement":
            target = _retirement_account(party=party, source=source)
        else:
            target = account_get(USE_ACCOUNT[use])
        return units_move_out(
            source=source, target=target, quantity=quantity, kind=kind, actor=actor, purpose=purpose,
            beneficiary=beneficiary, what=_(what) if what else "", eligible=eligible_blocks(source, activity=activity, vintage=vintage,
                                                                         **filters),
            whole_account=not filters and activity is None and vintage is None,
        )


def units_cancel_voluntarily(*, user, from_account, quantity, purpose, beneficiary="", activity=None, vintage=None):
    """RMP 61: voluntary cancellation, e.g. for a voluntary claim."""
    return units_use(user=user, from_account=from_account, quantity=quantity, purpose=purpose,
                     beneficiary=beneficiary, use="voluntary", activity=activity, vintage=vintage)


"""Remediating reversals through the Reversal Risk Buffer Pool Account (A6.4-STAN-METH-002 v01.0
paras 53-58).

The registry administrator cancels from the pool units equal to the reversal, of the same
authorization status (authorized A6.4ER or mitigation contribution unit), with the purpose
"remediation of reversals" (paras 53, 56-57). For an avoidable reversal the participants forward
the same amount and type back into the pool (para 58). Buffer units are only ever cancelled
(para 55): nothing else moves them out. The cycle (projects.reversals) decides the amounts.
"""
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from pacm.common.errors import Refused, ServiceError
from pacm.common.retry import conflict_retry
from pacm.parties.roles import Actor, Role

from ..models import AccountKind, AuthorizationStatus, TransactionKind
from .accounts import account_actor, account_get, account_lock, accounts_lock
from .outgoing import eligible_blocks, quantity_clean, terminal_refuse, text_clean, units_move_out

# Para 53: the two types of buffer units, by the authorization statuses they cover.
AUTHORIZED, CONTRIBUTION = "authorized", "mc"
UNIT_TYPES = {
    AUTHORIZED: (AuthorizationStatus.NDC, AuthorizationStatus.OIMP, AuthorizationStatus.BOTH),
    CONTRIBUTION: (AuthorizationStatus.MITIGATION_CONTRIBUTION,),
}
UNIT_TYPE_LABELS = {AUTHORIZED: gettext_noop("authorized A6.4ERs"), CONTRIBUTION: gettext_noop("mitigation contribution units")}
REMEDIATION_PURPOSE = gettext_noop("Remediation of reversals")


def unit_type_clean(unit_type):
    if unit_type not in UNIT_TYPES:
        raise ServiceError(_("Choose authorized A6.4ERs or mitigation contribution units."), field="unit_type",
                           code="unit_type_unknown")
    return unit_type


def _count(value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ServiceError(_("Give a whole number of units."), field="quantity", code="quantity_invalid")
    return value


@conflict_retry
def buffer_remediate(*, quantities, reference, actor_label):
    """Cancel from the pool, per type, up to `quantities[type]` units; return {type: cancelled}.

    Paras 56-57: the registry administrator effects the cancellation; the purpose reads
    "Remediation of reversals". What the pool cannot cover is the caller's to record as a shortfall.
    The suspension of the reversing activity (para 44) does not hold back its own remediation.
    """
    label = text_clean(actor_label, field="actor label", required=True)
    reference = text_clean(reference, field="reference", required=True)
    wanted = {unit_type_clean(t): _count(q) for t, q in quantities.items()}
    cancelled = {}
    with transaction.atomic():
        buffer = account_lock(account_get(AccountKind.BUFFER))
        target = account_get(AccountKind.ADMIN_CANCELLATION)
        actor = Actor(user=None, organisation=None, role=Role.SECRETARIAT, label=label)
        for unit_type, quantity in sorted(wanted.items()):
            if quantity == 0:
                cancelled[unit_type] = 0
                continue
            row = units_move_out(
                source=buffer, target=target, quantity=quantity, kind=TransactionKind.REVERSAL_REMEDIATION, actor=actor,
                purpose=f"{REMEDIATION_PURPOSE}: {reference}", eligible=eligible_blocks(
                    buffer, authorization_status__in=list(UNIT_TYPES[unit_type])),
                up_to=True, suspension_exempt=True,
            )
            cancelled[unit_type] = row.quantity if row is not None else 0
    return cancelled


@conflict_retry
def buffer_replenish(*, user, from_account, unit_type, quantity, participant_ids, reference):
    """Para 58: a participant forwards `quantity` units of `unit_type` from its holding account into
    the pool. Units of a suspended activity are not taken (the shared outgoing path)."""
    quantity = quantity_clean(quantity)
    unit_type = unit_type_clean(unit_type)
    reference = text_clean(reference, field="reference", required=True)
    with transaction.atomic():
        buffer = account_get(AccountKind.BUFFER)
        source, _buffer = accounts_lock(from_account, buffer)
        if source is None:
            raise ServiceError(_("No such account."), field="from_account", code="no_account")
        terminal_refuse(source)
        actor = account_actor(user=user, account=source, what=_("replenish the buffer pool"), write="transfer_units")
        if source.kind != AccountKind.HOLDING or source.organisation_id not in set(participant_ids):
            params = {"source": source.number, "activity": reference}
            raise Refused(
                _("%(source)s is not a holding account of a participant of %(activity)s.") % params,
                code="account_not_of_participant", params=params,
            )
        return units_move_out(
            source=source, target=buffer, quantity=quantity, kind=TransactionKind.BUFFER_REPLENISHMENT, actor=actor,
            purpose=f"Replenishment after an avoidable reversal at {reference}", what=_(UNIT_TYPE_LABELS[unit_type]),
            eligible=eligible_blocks(source, authorization_status__in=list(UNIT_TYPES[unit_type])),
        )

"""Settling reversals in units (policy.md §2; rules.md §4.3): the buffer pool, or the participants."""
from django.db import transaction
from django.utils.translation import gettext as _

from pacm.common.errors import Refused
from pacm.common.retry import conflict_retry
from pacm.parties.roles import Actor, Role

from ..models import AccountKind, TransactionKind
from .accounts import account_actor, account_get, account_lock
from .outgoing import eligible_blocks, quantity_clean, terminal_refuse, text_clean, units_move_out


@conflict_retry
def buffer_cancel(*, quantity, actor_label, reason):
    """Unavoidable reversal: cancel up to `quantity` pooled buffer units; return how many.

    A shortfall is the caller's to record as owed (policy.md §2).
    """
    quantity = quantity_clean(quantity)
    reason = text_clean(reason, field="reason", required=True)
    label = text_clean(actor_label, field="actor label", required=True)
    with transaction.atomic():
        buffer = account_lock(account_get(AccountKind.BUFFER))
        # The registry administrator acts (RMP 25; 7/CMA.4 annex I para 32: administrative cancellation).
        actor = Actor(user=None, organisation=None, role=Role.SECRETARIAT, label=label)
        row = units_move_out(
            source=buffer, target=account_get(AccountKind.ADMIN_CANCELLATION), quantity=quantity,
            kind=TransactionKind.BUFFER_CANCELLATION, actor=actor, purpose=reason, eligible=eligible_blocks(buffer),
            up_to=True,
        )
    return row.quantity if row is not None else 0


@conflict_retry
def units_compensate(*, user, from_account, quantity, activity):
    """Avoidable reversal: a participant of `activity` cancels units of its own (policy.md §2)."""
    quantity = quantity_clean(quantity)
    with transaction.atomic():
        source = account_lock(from_account)
        terminal_refuse(source)
        actor = account_actor(user=user, account=source, what=_("compensate a reversal"), write="cancel_units")
        if source.kind != AccountKind.HOLDING or source.organisation_id is None or not activity.participants.filter(
            pk=source.organisation_id
        ).exists():
            params = {"source": source.number, "activity": activity.reference}
            raise Refused(
                _("%(source)s is not a holding account of a participant of %(activity)s.") % params,
                code="account_not_of_participant", params=params,
            )
        return units_move_out(
            source=source, target=account_get(AccountKind.ADMIN_CANCELLATION), quantity=quantity,
            kind=TransactionKind.REVERSAL_COMPENSATION, actor=actor,
            purpose=f"Compensation for an avoidable reversal at {activity.reference}", eligible=eligible_blocks(source),
        )


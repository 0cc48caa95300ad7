"""When a move is a first transfer (rules.md §6; 7/CMA.4 annex I para 36): a pure decision."""
from ..models import AccountKind, AuthorizationStatus, FirstTransferDefinition, TransactionKind

# RMP 58-59, 69(c); 7/CMA.4 annex I paras 39-40; 4/CMA.6 paras 16-17: the SOP share and the
# OMGE cancellation of authorized units are first transfers with a corresponding adjustment.
LEVY_KINDS = frozenset({TransactionKind.SHARE_OF_PROCEEDS, TransactionKind.OMGE_CANCELLATION})
# Moves inside the mechanism that are neither a transfer to anyone nor a use: the buffer deposit
# and the cancellations that settle reversals. Whether buffer units carry a CA is unconfirmed
# (rules.md §4.3), so they are not flagged; the participants' units are first-transferred when
# they themselves meet the definition.
NOT_TRANSFER_KINDS = frozenset(
    {
        TransactionKind.BUFFER_DEPOSIT,
        TransactionKind.BUFFER_CANCELLATION,
        TransactionKind.REVERSAL_COMPENSATION,
        TransactionKind.ADMIN_CANCELLATION,
        # A6.4-STAN-METH-002 v01.0 paras 55, 57-58: forwarded to the pool and cancelled from it.
        TransactionKind.REVERSAL_REMEDIATION,
        TransactionKind.BUFFER_REPLENISHMENT,
    }
)
# 2/CMA.3 annex para 2(b): "use or cancellation" as the OIMP first transfer.
USE_ACCOUNT_KINDS = frozenset(
    {
        AccountKind.RETIREMENT,
        AccountKind.CANCELLATION_OIMP,
        AccountKind.VOLUNTARY_CANCELLATION,
        AccountKind.OMGE_VOLUNTARY,
        AccountKind.OMGE_MANDATORY,
    }
)
NDC_STATUSES = frozenset({AuthorizationStatus.NDC, AuthorizationStatus.BOTH})
OIMP_STATUSES = frozenset({AuthorizationStatus.OIMP, AuthorizationStatus.BOTH})


def first_transfer_applies(*, block, to_account, kind):
    """Whether moving `block` (from the account it is in now) to `to_account` is its first transfer.

    Only authorized units are ever first-transferred, and only once (4/CMA.6 para 11). NDC use:
    the first international transfer (2/CMA.3 annex para 2(a)). OIMP: the event the host
    defined (para 2(b)). Both: whichever comes first (4/CMA.6 para 12).
    """
    if not block.is_authorized or block.first_transferred:
        return False
    if kind in LEVY_KINDS:
        return True
    if kind in NOT_TRANSFER_KINDS:
        return False
    status = block.authorization_status
    if status in NDC_STATUSES:
        party_id = to_account.owner_party_id
        if party_id is not None and party_id != block.host_party_id:
            return True
    if status in OIMP_STATUSES:
        definition = block.first_transfer_definition
        if definition in (FirstTransferDefinition.ISSUANCE, FirstTransferDefinition.AUTHORIZATION):
            return block.account.kind == AccountKind.PENDING
        if definition == FirstTransferDefinition.USE:
            return to_account.kind in USE_ACCOUNT_KINDS
    return False

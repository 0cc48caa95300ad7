"""The registry's write path: every unit move is one of these functions (docs/developing.md)."""
from .accounts import account_get, account_open
from .first_transfer import first_transfer_applies
from .issuance import issuance_execute
from .moves import LedgerError
from .reversals import buffer_remediate, buffer_replenish
from .suspensions import suspension_check, suspension_lift, suspension_of, suspension_start
from .transfers import (
    MovePreview,
    units_cancel_voluntarily,
    units_transfer,
    units_transfer_preview,
    units_use,
    units_use_preview,
)

__all__ = [
    "LedgerError",
    "MovePreview",
    "account_get",
    "account_open",
    "buffer_remediate",
    "buffer_replenish",
    "first_transfer_applies",
    "issuance_execute",
    "units_cancel_voluntarily",
    "suspension_check",
    "suspension_lift",
    "suspension_of",
    "suspension_start",
    "units_transfer",
    "units_transfer_preview",
    "units_use",
    "units_use_preview",
]

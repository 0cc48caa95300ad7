"""The registry's write path: every unit move is one of these functions (docs/developing.md)."""
from .accounts import account_get, account_open
from .first_transfer import first_transfer_applies
from .issuance import issuance_execute
from .moves import LedgerError
from .reversals import buffer_cancel, units_compensate
from .transfers import units_cancel_voluntarily, units_transfer, units_use

__all__ = [
    "LedgerError",
    "account_get",
    "account_open",
    "buffer_cancel",
    "first_transfer_applies",
    "issuance_execute",
    "units_cancel_voluntarily",
    "units_compensate",
    "units_transfer",
    "units_use",
]

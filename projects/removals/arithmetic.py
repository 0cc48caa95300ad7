"""The pure arithmetic of a removals monitoring report (A6.4-STAN-METH-002 v01.0 para 30).

Whole tonnes in, whole tonnes out; no rounding is needed (the report states whole tonnes)."""
from dataclasses import dataclass

from django.utils.translation import gettext as _

from pacm.common.errors import ServiceError


def _whole(value, what):
    if isinstance(value, bool) or not isinstance(value, int):
        raise ServiceError(_("%(what)s is a whole number of tonnes.") % {"what": what}, code="quantity_invalid")
    return value


@dataclass(frozen=True)
class VintageRemovals:
    """What one vintage of a removals report comes to: units that may be claimed, the crediting
    deficit it adds, and the reversal it shows (whole tonnes, never negative)."""

    claimable: int
    deficit: int
    reversal: int


def removals_vintage(*, net_removals, storage_change):
    """Para 30 for one vintage.

    (c)-(d): with a positive (or nil) net change in storage, positive net removals may be claimed
    and negative ones are a crediting deficit. (e): a negative net change in storage is a reversal
    of as much; nothing is claimed, and what the net removals fall below the storage loss
    (emissions and leakage beyond it) is a deficit too (reading removals-2).
    """
    net_removals = _whole(net_removals, _("The net removals"))
    storage_change = _whole(storage_change, _("The net change in storage"))
    if storage_change < 0:
        return VintageRemovals(claimable=0, deficit=max(storage_change - net_removals, 0), reversal=-storage_change)
    return VintageRemovals(claimable=max(net_removals, 0), deficit=max(-net_removals, 0), reversal=0)


def deficit_deduct(*, balance, units):
    """Para 30(c)(iv): an issuance of `units` pays the deficit `balance` first.

    Returns (deducted, balance after, units left to issue): deducted + left == units and
    balance after + deducted == balance, in whole units.
    """
    balance, units = _whole(balance, _("The crediting deficit")), _whole(units, _("The units requested"))
    if balance < 0 or units < 0:
        raise ServiceError(_("Quantities cannot be negative."), code="quantity_negative")
    deducted = min(balance, units)
    return deducted, balance - deducted, units - deducted

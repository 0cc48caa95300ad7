"""The Reversal Risk Buffer Pool's composition, published (A6.4-STAN-METH-002 v01.0 para 54).

"The composition of the Reversal Risk Buffer Pool Account, including the share of A6.4ERs by
vintage, region and country, type of activity, authorization status, risk rating, and
methodology, shall be published." One GROUP BY over the pool's serial blocks per view, whatever
the number of blocks; the CSV streams the full breakdown.
"""
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import F, Sum
from django.utils.translation import gettext_lazy as _

from .models import AccountKind, AuthorizationStatus, UnitBlock

UNITS = Sum(F("serial_end") - F("serial_start") + 1)

# Dimension -> (the block's column, what a person reads). Region is the host Party's UN regional
# group (reading risk-buffer-9), type of activity the methodology's kind (removals, or reductions
# with reversal risk), risk rating the one each contribution was computed at (IssuanceRequest.buffer_rating).
DIMENSIONS = {
    "vintage": ("vintage", _("Vintage")),
    "region": ("host_party__region", _("Region")),
    "country": ("host_party__iso2", _("Country")),
    "activity_type": ("activity__methodology_version__methodology__kind", _("Type of activity")),
    "authorization_status": ("authorization_status", _("Authorization status")),
    "risk_rating": ("issuance__buffer_rating", _("Risk rating")),
    "methodology": ("activity__methodology_version__methodology__code", _("Methodology")),
}
ALL = "all"


def pool_blocks():
    return UnitBlock.objects.filter(account__kind=AccountKind.BUFFER)


def pool_total():
    return pool_blocks().aggregate(units=UNITS)["units"] or 0


def pool_composition(by=ALL):
    """Rows {<column>: value, ..., "units": n} of the pool grouped by one dimension, or by all of them."""
    columns = [column for column, _label in DIMENSIONS.values()] if by == ALL else [DIMENSIONS[by][0]]
    extra = ["host_party__name"] if "host_party__iso2" in columns else []
    return pool_blocks().values(*columns, *extra).annotate(units=UNITS).order_by(*columns, *extra)


def _region_label(value):
    from pacm.parties.models import Party

    return str(dict(Party.Region.choices).get(value, _("(region not set)")))


def _kind_label(value):
    from methodologies.models import Methodology

    return str(dict(Methodology.Kind.choices).get(value, value))


def rating_label(value):
    """A percentage as "12.50 %"; a superseded category as itself; an old contribution without one."""
    if not value:
        return str(_("(not recorded)"))
    try:
        return f"{Decimal(value):.2f} %"
    except ArithmeticError:
        return str(_("%(category)s (superseded category)") % {"category": value})


def share(units, total):
    """The share of the pool in percent, two decimals (for reading; the units are exact)."""
    if not total:
        return Decimal("0.00")
    return (Decimal(units) * 100 / Decimal(total)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def row_shown(row, total):
    """The row as people read it: every dimension's label, its units and its share."""
    status = dict(AuthorizationStatus.choices)
    shown = {"units": row["units"], "share": share(row["units"], total)}
    for name, (column, _label) in DIMENSIONS.items():
        if column not in row:
            continue
        value = row[column]
        if name == "region":
            shown[name] = _region_label(value)
        elif name == "country":
            shown[name] = f"{row.get('host_party__name', value)} ({value})"
        elif name == "activity_type":
            shown[name] = _kind_label(value)
        elif name == "authorization_status":
            shown[name] = str(status.get(value, value))
        elif name == "risk_rating":
            shown[name] = rating_label(value)
        else:
            shown[name] = value
        shown[f"{name}_value"] = value
    return shown

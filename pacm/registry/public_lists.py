"""The rows of each filtered public list, in the page's order (pacm issue 9): the list page pages
them by key (public_views), the CSV/XLSX export streams them (projects.exports.lists), so a filtered
export holds exactly the filtered page's rows. `form` is the list's bound, valid filter form
(public_filters); each function is one queryset, read in a fixed number of queries per page or chunk.
"""
from .models import UnitBlock
from .public_filters import SERIAL
from .selectors import public_holder, public_issuances, public_uses

BLOCK_FIELDS = (
    "pk", "issuance_id", "activity__reference", "host_party__iso2", "vintage", "serial_start", "serial_end",
    "authorization_status", "first_transferred", "account__kind", "holder", "negligible_risk",
    "component__reference",  # a PoA's units print their component project (PROC-AC-003 v03.0 para 220)
)
ISSUANCE_FIELDS = (
    "pk", "issuance_id", "issuance__period__activity__reference", "issuance__period__activity__title",
    "issuance__period__activity__host_party__iso2", "issuance__period__number", "quantity", "created_at",
)


def _by_key(rows, form):
    return rows.order_by("-pk" if form.descending else "pk")


def block_rows(form):
    """Blocks (values, holders masked: selectors.public_holder) by key, or one activity's by serial
    number (the index (activity, vintage, serial_start))."""
    rows = form.queryset(UnitBlock.objects.annotate(holder=public_holder())).values(*BLOCK_FIELDS)
    if form.cleaned_data.get("sort") == SERIAL:
        return rows.order_by("activity_id", "vintage", "serial_start")
    return _by_key(rows, form)


def issuance_rows(form):
    return _by_key(form.queryset(public_issuances().values(*ISSUANCE_FIELDS)), form)


def use_rows(form):
    """The uses and cancellations of the kinds the form selects (selectors.public_uses), newest first."""
    return form.queryset(public_uses()).filter(kind__in=form.kinds()).order_by("-pk")

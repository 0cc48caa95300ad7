"""Each exported list: the page's own selector, read with iterator() in the order of an index, and
its columns. Nothing here decides who may see a row: the selectors (and the views' checks) do.

Queries per export are constant in its number of rows: one per chunk of CHUNK rows (two where the
selector prefetches the serial ranges), never one per row (pacm issue 8, issue 9).
"""
from pacm.registry import public_lists
from pacm.registry import selectors as registry
from pacm.registry.models import AccountKind, AuthorizationStatus
from pacm.registry.serials import serial_format

from .. import selectors
from .writer import Sheet

CHUNK = 2000
STATUS = dict(AuthorizationStatus.choices)
KIND = dict(AccountKind.choices)

ACTIVITY_HEADER = ["reference", "title", "host_party", "host_party_name", "state", "methodology", "sectoral_scope",
                   "crediting_type", "crediting_start", "crediting_end", "estimated_annual_tco2e"]


def _activity_rows(queryset):
    rows = queryset.select_related("host_party", "methodology_version__methodology", "sectoral_scope")
    for a in rows.iterator(chunk_size=CHUNK):
        yield [a.reference, a.title, a.host_party.iso2, a.host_party.name, a.get_state_display(),
               f"{a.methodology_version.methodology.code} v{a.methodology_version.version}", a.sectoral_scope.number,
               a.crediting_type, a.crediting_start, a.crediting_end, a.estimated_annual]


def public_activities_sheet(form):
    """The public registry's activities (projects.selectors.public_activities) as the list page filters
    and orders them (`form`: a valid projects.public_filters.ActivityFilter)."""
    rows = form.queryset(selectors.public_activities()).order_by("-pk" if form.descending else "pk")
    return Sheet("activities", ACTIVITY_HEADER, _activity_rows(rows))


def my_activities_sheet(user):
    """The dashboard's "Activities you work on" (activities_of_user): for a DNA, its Party's activities."""
    return Sheet("activities", ACTIVITY_HEADER, _activity_rows(selectors.activities_of_user(user)))


def public_issuances_sheet(form):
    """The issuances as the list page filters and orders them (public_lists.issuance_rows)."""
    rows = (
        [r["issuance_id"], r["issuance__period__activity__reference"], r["issuance__period__number"], r["quantity"],
         r["created_at"]]
        for r in public_lists.issuance_rows(form).iterator(chunk_size=CHUNK)
    )
    return Sheet("issuances", ["issuance", "activity", "monitoring_period", "units_issued", "issued_at"], rows)


BLOCK_HEADER = ["serial_range", "activity", "host_party", "vintage", "serial_start", "serial_end", "units",
                "authorization", "first_transferred", "negligible_risk", "account_kind", "holder"]


def public_blocks_sheet(form):
    """The serial blocks as the list page filters and orders them (public_lists.block_rows: holders masked)."""
    rows = (
        [r["serial"], r["activity__reference"], r["host_party__iso2"], r["vintage"], r["serial_start"],
         r["serial_end"], r["quantity"], STATUS.get(r["authorization_status"], r["authorization_status"]),
         r["first_transferred"], r["negligible_risk"], KIND.get(r["account__kind"], r["account__kind"]), r["holder"]]
        for r in map(registry.public_row, public_lists.block_rows(form).iterator(chunk_size=CHUNK))
    )
    return Sheet("blocks", BLOCK_HEADER, rows)


USE_HEADER = ["date", "use", "account_kind", "purpose", "beneficiary", "serial_ranges", "activity", "vintage",
              "units", "authorization", "first_transfer", "transaction"]


def public_uses_sheet(form):
    """The uses and cancellations as the list page filters them (public_lists.use_rows over
    selectors.public_uses, the page's own selector), one row per use, newest first: purpose,
    beneficiary, date, quantity, serial ranges and activity (PROC-REGS-001 para 74(a)); the holder is
    never named. Read a chunk at a time, its ranges prefetched per chunk (two queries a chunk)."""

    def rows():
        for t in public_lists.use_rows(form).iterator(chunk_size=CHUNK // 4):
            use = registry.public_use(t)
            yield [t.created_at, use.kind_label, use.account_kind_label, t.purpose, t.beneficiary,
                   "; ".join(use.ranges), "; ".join(use.references), "; ".join(str(v) for v in use.vintages),
                   t.quantity, "; ".join(str(STATUS.get(s, s)) for s in use.statuses), t.first_transfer, t.pk]

    return Sheet("uses_and_cancellations", USE_HEADER, rows())


def holdings_sheet(account):
    """The account page's holdings statement (selectors.holdings: grouped in the index's order)."""
    rows = (
        [r["activity__reference"], r["vintage"], STATUS.get(r["authorization_status"], r["authorization_status"]),
         r["first_transferred"], r["negligible_risk"], r["units"]]
        for r in registry.holdings(account).iterator(chunk_size=CHUNK)
    )
    return Sheet("holdings", ["activity", "vintage", "authorization", "first_transferred", "negligible_risk", "units"],
                 rows)


def statement_sheet(account):
    """The account page's transaction statement (selectors.statement), newest first, its serial ranges
    prefetched a chunk at a time."""

    def rows():
        for t in registry.statement(account).iterator(chunk_size=CHUNK // 4):
            counterparty = t.from_account if t.direction == "in" else t.to_account
            yield [t.pk, t.created_at, t.get_kind_display(), t.direction,
                   counterparty.number if counterparty else "", t.quantity, t.first_transfer,
                   t.corresponding_adjustment, t.purpose, t.beneficiary,
                   "; ".join(serial_format(e) for e in t.entries.all())]

    header = ["transaction", "date", "kind", "direction", "counterparty_account", "units", "first_transfer",
              "corresponding_adjustment", "purpose", "beneficiary", "serial_ranges"]
    return Sheet("statement", header, rows())


"""Each exported list: the page's own selector, read with iterator() in the order of an index, and
its columns. Nothing here decides who may see a row: the selectors (and the views' checks) do.

Queries per export are constant in its number of rows: one per chunk of CHUNK rows (two where the
selector prefetches the serial ranges), never one per row (pacm issue 8, issue 9).
"""
from pacm.registry import selectors as registry
from pacm.registry.models import TERMINAL_KINDS, AccountKind, AuthorizationStatus, LedgerEntry
from pacm.registry.serials import serial_compose, serial_format

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


def public_activities_sheet():
    """The public registry's activities (projects.selectors.public_activities), by key."""
    return Sheet("activities", ACTIVITY_HEADER, _activity_rows(selectors.public_activities().order_by("pk")))


def my_activities_sheet(user):
    """The dashboard's "Activities you work on" (activities_of_user): for a DNA, its Party's activities."""
    return Sheet("activities", ACTIVITY_HEADER, _activity_rows(selectors.activities_of_user(user)))


def public_issuances_sheet():
    rows = (
        [r["issuance_id"], r["issuance__period__activity__reference"], r["issuance__period__number"], r["quantity"],
         r["created_at"]]
        for r in registry.public_issuances().iterator(chunk_size=CHUNK)
    )
    return Sheet("issuances", ["issuance", "activity", "monitoring_period", "units_issued", "issued_at"], rows)


BLOCK_HEADER = ["serial_range", "activity", "host_party", "vintage", "serial_start", "serial_end", "units",
                "authorization", "first_transferred", "negligible_risk", "account_kind", "holder"]


def public_blocks_sheet(*, activity=None):
    """Every serial block as the public registry shows it (selectors.public_blocks: holders masked)."""
    rows = (
        [r["serial"], r["activity__reference"], r["host_party__iso2"], r["vintage"], r["serial_start"],
         r["serial_end"], r["quantity"], STATUS.get(r["authorization_status"], r["authorization_status"]),
         r["first_transferred"], r["negligible_risk"], KIND.get(r["account__kind"], r["account__kind"]), r["holder"]]
        for r in registry.public_blocks(activity=activity)
    )
    return Sheet("blocks", BLOCK_HEADER, rows)


def public_uses():
    """Every serial range that ended in a retirement or cancellation account (7/CMA.4 annex I para 45:
    TERMINAL_KINDS), with the use's purpose, beneficiary and date (pacm issue 9; PROC-REGS-001 paras
    73-76): public data, the holder is never named. One row per range, one query, by key."""
    return (
        LedgerEntry.objects.filter(transaction__to_account__kind__in=sorted(TERMINAL_KINDS))
        .values("pk", "transaction_id", "transaction__created_at", "transaction__kind", "transaction__to_account__kind",
                "transaction__purpose", "transaction__beneficiary", "block__activity__reference",
                "block__host_party__iso2", "vintage", "serial_start", "serial_end", "block__authorization_status",
                "first_transfer")
        .order_by("pk")
    )


def public_uses_sheet():
    from pacm.registry.models import TransactionKind

    kinds = dict(TransactionKind.choices)
    rows = (
        [r["transaction__created_at"], kinds.get(r["transaction__kind"], r["transaction__kind"]),
         KIND.get(r["transaction__to_account__kind"]), r["transaction__purpose"], r["transaction__beneficiary"],
         serial_compose(host_iso2=r["block__host_party__iso2"], activity_reference=r["block__activity__reference"],
                        vintage=r["vintage"], serial_start=r["serial_start"], serial_end=r["serial_end"]),
         r["block__activity__reference"], r["vintage"], r["serial_end"] - r["serial_start"] + 1,
         STATUS.get(r["block__authorization_status"]), r["first_transfer"], r["transaction_id"]]
        for r in public_uses().iterator(chunk_size=CHUNK)
    )
    header = ["date", "use", "account_kind", "purpose", "beneficiary", "serial_range", "activity", "vintage", "units",
              "authorization", "first_transfer", "transaction"]
    return Sheet("uses_and_cancellations", header, rows)


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


"""Registry reads: the public totals, issuances and serial blocks (with lookup by any serial), and
the accounts and statements of their holders only (pacm.registry.selectors, as the web pages)."""
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja import Path as PathParam

from pacm.registry import selectors
from pacm.registry.lookup import serial_lookup
from pacm.registry.serials import serial_format

from .api import ERRORS
from .paging import LIMIT_DEFAULT, LIMIT_MAX, cursor_page, cursor_union_page
from .problems import ApiProblem

router = Router(tags=["registry"])


class PageIn(Schema):
    cursor: str | None = Field(None, max_length=40, description="The `next` of the previous page")
    limit: int = Field(LIMIT_DEFAULT, ge=1, le=LIMIT_MAX)


class TotalsOut(Schema):
    issued: int
    held: int
    by_account_kind: dict[str, int]


class IssuanceOut(Schema):
    id: int
    issuance_id: int | None
    activity: str
    period: int | None
    quantity: int
    created_at: str


class BlockOut(Schema):
    id: int
    serial: str
    activity: str
    vintage: int
    quantity: int
    authorization_status: str
    first_transferred: bool
    negligible_risk: bool
    account_kind: str
    holder: str


class IssuancePage(Schema):
    items: list[IssuanceOut]
    next: str | None


class BlockPage(Schema):
    items: list[BlockOut]
    next: str | None


class AccountOut(Schema):
    number: str
    kind: str
    name: str
    units: int


class AccountsOut(Schema):
    items: list[AccountOut]


class HoldingOut(Schema):
    activity: str
    vintage: int
    authorization_status: str
    first_transferred: bool
    negligible_risk: bool
    units: int
    suspended: bool = Field(False, description="Units of a suspended activity: they cannot move (STAN-METH-002 para 44)")


class SuspensionOut(Schema):
    """A6.4-STAN-METH-002 v01.0 paras 25, 44: the units of this activity held here cannot be
    transferred, used or cancelled until the Supervisory Body lifts the suspension."""

    activity: str
    reason: str
    reason_label: str
    detail: str
    since: str


class AccountDetailOut(AccountOut):
    holdings: list[HoldingOut]
    holdings_truncated: bool
    suspensions: list[SuspensionOut]


def suspensions_out(found):
    return [{"activity": s.activity.reference, "reason": s.reason, "reason_label": str(s.get_reason_display()),
             "detail": s.detail, "since": s.started_at.isoformat()} for s in found.values()]


class EntryOut(Schema):
    serial: str
    quantity: int


class TransactionOut(Schema):
    id: int
    kind: str
    direction: str
    quantity: int
    counterpart: str | None
    purpose: str
    beneficiary: str
    created_at: str
    entries: list[EntryOut]


class StatementPage(Schema):
    items: list[TransactionOut]
    next: str | None


HOLDINGS_MAX = 500
ENTRIES_MAX = 100


@router.get("/totals", response={200: TotalsOut, **ERRORS}, summary="The public registry's totals")
def totals(request):
    data = selectors.ledger_totals()
    return {"issued": data["issued"], "held": data["held"], "by_account_kind": data["by_kind"]}


def _issuance(row):
    return {"id": row["pk"], "issuance_id": row["issuance_id"], "activity": row["issuance__period__activity__reference"],
            "period": row["issuance__period__number"], "quantity": row["quantity"],
            "created_at": row["created_at"].isoformat()}


@router.get("/issuances", response={200: IssuancePage, **ERRORS}, summary="Issuances, newest first")
def issuances(request, page: Query[PageIn]):
    return cursor_page(selectors.public_issuances(), cursor=page.cursor, limit=page.limit, row=_issuance)


def _block(row):
    row = selectors.public_row(row)
    return {"id": row["pk"], "serial": row["serial"], "activity": row["activity__reference"], "vintage": row["vintage"],
            "quantity": row["quantity"], "authorization_status": row["authorization_status"],
            "first_transferred": row["first_transferred"], "negligible_risk": row["negligible_risk"],
            "account_kind": row["account__kind"], "holder": row["holder"]}


class BlocksIn(PageIn):
    serial: str | None = Field(None, max_length=200, description="Any serial number or range: the blocks holding it")
    activity: str | None = Field(None, max_length=40, description="An activity's reference")


@router.get("/blocks", response={200: BlockPage, **ERRORS}, summary="Serial blocks (public data, para 47)")
def blocks(request, params: Query[BlocksIn]):
    if params.serial:
        # The registry's one lookup (pacm.registry.lookup: the index (activity, vintage, serial_start),
        # at most LOOKUP_BLOCKS blocks), as the public serial page reads it.
        found = serial_lookup(params.serial)
        if found.unreadable:
            raise ApiProblem(400, "serial_invalid", found.error, field="serial")
        blocks = [row for row in found.blocks
                  if not params.activity or row["activity__reference"] == params.activity]
        return {"items": [_block(row) for row in blocks], "next": None}
    rows = selectors.public_blocks().queryset.order_by()
    if params.activity:
        rows = rows.filter(activity__reference=params.activity)
    return cursor_page(rows, cursor=params.cursor, limit=params.limit, descending=False, row=_block)


@router.get("/blocks/{block_id}", response={200: BlockOut, **ERRORS}, summary="One serial block")
def block(request, block_id: int = PathParam(..., ge=1, le=2**63 - 1)):
    row = selectors.public_blocks().queryset.order_by().filter(pk=block_id).first()
    if row is None:
        raise Http404(_("There is no such block."))
    return _block(row)


def _accounts(user):
    return selectors.accounts_of_user(user)


@router.get("/accounts", response={200: AccountsOut, **ERRORS}, summary="The accounts you hold or act on")
def accounts(request):
    # A person acts on a handful of accounts (their entities', their Party's): bounded by them.
    rows = list(_accounts(request.auth.user)[:LIMIT_MAX])
    units = selectors.units_by_account([a.pk for a in rows])
    return {"items": [{"number": a.number, "kind": a.kind, "name": a.name, "units": units.get(a.pk, 0)} for a in rows]}


def _account_or_404(user, number):
    account = _accounts(user).filter(number=number).first()
    if account is None:
        raise Http404(_("There is no account with this number that you may see."))
    return account


@router.get("/accounts/{number}", response={200: AccountDetailOut, **ERRORS}, summary="An account and its holdings")
def account(request, number: str = PathParam(..., max_length=40)):
    acc = _account_or_404(request.auth.user, number)
    rows = list(selectors.holdings(acc)[: HOLDINGS_MAX + 1])
    suspended = selectors.suspensions_in_account(acc)
    return {"number": acc.number, "kind": acc.kind, "name": acc.name,
            "units": selectors.units_by_account([acc.pk]).get(acc.pk, 0),
            "holdings": [{"activity": r["activity__reference"], "vintage": r["vintage"],
                          "authorization_status": r["authorization_status"], "first_transferred": r["first_transferred"],
                          "negligible_risk": r["negligible_risk"], "units": r["units"],
                          "suspended": r["activity_id"] in suspended} for r in rows[:HOLDINGS_MAX]],
            "holdings_truncated": len(rows) > HOLDINGS_MAX,
            "suspensions": suspensions_out(suspended)}


def _transaction(viewer):
    """A statement row; the counterpart's number only where the web shows it (account_numbers_revealed_to)."""
    revealed = selectors.account_numbers_revealed_to(viewer)

    def row(txn):
        other = txn.from_account if txn.direction == "in" else txn.to_account
        counterpart = None
        if other is not None:
            counterpart = other.number if revealed is None or other.number in revealed else selectors.PRIVATE_HOLDER
        entries = list(txn.entries.all())
        return {"id": txn.pk, "kind": txn.kind, "direction": txn.direction, "quantity": txn.quantity,
                "counterpart": counterpart, "purpose": txn.purpose, "beneficiary": txn.beneficiary,
                "created_at": txn.created_at.isoformat(),
                "entries": [{"serial": serial_format(e), "quantity": e.serial_end - e.serial_start + 1}
                            for e in entries[:ENTRIES_MAX]]}

    return row


@router.get("/accounts/{number}/statement", response={200: StatementPage, **ERRORS},
            summary="An account's transactions, newest first")
def statement(request, page: Query[PageIn], number: str = PathParam(..., max_length=40)):
    acc = _account_or_404(request.auth.user, number)
    return cursor_union_page(selectors.statement(acc, all_rows=False), selectors.statement_sides(acc),
                             cursor=page.cursor, limit=page.limit, row=_transaction(request.auth.user))


"""The public registry as buyers use it (pacm issue 9; PROC-REGS-001 v02.1 paras 73-74): the serial
lookup, the filtered lists of serial blocks, issuances, uses and cancellations, and the live totals.

Anyone may read them without logging in (7/CMA.4 annex I para 47). Each list is paged by key in the
order of an index (pacm.common.paging), each page in a fixed number of queries; a bad filter or
serial is a message on the page, never a 500. Private holders are never named (selectors.public_holder).
"""
from django.db.models import Q
from django.shortcuts import render
from django.views.decorators.http import require_safe

from pacm.common.paging import KeysetPage, keyset_page, keyset_union_page, page_get

from . import public_filters as filters
from . import public_lists
from .lookup import LOOKUP_BLOCKS, serial_lookup
from .models import AccountKind, AuthorizationStatus
from .public_totals import public_totals
from .selectors import PublicRows, public_row, public_use, public_uses, suspended_references
from .serials import SERIAL_TEXT_MAX

LIST_PAGE = 50
STATUS_LABELS = dict(AuthorizationStatus.choices)
KIND_LABELS = dict(AccountKind.choices)


def _context(**extra):
    return {"status_labels": STATUS_LABELS, "kind_labels": KIND_LABELS, "serial_max": SERIAL_TEXT_MAX, **extra}


@require_safe
def serial_search(request):
    """Look up a serial number or range: the block(s) that hold it, their activity, vintage, authorization
    and first-transfer status, negligible-risk tag and account type (PROC-REGS-001 paras 13-18, 74)."""
    text = (request.GET.get("q") or "")[: SERIAL_TEXT_MAX * 2]
    result = serial_lookup(text) if text.strip() else None
    context = _context(q=text, result=result, lookup_max=LOOKUP_BLOCKS,
                       suspended_refs=suspended_references() if result and result.blocks else set())
    return render(request, "registry/public/serials.html", context)


def _empty():
    return KeysetPage()


@require_safe
def block_list(request):
    """Every serial block, filtered; newest or oldest first by key, or one activity's by serial number."""
    form = filters.BlockFilter(request.GET)
    blocks = _empty()
    if form.is_valid():
        rows = public_lists.block_rows(form)
        if form.cleaned_data.get("sort") == filters.SERIAL:
            # One activity's blocks by the index (activity, vintage, serial_start), counted (the index bounds them).
            blocks = page_get(request, PublicRows(rows), param="page", per_page=LIST_PAGE)
        else:
            blocks = keyset_page(request, rows.order_by(), param="after", per_page=LIST_PAGE,
                                 descending=form.descending, transform=public_row)
    context = _context(form=form, blocks=blocks, suspended_refs=suspended_references())
    return render(request, "registry/public/blocks.html", context)


@require_safe
def issuance_list(request):
    """Issuances recorded in the ledger, filtered by their activity; newest or oldest first by key."""
    form = filters.IssuanceFilter(request.GET)
    issuances = _empty()
    if form.is_valid():
        rows = public_lists.issuance_rows(form).order_by()
        issuances = keyset_page(request, rows, param="after", per_page=LIST_PAGE, descending=form.descending)
    return render(request, "registry/public/issuances.html", _context(form=form, issuances=issuances))


@require_safe
def use_list(request):
    """Uses and cancellations (PROC-REGS-001 para 74(a)): purpose, beneficiary, date, quantity, serial
    ranges, activity; newest first, a page of keys from each kind's index (txn_kind_id), then the rows."""
    form = filters.UseFilter(request.GET)
    uses = _empty()
    if form.is_valid():
        rows = form.queryset(public_uses())  # the export's selector too (public_lists.use_rows)
        uses = keyset_union_page(request, rows, [Q(kind=kind) for kind in form.kinds()], param="before",
                                 per_page=LIST_PAGE, transform=public_use)
    return render(request, "registry/public/uses.html", _context(form=form, uses=uses))


@require_safe
def totals(request):
    """Live totals from the maintained rows (public_totals), by vintage and authorization status."""
    form = filters.TotalsFilter(request.GET)
    table = None
    if form.is_valid():
        table = public_totals(vintage=form.cleaned_data.get("vintage"), status=form.cleaned_data.get("status"))
    return render(request, "registry/public/totals.html", _context(form=form, table=table))

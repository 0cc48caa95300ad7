"""Registry pages: the public view of issuances and serial blocks, and each holder's accounts.

Every move calls one function of `pacm.registry.services`, which locks the account, checks who
acts and what is held, and records the transaction; bad input shows on the form and moves nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from pacm.common.errors import Refused, ServiceError
from pacm.common.forms import form_add_service_error
from pacm.common.paging import keyset_fields_page, keyset_page, keyset_union_page, page_get
from pacm.common.submission import submit_once
from pacm.engine.offers import available_actions
from pacm.parties.models import Organisation
from pacm.parties.roles import user_organisations

from . import selectors, services
from .forms import AccountOpenForm, CancelForm, TransferForm, UseForm
from .models import AccountKind, AuthorizationStatus
from .serials import serial_format

# Each form of the account page and the declared write it runs (pacm.registry.machine).
FORM_WRITES = {"transfer": "transfer_units", "cancel": "cancel_units", "use": "use_units"}
STATUS_LABELS = dict(AuthorizationStatus.choices)
KIND_LABELS = dict(AccountKind.choices)


def public_registry(request):
    """7/CMA.4 annex I para 47: non-confidential registry data, for anyone, without logging in."""
    reference = (request.GET.get("activity") or "").strip()
    activity = None
    if reference:
        # A block exists only for a registered (hence public) activity: look it up through its blocks.
        activity = selectors.block_activity(reference)
    # pacm issue 8: one activity's blocks page with a count (its index bounds them); all blocks page by
    # key without counting (keyset on the primary key), so the last page costs what the first does.
    if activity:
        blocks = page_get(request, selectors.public_blocks(activity=activity), param="blocks", per_page=50)
    elif not reference:
        blocks = keyset_page(request, selectors.public_blocks().queryset.order_by(), param="blocks_after",
                             per_page=50, descending=False, transform=selectors.public_row)
    else:
        blocks = page_get(request, [], param="blocks", per_page=50)
    totals = selectors.ledger_totals()
    context = {
        "totals": totals,
        "by_kind": sorted(
            ((KIND_LABELS.get(kind, kind), units) for kind, units in totals["by_kind"].items()), key=lambda r: -r[1]
        ),
        "issuances": keyset_page(request, selectors.public_issuances(), param="issuances_before", per_page=20),
        "blocks": blocks,
        "activity": activity,
        "reference": reference,
        "status_labels": STATUS_LABELS,
        "kind_labels": KIND_LABELS,
        "suspended_refs": selectors.suspended_references(),
    }
    return render(request, "registry/public.html", context)


def _pool_by(request):
    from .pool import ALL, DIMENSIONS

    by = request.GET.get("by") or ALL
    return by if by == ALL or by in DIMENSIONS else ALL


def buffer_pool(request):
    """A6.4-STAN-METH-002 para 54: the Reversal Risk Buffer Pool's composition, public, by one
    dimension or all of them, paginated; one grouped query per page."""
    from . import pool

    by = _pool_by(request)
    total = pool.pool_total()
    page = page_get(request, pool.pool_composition(by), per_page=50)
    page.object_list = [pool.row_shown(row, total) for row in page.object_list]
    names = list(pool.DIMENSIONS) if by == pool.ALL else [by]
    context = {
        "total": total, "page": page, "by": by,
        "columns": [(name, pool.DIMENSIONS[name][1]) for name in names],
        "choices": [(pool.ALL, _("All dimensions"))] + [(name, label) for name, (_c, label) in pool.DIMENSIONS.items()],
    }
    return render(request, "registry/buffer_pool.html", context)


def buffer_pool_csv(request):
    """The composition as CSV, streamed (para 54): one row per group, every dimension's raw value,
    through the shared writer (pacm.common.tables: every text cell guarded against formula injection)."""
    from pacm.common.tables import Sheet, csv_response

    from . import pool

    by = _pool_by(request)
    total = pool.pool_total()
    names = list(pool.DIMENSIONS) if by == pool.ALL else [by]

    def rows():
        for row in pool.pool_composition(by).iterator(chunk_size=2000):
            shown = pool.row_shown(row, total)
            yield [shown[f"{name}_value"] for name in names] + [row["units"], f"{shown['share']}"]

    sheet = Sheet("reversal-risk-buffer-pool", [*names, "units", "share_percent"], rows())
    return csv_response(sheet, filename="reversal-risk-buffer-pool.csv")


def _openable(user):
    """Participant organisations this user may open a holding account for: those of the Parties
    on which the user may `open_account` (pacm.registry.machine; services.accounts._opener)."""
    from pacm.parties.models import Party
    from pacm.parties.roles import tie_q

    from .machine import PARTY

    parties = Party.objects.filter(tie_q(user, Party, PARTY.write("open_account").actors))
    if not parties.exists():
        return Organisation.objects.none()
    return selectors.organisations_without_holding_account(party_ids=parties.values("pk"))


def _accounts_render(request, *, open_form=None):
    accounts = list(selectors.accounts_of_user(request.user))
    units = selectors.units_by_account(accounts)
    openable = _openable(request.user)
    if open_form is None and openable.exists():
        open_form = AccountOpenForm(organisations=openable, prefix="open")
    context = {
        "accounts": [(account, units.get(account.pk, 0)) for account in accounts],
        "open_form": open_form,
        "participant_without_account": not accounts
        and user_organisations(request.user).filter(kind=Organisation.Kind.PARTICIPANT).exists(),
    }
    return render(request, "registry/accounts.html", context)


@login_required
def account_list(request):
    """My accounts: those the user's organisations hold (a DNA: its Party's; the AF: the SOP account)."""
    return _accounts_render(request)


@require_POST
@login_required
def account_open(request):
    openable = _openable(request.user)
    if not openable.exists():
        raise Refused(
            _("Only the registry administrator or the Party's DNA may open a holding account."),
            code="account_open_not_permitted",
        )
    form = AccountOpenForm(request.POST, organisations=openable, prefix="open")
    if form.is_valid():
        try:
            outcome = submit_once(
                request, form=form,
                call=lambda: services.account_open(
                    kind=AccountKind.HOLDING, name=form.cleaned_data["name"],
                    organisation=form.cleaned_data["organisation"], user=request.user,
                    authorization_document=form.cleaned_data["authorization_document"],
                    authorization_date=form.cleaned_data["authorization_date"],
                ),
                done=lambda account: (
                    reverse("registry-accounts"),
                    f"Holding account {account.number} opened for {account.organisation.name}.",
                ),
            )
        except Refused:
            raise
        except ServiceError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, outcome.message)
            return redirect(outcome.url)
    messages.error(request, _("No account was opened: see the message on the form below."))
    return _accounts_render(request, open_form=form)


def _account_or_404(user, number):
    """Only the account's own holders see it; anyone else gets a 404 that says nothing."""
    account = selectors.accounts_of_user(user).select_related("authorized_by").filter(number=number).first()
    if account is None:
        raise Http404(_("There is no such account that you hold."))
    return account


def account_url(account, anchor=""):
    url = reverse("registry-account", kwargs={"number": account.number})
    return f"{url}#{anchor}" if anchor else url


FORMS = {"transfer": TransferForm, "cancel": CancelForm, "use": UseForm}
# pacm issue 8: each list of the account page is read a page at a time, in the order of an index.
HOLDINGS_PAGE = 50
BLOCKS_PAGE = 50
STATEMENT_PAGE = 25


def _statement_row(row):
    entries = list(row.entries.all())
    row.ranges = [serial_format(entry) for entry in entries]
    row.negligible_risk = any(entry.block.negligible_risk for entry in entries)  # STAN-METH-002 para 39(b)
    return row


def _block_row(block):
    block.serial = serial_format(block)
    return block


def _account_render(request, account, *, bound=None):
    # The maintained holding groups a page at a time, keyset on their index (pacm issue 8).
    holdings = keyset_fields_page(request, selectors.holdings(account), fields=selectors.HOLDINGS_ORDER,
                                  param="holdings_after", per_page=HOLDINGS_PAGE)
    for row in holdings:
        row["status_label"] = STATUS_LABELS.get(row["authorization_status"], row["authorization_status"])
    # A6.4-STAN-METH-002 v01.0 paras 25, 44: units of a suspended activity are shown as such, with the
    # reason, beside the forms that would move them (the services refuse them: `units_suspended`).
    suspended = selectors.suspensions_of(row["activity_id"] for row in holdings)
    for row in holdings:
        row["suspension"] = suspended.get(row["activity_id"])
    blocks = keyset_page(request, selectors.account_blocks(account), param="blocks_after", per_page=BLOCKS_PAGE,
                         descending=False, transform=_block_row)
    # Statement rows come newest first by key: a page of keys from each index (from_account, id) and
    # (to_account, id), then those rows; their entries are prefetched in one more query (issue 8).
    statement = keyset_union_page(request, selectors.statement(account, all_rows=False),
                                  selectors.statement_sides(account), param="before", per_page=STATEMENT_PAGE,
                                  transform=_statement_row)
    forms = {}
    offered = available_actions(request.user, account).names
    for key, form_class in FORMS.items():
        if FORM_WRITES[key] in offered or key in (bound or {}):
            forms[key] = (bound or {}).get(key) or form_class(prefix=key)
    context = {
        "account": account,
        "kind_label": KIND_LABELS.get(account.kind, account.kind),
        "terminal": account.is_terminal,
        "holdings": holdings,
        "total": selectors.units_by_account([account.pk]).get(account.pk, 0),
        "blocks": blocks,
        "statement": statement,
        "forms": forms,
        "suspensions": list(suspended.values()),
        "open_tab": next(iter(bound), None) if bound else None,
    }
    return render(request, "registry/account_detail.html", context)


@login_required
def account_detail(request, number):
    account = _account_or_404(request.user, number)
    return _account_render(request, account)


# pacm issue 9: the account page's forms first ask for a review (REVIEW), whose page shows the receiver
# and the exact ranges and posts them back signed (CONFIRM); a confirm whose ranges no longer hold is refused.
REVIEW, CONFIRM = "review", "confirm"


def _confirm_salt(request, account, key):
    return f"pacm.registry.confirm:{account.number}:{key}:{request.user.pk}"


def _holder(target):
    """Who receives, as the sender sees it: the entity or Party that holds it, or the mechanism."""
    if target.organisation_id:
        return target.organisation.name
    if target.party_id:
        return target.party.name
    return _("the mechanism (%(name)s)") % {"name": target.name or target.number}


def _ranges_shown(ranges):
    """(printed range, units) per planned range; the blocks' parties and activities in one query."""
    from types import SimpleNamespace

    from .models import UnitBlock

    rows = UnitBlock.objects.select_related("host_party", "activity", "component").in_bulk(
        [block.pk for block, _s, _e in ranges])
    return [(serial_format(SimpleNamespace(block=rows[block.pk], vintage=block.vintage, serial_start=start,
                                           serial_end=end)), end - start + 1)
            for block, start, end in ranges]


def _confirm_render(request, account, key, form, preview, *, changed=False):
    from django.core import signing

    context = {
        "account": account, "key": key, "form": form, "preview": preview, "changed": changed,
        "holder": _holder(preview.target),
        "ranges": _ranges_shown(preview.ranges),
        "token": signing.dumps(preview.digest, salt=_confirm_salt(request, account, key)),
        "action": reverse(f"registry-{key}", kwargs={"number": account.number}),
    }
    return render(request, "registry/move_confirm.html", context)


def _move(request, number, key, call, success, preview):
    from django.core import signing

    account = _account_or_404(request.user, number)
    form = FORMS[key](request.POST, prefix=key)
    if form.is_valid():
        data = form.cleaned_data
        expected = None
        try:
            # pacm issue 9 (safeguards): units move only on the confirm of a review. A post that
            # skipped the review (a hand-made form, an old page) gets the review; nothing moves.
            if REVIEW in request.POST or CONFIRM not in request.POST:
                return _confirm_render(request, account, key, form, preview(account, data))
            try:
                expected = signing.loads(request.POST[CONFIRM], salt=_confirm_salt(request, account, key))
            except signing.BadSignature:
                expected = ""  # matches no plan: refused as changed, reviewed again
            # The same form sent twice (its one-time key) moves the units once (pacm.common.submission).
            outcome = submit_once(request, form=form, call=lambda: call(account, data, expected),
                                  done=lambda row: (account_url(account), success(row)))
        except Refused:
            raise
        except ServiceError as error:
            if error.code == "ranges_changed" or expected == "":
                try:
                    return _confirm_render(request, account, key, form, preview(account, data), changed=True)
                except ServiceError as again:
                    error = again
            form_add_service_error(form, error)
        else:
            messages.success(request, outcome.message)
            return redirect(outcome.url)
    messages.error(request, _("Nothing moved: see the message on the form below."))
    return _account_render(request, account, bound={key: form})


def _units(n):
    return ngettext("%(n)s unit", "%(n)s units", n) % {"n": f"{n:,}"}


@require_POST
@login_required
def account_transfer(request, number):
    """7/CMA.4 annex I paras 42-43: to another holding account, oldest serials first."""
    def args(account, d):
        return {"user": request.user, "from_account": account, "to_account": d["to_account"],
                "quantity": d["quantity"], "activity": d["activity"], "vintage": d["vintage"]}

    return _move(
        request, number, "transfer",
        lambda account, d, expected: services.units_transfer(**args(account, d), expected=expected),
        lambda row: _("%(units)s transferred to %(to)s") % {"units": _units(row.quantity), "to": row.to_account.number}
        + (_(" (a first transfer).") if row.first_transfer else "."),
        lambda account, d: services.units_transfer_preview(**args(account, d)),
    )


@require_POST
@login_required
def account_cancel(request, number):
    """RMP 61: voluntary cancellation; the units never move again (para 45)."""
    def args(account, d):
        return {"user": request.user, "from_account": account, "quantity": d["quantity"], "purpose": d["purpose"],
                "beneficiary": d["beneficiary"], "activity": d["activity"], "vintage": d["vintage"]}

    return _move(
        request, number, "cancel",
        lambda account, d, expected: services.units_cancel_voluntarily(**args(account, d), expected=expected),
        lambda row: _("%(units)s cancelled voluntarily.") % {"units": _units(row.quantity)},
        lambda account, d: services.units_use_preview(**args(account, d), use="voluntary"),
    )


@require_POST
@login_required
def account_use(request, number):
    """Retirement (para 44), OIMP cancellation (RMP 43) or voluntary OMGE cancellation (RMP 70)."""
    def args(account, d):
        return {"user": request.user, "from_account": account, "quantity": d["quantity"], "purpose": d["purpose"],
                "beneficiary": d["beneficiary"], "use": d["use"], "party": d["party"], "activity": d["activity"],
                "vintage": d["vintage"]}

    return _move(
        request, number, "use",
        lambda account, d, expected: services.units_use(**args(account, d), expected=expected),
        lambda row: _("%(units)s moved to %(to)s: %(kind)s.") % {
            "units": _units(row.quantity), "to": row.to_account.name or row.to_account.number,
            "kind": row.get_kind_display().lower()},
        lambda account, d: services.units_use_preview(**args(account, d)),
    )

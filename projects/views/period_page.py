"""The monitoring-period page: what it shows, and which forms it offers to whom (deny by default).

Like the activity page, every write view of a period posts back here: on success it redirects
to the page, on bad input it renders the page again with its own form bound and the message.
"""

from dataclasses import dataclass, field

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from methodologies.arithmetic import Split
from pacm.common.errors import Refused, ServiceError
from pacm.common.paging import keyset_page, page_get
from pacm.engine.offers import available_actions
from pacm.registry.serials import serial_format

from .. import selectors
from ..cycle import PeriodState
from ..forms import (
    CertifyForm,
    DistributionFormSet,
    DocumentUploadForm,
    FeePaymentForm,
    FindingAnswerForm,
    FindingCloseForm,
    FindingRaiseForm,
    FindingReopenForm,
    IssuanceRequestForm,
    TransitionForm,
)
from ..models import Document, MonitoringPeriod
from ..services.issuance import issuance_preview, issuance_terms
from .activity_page import TIMELINE_PAGE, finding_offers, form_run, upload_kinds_for

# Transitions that take their input from a form of their own, not from a plain button.
FORM_TRANSITIONS = frozenset({"certify", "request_issuance", "resubmit_issuance"})
# Actions taken with a plain button, posted to the transitions' view (no item, no input of their own).
BUTTON_ACTIONS = frozenset({"confirm_issuance_request"})
# The participants' decline of the issuance request: a transition whose form sits beside the confirmation.
DECLINE = "decline_issuance_request"
# Documents that belong to a monitoring period (rules.md §2.3 S13-S15).
PERIOD_KINDS = (Document.Kind.MONITORING_REPORT, Document.Kind.VERIFICATION_REPORT, Document.Kind.OTHER)
# An issuance request is pending from its submission until units are issued or it ends.
PENDING_ENDS = frozenset({PeriodState.ISSUED, PeriodState.REJECTED, PeriodState.WITHDRAWN, PeriodState.ENDED})
BLOCKS_PER_PAGE = 50


def period_get_or_404(*, user, reference, number):
    """The period if this user may see its activity; a 404 that reveals nothing otherwise."""
    try:
        return selectors.period_page_get(user=user, reference=reference, number=number)
    except MonitoringPeriod.DoesNotExist:
        raise Http404(_("There is no such monitoring period that you may see.")) from None


def period_url(period, anchor=""):
    url = reverse("period-detail", kwargs={"reference": period.activity.reference, "number": period.number})
    return f"{url}#{anchor}" if anchor else url


@dataclass
class PeriodOffers:
    """What this user may do on this period now; the services check it again when they act."""

    roles: dict
    transitions: list = field(default_factory=list)
    upload_kinds: tuple = ()
    finding_raise: bool = False
    finding_actions: dict = field(default_factory=dict)
    payable_fees: frozenset = frozenset()
    certify: bool = False
    issuance: str | None = None  # "request_issuance" or "resubmit_issuance"
    # pacm issue 9: the participants' confirmation of the request, while it awaits them.
    confirm: object = None  # (spec, blocked) of confirm_issuance_request
    decline: object = None  # (spec, blocked) of decline_issuance_request, shown beside the confirmation

    def require(self, allowed, what):
        if not allowed:
            params = {"what": what}
            raise Refused(
                _("You may not %(what)s on this monitoring period now.") % params,
                code="not_offered", params=params,
            )


def period_transition_form(*, period, spec, data=None):
    """The activity page's button form, carrying the state of the period the page showed (stale-page refusal)."""
    form = TransitionForm(data, spec=spec, activity=period.activity, obj=period, prefix=f"t-{spec.name}")
    return form


def certify_form(*, period, data=None):
    """The DOE's form: per vintage for a project's period (RMP 51), per CP per vintage for a PoA batch
    (PROC-AC-003 v03.0 para 220)."""
    if period.activity.kind == "poa":
        from ..poa.forms import BatchCertifyForm

        return BatchCertifyForm(data, lines=list(period.cp_claims.all()), prefix="certify")
    return CertifyForm(data, claims=list(period.claims.all()), prefix="certify")


def certify_call(*, period, form, user):
    """`services.period_certify` with what `certify_form`'s form gives."""
    from ..services import period_certify

    data = form.cleaned_data
    if period.activity.kind == "poa":
        return period_certify(period=period, user=user, verified=None, verified_by_cp=form.verified_by_cp(),
                              comment=data["comment"])
    return period_certify(period=period, user=user, verified=form.verified(), comment=data["comment"])


def period_offers(*, period, user):
    """What this user may do on this period now, read from `available_actions`."""
    actions = available_actions(user, period)
    offers = PeriodOffers(roles=actions.roles)
    # A guard about the input the transition's own form supplies does not block it (cycle.py inputs).
    for offer in actions.transitions():
        if offer.name == DECLINE:  # in the confirmation's box, not among the buttons (reading omge-confirm-2)
            if getattr(offer.blocked, "code", None) not in CONFIRM_SETTLED:
                offers.decline = (offer.write, offer.blocked)
            continue
        if offer.name == "certify":
            offers.certify = True
        elif offer.name in ("request_issuance", "resubmit_issuance"):
            offers.issuance = offer.name
        offers.transitions.append((offer.write, offer.blocked))
    if actions.has("upload_document"):
        offers.upload_kinds = upload_kinds_for(actions.roles, PERIOD_KINDS)
    offers.finding_raise = actions.has("raise_finding")
    offers.finding_actions = finding_offers(actions)
    offers.payable_fees = frozenset(f.pk for f in actions.items("record_fee_payment"))
    confirm = actions.get("confirm_issuance_request")
    # Shown while the request awaits the confirmation; a blocker of another kind says why not yet.
    if confirm is not None and getattr(confirm.blocked, "code", None) not in CONFIRM_SETTLED:
        offers.confirm = (confirm.write, confirm.blocked)
    return offers


# The confirmation's blockers that mean there is nothing to confirm (issuance_confirmation_awaited).
CONFIRM_SETTLED = frozenset({"issuance_already_confirmed", "issuance_confirmation_not_required"})


def _request(period):
    """The period's issuance request, or None (the reverse one-to-one raises when there is none)."""
    return getattr(period, "issuance", None)


def issuance_forms(*, period, data=None):
    """The issuance request form and its distribution rows; a resubmission starts from the last request."""
    request = _request(period)
    rule_set, _, _ = issuance_terms(period=period)
    initial, rows = {"units_requested": period.verified_total}, None
    if request is not None:
        initial = {"units_requested": request.units_requested, "omge_rate": request.omge_rate}
        rows = [
            {"account": line.account.number, "units": line.units, "percent": line.percent}
            for line in selectors.issuance_lines(request)
        ]
    form = IssuanceRequestForm(
        data, initial=initial, prefix="issue", verified_total=period.verified_total,
        omge_min_rate=rule_set.omge_min_rate,
    )
    lines = DistributionFormSet(data, initial=rows, prefix="lines")
    return form, lines


def _percent(rate):
    return None if rate is None else f"{(rate * 100).normalize():f}%"


def _line_row(line, units):
    """One receiving account of a split: its number, the share asked for, the whole units it gets."""
    if isinstance(line, dict):
        account, share_units, share_percent = line.get("account"), line.get("units"), line.get("percent")
    else:
        account, share_units, share_percent = line.account.number, line.units, line.percent
    if share_percent not in (None, ""):
        share = _percent(share_percent / 100)
    elif share_units not in (None, ""):
        share = f"{share_units:,} units"
    else:
        share = ""
    return {"account": account, "share": share, "units": units}


def split_view(split, rows):
    """What the split partial shows: the amounts, the rates as percentages, the rounding and rule set."""
    return {
        "split": split, "rows": rows, "note": split.rounding_note(),
        "rates": {"sop": _percent(split.sop_rate), "omge": _percent(split.omge_rate),
                  "buffer": _percent(split.buffer_rate)},
    }


def preview_build(*, period, units, omge_rate, lines):
    """The split a request would produce today and what each line's account gets (rules.md §4.5).

    A split that cannot be made raises ServiceError; a distribution that does not add up still
    shows the split, with the distribution's message under "error".
    """
    split, _ = issuance_preview(period=period, units=units, omge_rate=omge_rate)
    try:
        _, amounts = issuance_preview(period=period, units=units, omge_rate=omge_rate, lines=lines)
    except ServiceError as error:
        return split_view(split, []) | {"error": error.message}
    return split_view(split, [_line_row(line, amount) for line, amount in zip(lines, amounts, strict=True)])


def _pending_preview(period, request, lines):
    """The read-only preview of a pending request, for everyone who can see the activity."""
    if request is None or request.issued_at is not None or period.state in PENDING_ENDS:
        return None
    try:
        return preview_build(period=period, units=request.units_requested, omge_rate=request.omge_rate, lines=lines)
    except ServiceError as error:
        return {"failed": error.message}


def _recorded_rate(rule_set, rating):
    """A category's rate from its rule set, or a recorded percentage as a fraction (STAN-METH-002 para 55)."""
    from decimal import Decimal, InvalidOperation

    if rating in rule_set.RATING_CATEGORIES:
        return rule_set.buffer_rate(rating)
    try:
        return Decimal(rating) / 100
    except InvalidOperation:
        return None


def executed_split(request):
    """The split the issuing task executed and recorded, with the rule set it applied."""
    if request is None or request.issued_at is None or request.rule_set is None:
        return None
    rule_set, activity = request.rule_set, request.period.activity
    # The rating recorded with the issuance (pacm issue 10); issuances made before it was recorded
    # were computed at the activity's category (policy.md §2, the superseded rule set).
    risk = request.buffer_rating or (activity.risk_rating if activity.methodology_version.methodology.needs_buffer else "")
    return Split(
        gross=request.gross, share_of_proceeds=request.share_of_proceeds, omge=request.omge, buffer=request.buffer,
        net=request.net, rule_set=rule_set.version, sop_rate=rule_set.sop_rate if request.share_of_proceeds else None,
        omge_rate=request.omge_rate, buffer_rate=_recorded_rate(rule_set, risk) if risk else None,
        sop_rounding=rule_set.sop_rounding, omge_rounding=rule_set.omge_rounding,
        buffer_rounding=rule_set.buffer_rounding,
    )


def _executed_view(request, lines):
    """The executed split, with what the ledger forwarded to each account (one row per forwarding)."""
    split = executed_split(request)
    if split is None:
        return None
    forwarded = selectors.issuance_forwarded(request)
    if len(forwarded) == len(lines):
        rows = [_line_row(line, t.quantity) | {"account": t.to_account.number} for line, t in zip(lines, forwarded, strict=True)]
    else:
        rows = [{"account": t.to_account.number, "share": "", "units": t.quantity} for t in forwarded]
    return split_view(split, rows)


def period_page_render(request, period, *, bound=None, preview=None, status=200):
    bound = bound or {}
    offers = period_offers(period=period, user=request.user)
    activity = period.activity

    def form(key, factory):
        return bound.get(key) or factory()

    claims = list(period.claims.all())
    forms = {}
    if offers.upload_kinds:
        forms["upload"] = form("upload", lambda: DocumentUploadForm(kinds=offers.upload_kinds, prefix="upload"))
    if offers.finding_raise:
        forms["finding_raise"] = form("finding_raise", lambda: FindingRaiseForm(prefix="finding"))
    if offers.certify:
        forms["certify"] = form("certify", lambda: certify_form(period=period))
    if offers.issuance:
        if "issue" in bound:
            forms["issue"], forms["lines"] = bound["issue"], bound["lines"]
        else:
            forms["issue"], forms["lines"] = issuance_forms(period=period)

    finding_forms = {"answer": FindingAnswerForm, "close": FindingCloseForm, "reopen": FindingReopenForm}
    findings = []
    for finding in period.findings.all():
        row, actions = {"finding": finding}, offers.finding_actions.get(finding.number, set())
        for action, form_class in finding_forms.items():
            key = f"{action}-{finding.number}"
            row[action] = form(key, lambda: form_class(prefix=key)) if action in actions else None
        findings.append(row)
    fees = []
    for fee in period.fees.all():
        key = f"fee-{fee.pk}"
        fees.append((fee, form(key, lambda: FeePaymentForm(prefix=key)) if fee.pk in offers.payable_fees else None))
    transitions = []
    for spec, blocked in offers.transitions:
        if spec.name not in FORM_TRANSITIONS:
            key = f"t-{spec.name}"
            transitions.append((spec, blocked, bound.get(key) or period_transition_form(period=period, spec=spec)))
    form_blocked = {spec.name: blocked for spec, blocked in offers.transitions if spec.name in FORM_TRANSITIONS}
    for key in ("confirm", "decline"):
        if getattr(offers, key) is not None:
            spec = getattr(offers, key)[0]
            forms[key] = bound.get(f"t-{spec.name}") or period_transition_form(period=period, spec=spec)
    issuance = _request(period)
    lines = selectors.issuance_lines(issuance) if issuance is not None else []
    blocks_page = None
    if issuance is not None and issuance.issued_at is not None:
        blocks_page = page_get(request, selectors.period_blocks(period), param="blocks", per_page=BLOCKS_PER_PAGE)
        for block in blocks_page:
            block.serial = serial_format(block)
    context = {
        "activity": activity,
        "period": period,
        "offers": offers,
        "actors": sorted(offers.roles.values(), key=lambda a: str(a.role)),
        "claims": claims,
        "cp_lines": list(period.cp_claims.all()) if activity.kind == "poa" else [],  # a PoA batch (projects.poa)
        "forms": forms,
        "findings": findings,
        "fees": fees,
        "transitions": transitions,
        "form_blocked": form_blocked,
        "issuance": issuance,
        "lines": lines,
        "pending_preview": _pending_preview(period, issuance, lines),
        "preview": preview,
        "executed": _executed_view(issuance, lines),
        "omge_percent": _percent(issuance.omge_rate) if issuance is not None else None,
        "blocks_page": blocks_page,
        "receiving_accounts": list(selectors.activity_receiving_accounts(activity)) if offers.issuance else [],
        "timeline": keyset_page(request, selectors.period_timeline(period), key="sequence", per_page=TIMELINE_PAGE),
    }
    from ..removals.page import period_removals_context  # A6.4-STAN-METH-002 paras 27, 30

    context["removals"] = period_removals_context(period)
    return render(request, "projects/period_detail.html", context, status=status)


def period_form_submit(request, *, period, key, form, call, success, anchor):
    """`form_run` for a form of the period page: a bad input saves nothing and shows why."""
    return form_run(
        request, form=form, call=call, success=success, done_url=period_url(period, anchor),
        show_again=lambda: period_page_render(request, period, bound={key: form}),
    )

"""The activity page: what it shows, and which forms it offers to whom (deny by default).

Every write view of an activity posts back here: on success it redirects to the page, on bad
input it renders the page again with its own form bound, carrying the error messages.
"""

from dataclasses import dataclass, field

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from pacm.common.errors import Refused, ServiceError
from pacm.common.forms import form_add_service_error
from pacm.common.paging import keyset_page
from pacm.common.submission import submit_once
from pacm.engine.offers import available_actions

from .. import selectors
from ..forms import (
    AuthorizationStatementForm,
    DocumentUploadForm,
    EngageDOEForm,
    FeePaymentForm,
    FindingAnswerForm,
    FindingCloseForm,
    FindingRaiseForm,
    FindingReopenForm,
    HostApprovalForm,
    TransitionForm,
)
from ..models import Activity, Document
from ..services.design import UPLOADERS, engage_stage


def activity_get_or_404(*, user, reference):
    """The activity if this user may see it; a 404 that says nothing about hidden ones otherwise."""
    try:
        return selectors.activity_page_get(user=user, reference=reference)
    except Activity.DoesNotExist:
        raise Http404(_("There is no activity with this reference that you may see.")) from None


@dataclass
class Offers:
    """What this user may do on this activity now, read from `available_actions` (the one
    declaration the services check again when they act); the page's forms follow it."""

    roles: dict
    actions: list = field(default_factory=list)
    edit: bool = False
    engage_stage: str | None = None
    engage_write: str | None = None
    upload_kinds: tuple = ()
    finding_raise: bool = False
    finding_actions: dict = field(default_factory=dict)
    host_approval: bool = False
    authorization: bool = False
    payable_fees: frozenset = frozenset()
    period_submit: bool = False
    mrv_keys: bool = False  # the MRV signing keys page (pacm issue 9: `register_mrv_key`)
    observed_event_notify: bool = False

    def require(self, allowed, what):
        """A form the page does not offer is refused (403) before any input is read."""
        if not allowed:
            params = {"what": what}
            raise Refused(_("You may not %(what)s on this activity now.") % params, code="not_offered", params=params)


# pacm issue 8: the timeline shows its newest events a page at a time (keyset on the sequence).
TIMELINE_PAGE = 50
PERIODS_PAGE = 20
FINDING_WRITES = {"answer_finding": "answer", "close_finding": "close", "reopen_finding": "reopen"}


def upload_kinds_for(roles, kinds=None):
    """Document kinds these roles upload (services.design.UPLOADERS), in the declared order."""
    allowed = set()
    for role in roles:
        allowed |= set(UPLOADERS.get(role, ()))
    return tuple(k for k in (kinds or Document.Kind.values) if k in allowed)


def finding_offers(actions):
    """{finding number: {"answer", "close", "reopen"}} from the offers of the finding actions."""
    result = {}
    for offer in actions:
        if offer.name in FINDING_WRITES and offer.item is not None:
            result.setdefault(offer.item.number, set()).add(FINDING_WRITES[offer.name])
    return result


def activity_offers(*, activity, user):
    actions = available_actions(user, activity)
    offers = Offers(roles=actions.roles, actions=actions)
    offers.edit = actions.has("edit_pdd")
    for name in ("engage_doe", "change_doe"):
        offer = actions.get(name)
        if offer is not None and offer.blocked is None:
            offers.engage_write, offers.engage_stage = name, engage_stage(activity)
            break
    if actions.has("upload_document"):
        offers.upload_kinds = upload_kinds_for(actions.roles)
    offers.finding_raise = actions.has("raise_finding")
    offers.finding_actions = finding_offers(actions)
    offers.host_approval = actions.has("issue_host_approval")
    offers.authorization = actions.has("issue_authorization")
    offers.payable_fees = frozenset(f.pk for f in actions.items("record_fee_payment"))
    offers.period_submit = actions.has("submit_monitoring_report")
    offers.mrv_keys = actions.has("register_mrv_key")
    notify = actions.get("notify_observed_event")
    offers.observed_event_notify = notify is not None and notify.blocked is None
    return offers


def _transitions(activity, offers, bound):
    """(spec, blocked message, form) for each button this user may press now."""
    rows = []
    for offer in offers.actions.transitions():
        spec, blocked = offer.write, offer.blocked
        form = bound.get(f"t-{spec.name}") or TransitionForm(spec=spec, activity=activity, prefix=f"t-{spec.name}")
        rows.append((spec, blocked, form))
    return rows


def activity_page_render(request, activity, *, bound=None, status=200):
    bound = bound or {}
    offers = activity_offers(activity=activity, user=request.user)

    def form(key, factory):
        return bound.get(key) or factory()

    forms = {}
    if offers.engage_stage:
        forms["engage"] = form("engage", lambda: EngageDOEForm(prefix="engage"))
    if offers.upload_kinds:
        forms["upload"] = form("upload", lambda: DocumentUploadForm(kinds=offers.upload_kinds, prefix="upload"))
    if offers.finding_raise:
        forms["finding_raise"] = form("finding_raise", lambda: FindingRaiseForm(prefix="finding"))
    if offers.host_approval:
        forms["host"] = form("host", lambda: HostApprovalForm(activity=activity, prefix="host"))
    if offers.authorization:
        forms["auth"] = form("auth", lambda: AuthorizationStatementForm(prefix="auth"))

    findings = []
    for finding in activity.findings.all():
        actions = offers.finding_actions.get(finding.number, set())
        n = finding.number
        findings.append(
            {
                "finding": finding,
                "answer": form(f"answer-{n}", lambda: FindingAnswerForm(prefix=f"answer-{n}"))
                if "answer" in actions
                else None,
                "close": form(f"close-{n}", lambda: FindingCloseForm(prefix=f"close-{n}"))
                if "close" in actions
                else None,
                "reopen": form(f"reopen-{n}", lambda: FindingReopenForm(prefix=f"reopen-{n}"))
                if "reopen" in actions
                else None,
            }
        )
    fees = [
        (
            fee,
            form(f"fee-{fee.pk}", lambda: FeePaymentForm(prefix=f"fee-{fee.pk}"))
            if fee.pk in offers.payable_fees
            else None,
        )
        for fee in activity.fees.all()
    ]
    # A6.4-STAN-METH-002 v01.0 paras 21-25, 43-58: observed events, suspensions, due dates (projects.reversals).
    from ..reversals.page import reversal_context

    reversal = reversal_context(request, activity, offers, bound)
    context = {
        "activity": activity,
        "offers": offers,
        # pacm issue 8: newest periods first, a page at a time (keyset on the number).
        "periods": keyset_page(request, selectors.activity_periods_queryset(activity), key="number",
                               param="periods_before", per_page=PERIODS_PAGE),
        "reversals": selectors.activity_reversals(activity),
        **reversal,
        "actors": sorted(offers.roles.values(), key=lambda a: str(a.role)),
        "forms": forms,
        "findings": findings,
        "fees": fees,
        "transitions": _transitions(activity, offers, bound),
        "timeline": keyset_page(request, selectors.activity_timeline(activity), key="sequence", per_page=TIMELINE_PAGE),
        "needs_buffer": activity.methodology_version.methodology.needs_buffer,
    }
    # A6.4-STAN-METH-002 v01.0 paras 26-30: deficit, storage losses, post-crediting (projects.removals).
    from ..removals.page import removals_context

    context["removals"] = removals_context(request, activity, offers.actions, bound)
    if context["needs_buffer"]:  # pacm issue 10: the rating, its history, the revision's buttons
        from .risk import risk_context

        context["risk"] = risk_context(activity, request.user)
    return render(request, "projects/activity_detail.html", context, status=status)


def activity_url(activity, anchor=""):
    url = reverse("activity-detail", kwargs={"reference": activity.reference})
    return f"{url}#{anchor}" if anchor else url


def form_run(request, *, form, call, success, done_url, show_again):
    """Run `call(cleaned_data)` if the form is valid, then go to `done_url`. Bad input or a rule
    the service enforces shows the page again (`show_again()`) with the message on the form, and
    nothing is saved; Refused escapes to the middleware's 403 page. The same form sent twice (its
    one-time key) gets the first one's redirect and message, not a second effect (`submit_once`)."""
    if form.is_valid():
        try:
            outcome = submit_once(request, form=form, call=lambda: call(form.cleaned_data),
                                  done=lambda _: (done_url, success))
        except Refused:
            raise
        except ServiceError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, outcome.message)
            return redirect(outcome.url)
    messages.error(request, _("Nothing was saved: see the message on the form below."))
    return show_again()


def form_submit(request, *, activity, key, form, call, success, anchor):
    """`form_run` for a form of the activity page."""
    return form_run(
        request, form=form, call=call, success=success, done_url=activity_url(activity, anchor),
        show_again=lambda: activity_page_render(request, activity, bound={key: form}),
    )

"""The activity page: what it shows, and which forms it offers to whom (deny by default).

Every write view of an activity posts back here: on success it redirects to the page, on bad
input it renders the page again with its own form bound, carrying the error messages.
"""

from dataclasses import dataclass, field

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from pacm.common.errors import Refused, ServiceError
from pacm.common.submission import submit_once
from pacm.parties.roles import Role

from .. import selectors
from ..cycle import ACTIVITY_TERMINAL, ActivityState
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
    ReversalCompensateForm,
    ReversalReportForm,
    TransitionForm,
    form_add_service_error,
)
from ..models import Activity, Document, Fee, Finding, Reversal
from ..services import validation
from ..services.base import available_transitions
from ..services.design import CLOSED_STATES, UPLOADERS


def activity_get_or_404(*, user, reference):
    """The activity if this user may see it; a 404 that says nothing about hidden ones otherwise."""
    try:
        return selectors.activity_page_get(user=user, reference=reference)
    except Activity.DoesNotExist:
        raise Http404("There is no activity with this reference that you may see.") from None


@dataclass
class Offers:
    """What this user may do on this activity now; the services check it again when they act."""

    roles: dict
    edit: bool = False
    engage_stage: str | None = None
    upload_kinds: tuple = ()
    finding_raise: bool = False
    finding_actions: dict = field(default_factory=dict)
    host_approval: bool = False
    authorization: bool = False
    payable_fees: frozenset = frozenset()
    period_submit: bool = False
    reversal_report: bool = False
    reversal_compensate: frozenset = frozenset()
    reversal_buffer: frozenset = frozenset()

    def require(self, allowed, what):
        """A form the page does not offer is refused (403) before any input is read."""
        if not allowed:
            raise Refused(f"You may not {what} on this activity now.")


def activity_offers(*, activity, user):
    """Mirror of the services' own checks, so the page offers only what will be accepted."""
    roles = selectors.activity_roles(user=user, activity=activity)
    offers = Offers(roles=roles)
    state = activity.state
    if Role.PARTICIPANT in roles:
        offers.edit = state == ActivityState.DRAFT
        # rules.md §2.3 S1->S2: the validation DOE is engaged before it accepts; the verification
        # DOE once the activity is registered (services.design.activity_engage_doe).
        if state in (ActivityState.DRAFT, ActivityState.PRIOR_CONSIDERATION):
            offers.engage_stage = "validation"
        elif state == ActivityState.REGISTERED:
            offers.engage_stage = "verification"
    if state not in CLOSED_STATES:
        kinds = set()
        for role in roles:
            kinds |= set(UPLOADERS.get(role, ()))
        offers.upload_kinds = tuple(k for k in Document.Kind.values if k in kinds)
    # policy.md §4: findings live during validation (and verification, for a period's findings).
    offers.finding_raise = Role.DOE in roles and validation.finding_stage_open(activity, None)
    for finding in activity.findings.all():
        if not validation.finding_stage_open(activity, finding.monitoring_period):
            continue
        actions = finding_actions(finding=finding, roles=roles)
        if actions:
            offers.finding_actions[finding.number] = actions
    # RMP 40-42: the host's DNA approves and issues (or revises) the statement while the activity is open.
    if Role.DNA in roles and state not in ACTIVITY_TERMINAL:
        offers.host_approval = offers.authorization = True
    # 7/CMA.4 annex I para 56: the secretariat records the payment of a fee that is due.
    if Role.SECRETARIAT in roles:
        offers.payable_fees = frozenset(f.pk for f in activity.fees.all() if f.status == Fee.Status.DUE)
    _monitoring_offers(offers, activity)
    return offers


def finding_actions(*, finding, roles):
    """What these roles may do on a finding whose stage is open: participants answer, the DOE closes or reopens."""
    actions = set()
    if Role.PARTICIPANT in roles and finding.status == Finding.Status.OPEN:
        actions.add("answer")
    if Role.DOE in roles and finding.status in (Finding.Status.OPEN, Finding.Status.ANSWERED):
        actions.add("close")
    if Role.DOE in roles and finding.status == Finding.Status.ANSWERED:
        actions.add("reopen")
    return actions


def _monitoring_offers(offers, activity):
    """After registration: monitoring reports (RMP 50) and reversals (policy.md §2)."""
    roles, registered = offers.roles, activity.state == ActivityState.REGISTERED
    offers.period_submit = Role.PARTICIPANT in roles and registered
    if not activity.methodology_version.methodology.needs_buffer:
        return
    offers.reversal_report = registered and bool({Role.PARTICIPANT, Role.DOE} & set(roles))
    open_reversals = [r for r in selectors.activity_reversals(activity) if r.status != Reversal.Status.SETTLED]
    if Role.PARTICIPANT in roles:
        # The buffer covers an unavoidable reversal first; the participants make good the rest.
        offers.reversal_compensate = frozenset(
            r.pk for r in open_reversals if r.kind == Reversal.Kind.AVOIDABLE or r.buffer_drawn
        )
    if Role.SECRETARIAT in roles:
        offers.reversal_buffer = frozenset(
            r.pk for r in open_reversals if r.kind == Reversal.Kind.UNAVOIDABLE and not r.buffer_drawn
        )


def _transitions(activity, user, bound):
    """(spec, blocked message, form) for each button this user may press now."""
    rows = []
    for spec, blocked in available_transitions(obj=activity, user=user):
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
    reversals, accounts = [], None
    for reversal in selectors.activity_reversals(activity):
        compensate = None
        if reversal.pk in offers.reversal_compensate:
            if accounts is None:
                accounts = list(selectors.participant_holding_accounts(user=request.user, activity=activity))
            key = f"compensate-{reversal.pk}"
            compensate = form(key, lambda: ReversalCompensateForm(accounts=accounts, prefix=key))
        reversals.append(
            {"reversal": reversal, "compensate": compensate, "buffer": reversal.pk in offers.reversal_buffer}
        )
    if offers.reversal_report:
        forms["reversal"] = form("reversal", lambda: ReversalReportForm(prefix="reversal"))
    context = {
        "activity": activity,
        "offers": offers,
        "periods": selectors.activity_periods(activity),
        "reversals": reversals,
        "actors": sorted(offers.roles.values(), key=lambda a: str(a.role)),
        "forms": forms,
        "findings": findings,
        "fees": fees,
        "transitions": _transitions(activity, request.user, bound),
        "timeline": list(selectors.activity_timeline(activity)),
        "needs_buffer": activity.methodology_version.methodology.needs_buffer,
    }
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
    messages.error(request, "Nothing was saved: see the message on the form below.")
    return show_again()


def form_submit(request, *, activity, key, form, call, success, anchor):
    """`form_run` for a form of the activity page."""
    return form_run(
        request, form=form, call=call, success=success, done_url=activity_url(activity, anchor),
        show_again=lambda: activity_page_render(request, activity, bound={key: form}),
    )

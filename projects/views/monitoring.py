"""Monitoring periods: the participants' report, the period page, its buttons, documents, findings, fee.

Every write calls one function of `projects.services`, which checks actor, state and guards again.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pacm.common.errors import Refused, ServiceError
from pacm.common.forms import form_add_service_error
from pacm.common.submission import submit_once
from pacm.parties.roles import Role

from .. import selectors, services
from ..forms import (
    ClaimFormSet,
    DocumentUploadForm,
    FeePaymentForm,
    FindingRaiseForm,
    PeriodSubmitForm,
)
from ..machines import PERIOD
from ..removals.services import is_removals
from .activity_page import activity_get_or_404, activity_offers
from .findings import ACTIONS as FINDING_ACTIONS
from .period_page import (
    BUTTON_ACTIONS,
    FORM_TRANSITIONS,
    certify_call,
    certify_form,
    period_form_submit,
    period_get_or_404,
    period_offers,
    period_page_render,
    period_transition_form,
    period_url,
)

# The buttons of a period: every declared period transition but the timers' and those with a form,
# and the actions taken with a plain button (the participants' confirmation, pacm issue 9).
PERIOD_PRESSABLE = {
    spec.name: spec for spec in PERIOD.transitions if Role.TIMER not in spec.actors and spec.name not in FORM_TRANSITIONS
} | {name: PERIOD.write(name) for name in BUTTON_ACTIONS}


def period_detail(request, reference, number):
    period = period_get_or_404(user=request.user, reference=reference, number=number)
    return period_page_render(request, period)


@login_required
def period_submit(request, reference):
    """RMP 50: participants submit the monitoring report with their claims per vintage."""
    activity = activity_get_or_404(user=request.user, reference=reference)
    offers = activity_offers(activity=activity, user=request.user)
    offers.require(offers.period_submit, "submit a monitoring report")
    # pacm issue 9 (projects.dmrv): the readings of the period being drafted, and the claims computed from them.
    from ..dmrv.views import readings_context

    dmrv = readings_context(request, activity, start_default=selectors.period_next_start(activity))
    form = PeriodSubmitForm(
        request.POST or None, request.FILES or None,
        initial={"start": selectors.period_next_start(activity), **dmrv["form_initial"]},
    )
    claims = ClaimFormSet(request.POST or None, prefix="claims", initial=dmrv["claim_rows"])
    if request.method == "POST":
        if form.is_valid() and claims.is_valid():
            data = form.cleaned_data
            try:
                outcome = submit_once(
                    request, form=form,
                    call=lambda: services.period_submit(
                        activity=activity, user=request.user, start=data["start"], end=data["end"],
                        claims=claims.claims(), report=data["report"], comment=data["comment"],
                        storage=claims.storage() or None,  # A6.4-STAN-METH-002 para 30 (projects.removals)
                    ),
                    done=lambda period: (
                        period_url(period), f"Monitoring period {period.number} submitted for verification."
                    ),
                )
            except Refused:
                raise
            except ServiceError as error:
                if error.field == "file":
                    error.field = "report"
                form_add_service_error(form, error)
            else:
                messages.success(request, outcome.message)
                return redirect(outcome.url)
        messages.error(request, _("Nothing was saved: see the messages on the form below."))
    context = {
        "activity": activity, "form": form, "claims": claims,
        "periods": selectors.activity_periods(activity),
        "removals": is_removals(activity),  # A6.4-STAN-METH-002 para 30 (projects.removals)
        "dmrv": dmrv,
    }
    return render(request, "projects/period_form.html", context)


@require_POST
@login_required
def period_transition(request, reference, number, name):
    """One view for every plain button: `services.period_<name>` checks actor, state and guards."""
    spec = PERIOD_PRESSABLE.get(name)
    if spec is None:
        raise Http404(_("No such action."))
    period = period_get_or_404(user=request.user, reference=reference, number=number)
    form = period_transition_form(period=period, spec=spec, data=request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, _("%(write)s: %(field)s%(errors)s") % {"write": spec.label, "field": label + ": " if label else "", "errors": " ".join(errors)})
        return redirect(period_url(period, "actions"))
    try:
        period = PERIOD.call(name, period, user=request.user, comment=form.cleaned_data["comment"],
                             expected_state=form.cleaned_data.get("expected_state") or None)
    except Refused:
        raise
    except ServiceError as error:
        messages.error(request, _("%(write)s: %(message)s") % {"write": spec.label, "message": error.message})
        return redirect(period_url(period, "actions"))
    if not spec.is_transition:
        messages.success(request, _("%(write)s: done.") % {"write": spec.label})
        return redirect(period_url(period))
    messages.success(request, _("%(write)s: done. The period is now %(state)s.") % {"write": spec.label, "state": period.get_state_display().lower()})
    return redirect(period_url(period))


@require_POST
@login_required
def period_certify(request, reference, number):
    """RMP 51: the verification DOE certifies a quantity per vintage, at most the claim."""
    period = period_get_or_404(user=request.user, reference=reference, number=number)
    offers = period_offers(period=period, user=request.user)
    offers.require(offers.certify, "certify")
    form = certify_form(period=period, data=request.POST)
    return period_form_submit(
        request, period=period, key="certify", form=form, anchor="claims",
        call=lambda data: certify_call(period=period, form=form, user=request.user),
        success="Verification and certification opinion given.",
    )


@require_POST
@login_required
def period_document_upload(request, reference, number):
    period = period_get_or_404(user=request.user, reference=reference, number=number)
    offers = period_offers(period=period, user=request.user)
    offers.require(offers.upload_kinds, "upload documents")
    form = DocumentUploadForm(request.POST, request.FILES, kinds=offers.upload_kinds, prefix="upload")
    return period_form_submit(
        request, period=period, key="upload", form=form, anchor="documents",
        call=lambda data: services.document_upload(
            activity=period.activity, user=request.user, kind=data["kind"], uploaded=data["file"],
            title=data["title"], period=period,
        ),
        success="Document uploaded; its SHA-256 hash is recorded in the timeline.",
    )


@require_POST
@login_required
def period_finding_raise(request, reference, number):
    period = period_get_or_404(user=request.user, reference=reference, number=number)
    offers = period_offers(period=period, user=request.user)
    offers.require(offers.finding_raise, "raise a finding")
    form = FindingRaiseForm(request.POST, prefix="finding")
    return period_form_submit(
        request, period=period, key="finding_raise", form=form, anchor="findings",
        call=lambda data: services.finding_raise(
            activity=period.activity, user=request.user, kind=data["kind"], text=data["text"], period=period
        ),
        success="Finding raised.",
    )


@require_POST
@login_required
def period_finding_act(request, reference, number, finding_number, action):
    if action not in FINDING_ACTIONS:
        raise Http404(_("No such action."))
    form_class, call, what, success = FINDING_ACTIONS[action]
    period = period_get_or_404(user=request.user, reference=reference, number=number)
    finding = next((f for f in period.findings.all() if f.number == finding_number), None)
    if finding is None:
        raise Http404(_("No such finding."))
    offers = period_offers(period=period, user=request.user)
    offers.require(action in offers.finding_actions.get(finding_number, ()), what)
    key = f"{action}-{finding_number}"
    form = form_class(request.POST, prefix=key)
    return period_form_submit(
        request, period=period, key=key, form=form, anchor=f"finding-{finding_number}",
        call=lambda data: call(finding, request.user, data), success=success,
    )


@require_POST
@login_required
def period_fee_record_payment(request, reference, number, fee_id):
    """7/CMA.4 annex I para 56: the checks start only once the issuance fee is paid."""
    period = period_get_or_404(user=request.user, reference=reference, number=number)
    fee = next((f for f in period.fees.all() if f.pk == fee_id), None)
    if fee is None:
        raise Http404(_("No such fee."))
    offers = period_offers(period=period, user=request.user)
    offers.require(fee.pk in offers.payable_fees, "record this payment")
    key = f"fee-{fee.pk}"
    form = FeePaymentForm(request.POST, prefix=key)
    return period_form_submit(
        request, period=period, key=key, form=form, anchor="fees",
        call=lambda data: services.fee_record_payment(fee=fee, user=request.user, reference=data["reference"]),
        success="Payment recorded.",
    )

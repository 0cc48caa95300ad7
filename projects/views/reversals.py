"""Reversals of removals (policy.md §2): reported on the activity page, settled from the buffer or by
the participants' own units."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pacm.common.errors import Refused, ServiceError

from .. import selectors, services
from ..forms import ReversalCompensateForm, ReversalReportForm
from .activity_page import activity_get_or_404, activity_offers, activity_url, form_submit


@require_POST
@login_required
def reversal_report(request, reference):
    activity = activity_get_or_404(user=request.user, reference=reference)
    offers = activity_offers(activity=activity, user=request.user)
    offers.require(offers.reversal_report, "report a reversal")
    form = ReversalReportForm(request.POST, request.FILES, prefix="reversal")

    def call(data):
        try:
            return services.reversal_report(
                activity=activity, user=request.user, quantity=data["quantity"], kind=data["kind"],
                description=data["description"], evidence=data["evidence"],
            )
        except ServiceError as error:
            if error.field == "file":
                error.field = "evidence"
            raise

    return form_submit(
        request, activity=activity, key="reversal", form=form, anchor="reversals", call=call,
        success="Reversal reported. It blocks further issuance until it is settled.",
    )


def _reversal(activity, reversal_id):
    reversal = next((r for r in selectors.activity_reversals(activity) if r.pk == reversal_id), None)
    if reversal is None:
        raise Http404("No such reversal.")
    return reversal


@require_POST
@login_required
def reversal_compensate(request, reference, reversal_id):
    """Avoidable reversal (or a buffer shortfall): participants cancel units of one of their accounts."""
    activity = activity_get_or_404(user=request.user, reference=reference)
    reversal = _reversal(activity, reversal_id)
    offers = activity_offers(activity=activity, user=request.user)
    offers.require(reversal.pk in offers.reversal_compensate, "compensate this reversal")
    key = f"compensate-{reversal.pk}"
    form = ReversalCompensateForm(
        request.POST, accounts=list(selectors.participant_holding_accounts(user=request.user, activity=activity)),
        prefix=key,
    )
    return form_submit(
        request, activity=activity, key=key, form=form, anchor=f"reversal-{reversal.pk}",
        call=lambda data: services.reversal_compensate(
            reversal=reversal, user=request.user, from_account=data["from_account"], quantity=data["quantity"]
        ),
        success="Units cancelled against the reversal.",
    )


@require_POST
@login_required
def reversal_cancel_from_buffer(request, reference, reversal_id):
    """Unavoidable reversal: the secretariat cancels the units from the buffer pool."""
    activity = activity_get_or_404(user=request.user, reference=reference)
    reversal = _reversal(activity, reversal_id)
    offers = activity_offers(activity=activity, user=request.user)
    offers.require(reversal.pk in offers.reversal_buffer, "draw on the buffer for this reversal")
    try:
        reversal = services.reversal_cancel_from_buffer(reversal=reversal, user=request.user)
    except Refused:
        raise
    except ServiceError as error:
        messages.error(request, _("Draw on the buffer: %(message)s") % {"message": error.message})
        return redirect(activity_url(activity, f"reversal-{reversal.pk}"))
    if reversal.outstanding:
        messages.warning(
            request, _("%(cancelled)s units cancelled from the buffer; %(outstanding)s remain owed by the activity and block its issuance (policy.md §2).") % {"cancelled": f"{reversal.cancelled:,}", "outstanding": f"{reversal.outstanding:,}"}
        )
    else:
        messages.success(request, _("%(cancelled)s units cancelled from the buffer: the reversal is settled.") % {"cancelled": f"{reversal.cancelled:,}"})
    return redirect(activity_url(activity, f"reversal-{reversal.pk}"))

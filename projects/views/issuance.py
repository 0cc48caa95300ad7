"""The DOE's issuance request (RMP 52), with a preview of the split before it is submitted.

"Preview" re-renders the period page with the split `issuance_preview` computes from the rule set
in force (gross, share of proceeds, OMGE, buffer, what each account gets, the rounding); "Submit"
calls `period_request_issuance` (or `period_resubmit_issuance` after "incomplete").
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pacm.common.errors import Refused, ServiceError
from pacm.common.forms import form_add_service_error
from pacm.common.submission import submit_once

from .. import services
from ..services.issuance import issuance_lines_check
from .period_page import issuance_forms, period_get_or_404, period_offers, period_page_render, period_url, preview_build

SERVICES = {
    "request_issuance": services.period_request_issuance,
    "resubmit_issuance": services.period_resubmit_issuance,
}


# The submit's refusals of a receiving account (the preview words the distribution's own errors itself).
ACCOUNT_REFUSALS = {"account_unknown", "account_not_receiving"}


def _account_refusals_raise(*, period, lines):
    try:
        issuance_lines_check(period=period, lines=lines)
    except ServiceError as error:
        if error.code in ACCOUNT_REFUSALS:
            raise


@require_POST
@login_required
def period_request_issuance(request, reference, number):
    period = period_get_or_404(user=request.user, reference=reference, number=number)
    offers = period_offers(period=period, user=request.user)
    offers.require(offers.issuance, "submit the issuance request")
    form, lines = issuance_forms(period=period, data=request.POST)
    bound = {"issue": form, "lines": lines}
    valid = form.is_valid() & lines.is_valid()
    if valid:
        data = form.cleaned_data
        omge_rate = data["omge_rate"]  # None: the rule set's minimum (RMP 59)
        if "preview" in request.POST:
            try:
                # pacm issue 9: an account the submit would refuse is refused here, the same way.
                _account_refusals_raise(period=period, lines=lines.lines())
                preview = preview_build(period=period, units=data["units_requested"], omge_rate=omge_rate,
                                        lines=lines.lines())
            except ServiceError as error:
                form_add_service_error(form, error)
            else:
                if "error" in preview:
                    form_add_service_error(form, ServiceError(preview["error"], field="lines"))
                return period_page_render(request, period, bound=bound, preview=preview)
        else:
            try:
                outcome = submit_once(
                    request, form=form,
                    call=lambda: SERVICES[offers.issuance](
                        period=period, user=request.user, units_requested=data["units_requested"],
                        lines=lines.lines(), omge_rate=omge_rate, comment=data["comment"],
                    ),
                    done=lambda period: (
                        period_url(period, "issuance"),
                        "Issuance request submitted; the issuance fee is assessed on the units requested.",
                    ),
                )
            except Refused:
                raise
            except ServiceError as error:
                form_add_service_error(form, error)
            else:
                messages.success(request, outcome.message)
                return redirect(outcome.url)
    messages.error(request, _("Nothing was saved: see the message on the issuance request form."))
    return period_page_render(request, period, bound=bound)

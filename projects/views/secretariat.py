"""The secretariat records fee payments (7/CMA.4 annex I para 56: processing starts once paid)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import services
from ..forms import FeePaymentForm
from .activity_page import activity_get_or_404, activity_offers, form_submit


@require_POST
@login_required
def fee_record_payment(request, reference, fee_id):
    activity = activity_get_or_404(user=request.user, reference=reference)
    fee = next((f for f in activity.fees.all() if f.pk == fee_id), None)
    if fee is None:
        raise Http404(_("No such fee."))
    offers = activity_offers(activity=activity, user=request.user)
    offers.require(fee.pk in offers.payable_fees, "record this payment")
    key = f"fee-{fee.pk}"
    form = FeePaymentForm(request.POST, prefix=key)
    return form_submit(
        request,
        activity=activity,
        key=key,
        form=form,
        anchor="fees",
        call=lambda data: services.fee_record_payment(fee=fee, user=request.user, reference=data["reference"]),
        success="Payment recorded.",
    )

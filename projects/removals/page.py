"""What the activity page shows of a removals activity (A6.4-STAN-METH-002 v01.0 paras 26-30): the
crediting-deficit ledger, the storage losses handed to the observed-event flow, post-crediting
monitoring and the requests to end it, with the buttons `available_actions` offers."""
from django.urls import reverse

from pacm.common.paging import page_get
from pacm.engine.offers import available_actions

from ..reversals.forms import write_form
from .forms import TerminationRequestForm
from .models import StorageLoss
from .services import deficit_balance, deficit_ledger, is_removals, monitoring_terminated

DEFICIT_PER_PAGE = 20


def removals_context(request, activity, actions, bound):
    """None for an activity that is not of a removals methodology."""
    if not is_removals(activity):
        return None
    request_offer = actions.get("request_monitoring_termination")
    request_form = None
    if request_offer is not None and request_offer.blocked is None:
        request_form = bound.get("termination") or TerminationRequestForm(prefix="termination")
    terminations = []
    for termination in activity.monitoring_terminations.order_by("-number")[:10]:
        termination.activity = activity
        rows = []
        if request.user.is_authenticated:
            for offer in available_actions(request.user, termination):
                key = f"termination-{termination.number}-{offer.name}"
                rows.append({"offer": offer, "form": bound.get(key) or write_form(offer.write, termination),
                             "url": reverse("termination-write", kwargs={
                                 "reference": activity.reference, "number": termination.number, "name": offer.name})})
        terminations.append({"termination": termination, "offers": rows})
    return {
        "balance": deficit_balance(activity),
        "page": page_get(request, deficit_ledger(activity), param="deficit", per_page=DEFICIT_PER_PAGE),
        "losses": StorageLoss.objects.filter(period__activity=activity).select_related("period", "event")
        .order_by("-period__number")[:20],
        "post_crediting": activity.crediting_end,
        "terminated": monitoring_terminated(activity),
        "terminations": terminations,
        "request_form": request_form,
    }


def period_removals_context(period):
    """A removals report's statement per vintage, whether it is post-crediting, its deficit line and
    storage loss (paras 27, 30); None for a period with no removals statement."""
    rows = list(period.removals.all())
    if not rows:
        return None
    from .services import period_is_post_crediting

    return {"rows": rows, "post_crediting": period_is_post_crediting(period),
            "deficit": period.deficit_entries.filter(kind="incurred").first(),
            "loss": StorageLoss.objects.select_related("event").filter(period=period).first(),
            "balance": deficit_balance(period.activity)}

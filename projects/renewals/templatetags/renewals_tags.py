"""`{% renewals_panel subject %}`: an activity's, PoA's or CP's crediting periods, its renewals and
the form to open one when `available_actions` offers it (blocked: why not)."""
from django import template
from django.urls import reverse

from pacm.common.paging import keyset_page
from pacm.engine.offers import available_actions

from .. import periods, selectors

register = template.Library()


@register.inclusion_tag("renewals/_panel.html", takes_context=True)
def renewals_panel(context, subject):
    request = context["request"]
    kind = periods.kind_of(subject)
    rule_set = periods.rules()
    offer, form = None, None
    if request.user.is_authenticated:
        offer = available_actions(request.user, subject).get("notify_renewal" if kind == "cp" else "request_renewal")
        if offer is not None and offer.blocked is None:
            from ..views import open_form

            form = open_form(subject)
    opens, closes, transitioned = periods.window(subject, rule_set)
    allowed = periods.renewals_allowed(subject, rule_set)
    return {
        "subject": subject, "kind": kind, "periods": periods.crediting_periods(subject),
        "renewals": selectors.subject_renewals(subject), "offer": offer, "form": form,
        "url": reverse("renewal-open", kwargs={"kind": kind, "reference": subject.reference}),
        "window": (opens, closes), "transitioned": transitioned, "allowed": allowed,
        "left": periods.renewals_left(subject, rule_set), "renewable": allowed is not None,
    }


@register.inclusion_tag("renewals/_queue.html", takes_context=True)
def renewals_queue(context):
    """The dashboard's renewals waiting for this person (selectors.renewals_waiting), newest first, a
    keyset page at a time: one query, no count."""
    request = context["request"]
    waiting = selectors.renewals_waiting(request.user, kinds=context.get("user_kinds"))
    return {"renewals": keyset_page(request, waiting, param="renewals_before",
                                    per_page=20)}

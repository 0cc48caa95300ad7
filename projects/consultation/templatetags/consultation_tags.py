"""`{% consultation_panel activity %}`: the global stakeholder consultation of a subject's page."""
from django import template

from pacm.engine.offers import Offers

from ..panel import panel_build

register = template.Library()


@register.inclusion_tag("consultation/panel.html", takes_context=True)
def consultation_panel(context, subject):
    request = context.get("request")
    if request is None:
        return {"panel": None}
    page_offers = context.get("offers")
    offers = getattr(page_offers, "actions", None)
    if offers is None and isinstance(page_offers, Offers) and context.get("poa") is subject:
        offers = page_offers  # the PoA page's own offers: not read twice
    bound = getattr(request, "consultation_bound", None)
    return {"panel": panel_build(request=request, subject=subject, offers=offers, bound=bound),
            "csrf_token": context.get("csrf_token")}

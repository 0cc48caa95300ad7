"""The dashboard's "waiting for you" list of PoAs and component projects (projects.poa.selectors)."""
from django import template

from pacm.common.paging import uncounted_page

from .. import selectors

register = template.Library()
PAGE = 25


@register.inclusion_tag("poa/_queue.html", takes_context=True)
def poa_queue(context):
    request = context["request"]
    poas, cps = selectors.dashboard_queue(request.user)
    return {"poas": uncounted_page(request, poas, param="poas", per_page=PAGE),
            "cps": uncounted_page(request, cps, param="cps", per_page=PAGE)}

"""The export links a page shows: the AEF only to those who may report for a Party."""
from django import template

from ..access import parties_reportable_by

register = template.Library()


@register.simple_tag(takes_context=True)
def aef_reportable(context):
    """Whether the viewer may open the AEF page (the DNA of a Party, the secretariat): one query."""
    request = context.get("request")
    return request is not None and parties_reportable_by(request.user).exists()

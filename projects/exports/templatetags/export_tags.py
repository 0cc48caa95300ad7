"""The export links a page shows: the AEF only to those who may report for a Party; a filtered list's
download with the list's current filters (export_query)."""
from django import template

from ..access import parties_reportable_by

register = template.Library()


@register.simple_tag(takes_context=True)
def aef_reportable(context):
    """Whether the viewer may open the AEF page (the DNA of a Party, the secretariat): one query."""
    request = context.get("request")
    return request is not None and parties_reportable_by(request.user).exists()


# The pagers' own parameters (paging.keyset_page / keyset_union_page / page_get): not filters.
PAGING_PARAMS = ("after", "before", "page")


@register.simple_tag(takes_context=True)
def export_query(context):
    """The list page's query string without its paging: the export then holds the filtered list's
    rows, every page of them (pacm issue 9)."""
    request = context.get("request")
    if request is None:
        return ""
    query = request.GET.copy()
    for name in PAGING_PARAMS:
        query.pop(name, None)
    return query.urlencode()

"""Pages of long lists: a Paginator page plus links that keep the other query parameters."""

from django.core.paginator import Paginator


def page_get(request, items, *, param="page", per_page=25):
    """The requested page of `items` (any bad page number shows the nearest page), with its links."""
    page = Paginator(items, per_page).get_page(request.GET.get(param))

    def link(number):
        query = request.GET.copy()
        query[param] = number
        return f"?{query.urlencode()}"

    page.previous_link = link(page.previous_page_number()) if page.has_previous() else None
    page.next_link = link(page.next_page_number()) if page.has_next() else None
    return page

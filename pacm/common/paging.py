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


class KeysetPage(list):
    """One page of a keyset-paginated list (pacm issue 8): the rows, and a link to the next rows.

    Unlike a Paginator page it counts nothing and never offsets: the next page starts after the last
    row's key, so every page reads only its own rows through an index, however long the list.
    """

    has_previous = False
    previous_link = None
    next_link = None
    first_link = None

    @property
    def has_next(self):
        return self.next_link is not None

    @property
    def has_other_pages(self):
        return self.next_link is not None or self.first_link is not None


def _int_param(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def keyset_page(request, queryset, *, key="pk", param="before", per_page=50, descending=True, transform=None):
    """The rows of `queryset` ordered by the integer column `key` (newest first when `descending`),
    starting after the key given in ?<param>=, `per_page` of them, in one query.

    A bad or missing key shows the first page. `transform(row)` may decorate each row.
    """
    after = _int_param(request.GET.get(param))
    rows = queryset
    if after is not None:
        rows = rows.filter(**{f"{key}__lt" if descending else f"{key}__gt": after})
    rows = list(rows.order_by(f"-{key}" if descending else key)[: per_page + 1])
    more = len(rows) > per_page
    rows = rows[:per_page]
    page = KeysetPage(transform(row) for row in rows) if transform else KeysetPage(rows)

    def link(value):
        query = request.GET.copy()
        if value is None:
            query.pop(param, None)
        else:
            query[param] = value
        encoded = query.urlencode()
        return f"?{encoded}" if encoded else "?"

    if more:
        last = rows[-1]
        page.next_link = link(last[key] if isinstance(last, dict) else getattr(last, key))
    if after is not None:
        page.first_link = link(None)
    return page

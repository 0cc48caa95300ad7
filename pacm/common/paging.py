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


def uncounted_page(request, items, *, param="page", per_page=25):
    """A page of a short, ordered list without counting it (pacm issue 8): one query of per_page + 1
    rows says whether a next page exists. For lists whose order has no unique key to page by (the
    dashboard's queues, by due date that may be empty); shown with includes/keyset_pager.html."""
    number = _int_param(request.GET.get(param)) or 1
    start = (number - 1) * per_page
    rows = list(items[start:start + per_page + 1])
    page = KeysetPage(rows[:per_page])
    page.more = len(rows) > per_page
    return _keyset_links(request, page, param=param, after=None if number == 1 else number,
                         last_key=number + 1 if page.more else None)


def _int_param(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def _keyset_links(request, page, *, param, after, last_key):
    def link(value):
        query = request.GET.copy()
        if value is None:
            query.pop(param, None)
        else:
            query[param] = value
        encoded = query.urlencode()
        return f"?{encoded}" if encoded else "?"

    if last_key is not None:
        page.next_link = link(last_key)
    if after is not None:
        page.first_link = link(None)
    return page


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
    last = rows[-1] if more else None
    last_key = None if last is None else (last[key] if isinstance(last, dict) else getattr(last, key))
    return _keyset_links(request, page, param=param, after=after, last_key=last_key)


def keyset_union_page(request, queryset, parts, *, param="before", per_page=50, transform=None):
    """keyset_page, newest first by primary key, for a list that is the union of `parts` (filters
    on `queryset`, each served by an index of its own, e.g. the transactions from an account and
    those to it): each part gives its next `per_page + 1` keys through its own index, the page
    takes the newest of them, then reads those rows. An OR of the parts would read and sort every
    matching row before the first page (pacm issue 8); this reads at most a page per part.
    """
    after = _int_param(request.GET.get(param))
    keys = set()
    for part in parts:
        rows = queryset.filter(part)
        if after is not None:
            rows = rows.filter(pk__lt=after)
        keys.update(rows.order_by("-pk").values_list("pk", flat=True)[: per_page + 1])
    keys = sorted(keys, reverse=True)
    more = len(keys) > per_page
    keys = keys[:per_page]
    rows = list(queryset.filter(pk__in=keys).order_by("-pk")) if keys else []
    page = KeysetPage(transform(row) for row in rows) if transform else KeysetPage(rows)
    return _keyset_links(request, page, param=param, after=after, last_key=keys[-1] if more else None)


def after_q(fields, values):
    """Rows strictly after `values` in the ascending order of `fields` (the last field unique)."""
    from django.db.models import Q

    condition = Q()
    for i, field in enumerate(fields):
        step = Q(**{f"{field}__gt": values[field]})
        for earlier in fields[:i]:
            step &= Q(**{earlier: values[earlier]})
        condition |= step
    return condition


def keyset_fields_page(request, queryset, *, fields, param="after", per_page=50, transform=None):
    """keyset_page for a list ordered by several ascending columns (`fields`, the last one the primary
    key): ?<param>= carries the last row's key; the next page reads that row's columns (one query on
    the primary key) and then the rows after them through the index of `fields` (pacm issue 8).
    A bad or unknown key shows the first page."""
    after = _int_param(request.GET.get(param))
    rows = queryset
    if after is not None:
        last = queryset.filter(pk=after).values(*fields).first()
        if last is None:
            after = None
        else:
            rows = rows.filter(after_q(fields, last))
    rows = list(rows.order_by(*fields)[: per_page + 1])
    more = len(rows) > per_page
    rows = rows[:per_page]
    page = KeysetPage(transform(row) for row in rows) if transform else KeysetPage(rows)
    last = rows[-1] if more else None
    key = fields[-1]
    last_key = None if last is None else (last[key] if isinstance(last, dict) else getattr(last, key))
    return _keyset_links(request, page, param=param, after=after, last_key=last_key)

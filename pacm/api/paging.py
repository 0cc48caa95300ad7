"""Cursor (keyset) pages for the API: the web's keyset pager (pacm.common.paging, issue 8) behind an
opaque cursor. No count, no offset: the cursor is the last row's key, so each page reads only its
own rows through an index, whatever the length of the list.
"""
import base64
from urllib.parse import parse_qs, urlsplit

from django.http import QueryDict
from django.utils.translation import gettext as _

from pacm.common.paging import keyset_page, keyset_union_page

from .problems import ApiProblem

LIMIT_DEFAULT = 50
LIMIT_MAX = 200
PARAM = "after"


class _Query:
    """What the web pager reads of a request: its query string."""

    def __init__(self, after):
        self.GET = QueryDict(mutable=True)
        if after is not None:
            self.GET[PARAM] = str(after)


def cursor_encode(key):
    return base64.urlsafe_b64encode(f"k{key}".encode()).decode().rstrip("=")


def cursor_decode(cursor):
    if not cursor:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        key = int(text[1:]) if text[:1] == "k" and text[1:].isdigit() else None
    except (ValueError, UnicodeDecodeError):
        key = None
    if key is None or not 0 < key < 2**63:
        raise ApiProblem(400, "cursor_invalid", _("This cursor is not one the API gave."), field="cursor")
    return key


def _out(page, row):
    nxt = None
    if page.next_link:
        nxt = cursor_encode(parse_qs(urlsplit(page.next_link).query)[PARAM][0])
    return {"items": [row(r) for r in page] if row else list(page), "next": nxt}


def cursor_page(queryset, *, cursor, limit, key="pk", descending=True, row=None):
    """{"items": [...], "next": cursor or None}: `limit` rows ordered by the integer `key`, after `cursor`."""
    page = keyset_page(_Query(cursor_decode(cursor)), queryset, key=key, param=PARAM, per_page=limit,
                       descending=descending)
    return _out(page, row)


def cursor_union_page(queryset, parts, *, cursor, limit, row=None):
    """cursor_page, newest first by pk, over the union of `parts` (each served by its own index)."""
    page = keyset_union_page(_Query(cursor_decode(cursor)), queryset, parts, param=PARAM, per_page=limit)
    return _out(page, row)

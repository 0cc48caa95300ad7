"""Reading the one-time submission keys a page renders (pacm.common.submission), as a browser would."""
import re

_FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S)
_ACTION = re.compile(r'<form\b[^>]*action="([^"]+)"')
_KEY = re.compile(r'<input type="hidden" name="((?:[\w-]+-)?submission_key)" value="([^"]+)"')


def page_keys(html):
    """{field name: key} of every submission key on the page."""
    return dict(_KEY.findall(html))


def form_keys(html):
    """[(form action, {field name: key})] for every form on the page."""
    rows = []
    for form in _FORM.findall(html):
        action = _ACTION.search(form)
        rows.append((action.group(1) if action else "", dict(_KEY.findall(form))))
    return rows


def outcome(response):
    """(status, redirect url, messages shown) of a POST sent with follow=True.

    The page it lands on reads the messages, so each outcome shows only its own post's.
    """
    if response.redirect_chain:
        url, status = response.redirect_chain[0]
    else:
        url, status = None, response.status_code
    return status, url, [str(m) for m in response.context["messages"]] if response.context else []

"""Plurals right (pacm issue 9: "1 unit", never "1 units").

A number placed before "unit" or "units" must come through a plural construct ({% blocktranslate count %}
... {% plural %} in a template, ngettext in Python), so that each language says it right for 1 and for
more. The scan fails on a bare placeholder directly followed by " unit" / " units" anywhere else: in a
template's text and its plain {% blocktranslate %} spans, and in the gettext strings of the Python
sources (tests/i18n/pyscan.SOURCES).
"""
import ast
import re
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.base import Lexer, TokenType
from django.template.loader import render_to_string
from django.test import RequestFactory

from . import pyscan, scan

# A bare number placeholder and the word after it: %(x)s, %(x)d, %s, %d, {x} / {x:,} / {} and, in a
# template's flattened text, the HOLE a {{ variable }} leaves.
PY_BARE = re.compile(r"(?:%\(\w+\)[sd]|%[sd]|\{[\w.]*(?::[^{}]*)?\})\s+units?\b")
TEMPLATE_BARE = re.compile(scan.HOLE + r"\s*units?\b")
GETTEXT = frozenset({"_", "gettext", "gettext_lazy", "gettext_noop", "pgettext", "pgettext_lazy"})


def python_bare(source, filename="<string>"):
    """[(line, msgid)] of the gettext messages (not ngettext) that place a number before "unit(s)"."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        if name not in GETTEXT or not node.args:
            continue
        position = 1 if name.startswith("pgettext") else 0
        message = node.args[position] if len(node.args) > position else None
        if isinstance(message, ast.Constant) and isinstance(message.value, str) and PY_BARE.search(message.value):
            found.append((node.lineno, message.value))
    return found


def template_bare(source):
    """The snippets of one template that place a {{ number }} before "unit(s)" outside
    {% blocktranslate count %}...{% plural %}...{% endblocktranslate %}."""
    out, plural = [], None
    for token in Lexer(source).tokenize():
        words = token.contents.split() if token.token_type == TokenType.BLOCK else []
        if words[:1] in (["blocktranslate"], ["blocktrans"]):
            plural = "count" in words or "counter" in words
            if not plural:
                out.append(scan.HOLE)  # a plain span: its text is read like the template's own
            continue
        if words[:1] in (["endblocktranslate"], ["endblocktrans"]):
            plural = None
            continue
        if plural:
            continue  # the singular and the plural of a counted span: right by construction
        if token.token_type == TokenType.TEXT:
            out.append(token.contents)
        elif token.token_type == TokenType.VAR:
            out.append(scan.HOLE)
        elif words[:1] in (["translate"], ["trans"]) and len(words) > 1 and words[1][:1] in "\"'":
            out.append(token.contents.split(None, 1)[1].split(words[1][0])[1])  # {% translate "units" %}
        else:
            out.append(" ")
    text = "".join(out)
    return [text[max(0, m.start() - 30):m.end()].replace(scan.HOLE, "{{ }}") for m in TEMPLATE_BARE.finditer(text)]


def test_no_template_places_a_bare_number_before_units():
    found = {str(p.relative_to(scan.TEMPLATES_DIR)): bare for p in scan.templates()
             if (bare := template_bare(p.read_text()))}
    assert not found, "Write {% blocktranslate count counter=... %}...{% plural %}...: " + "; ".join(
        f"{k}: {v}" for k, v in found.items())


def test_no_python_message_places_a_bare_number_before_units():
    found = [f"{path.relative_to(pyscan.BASE_DIR)}:{line} {msgid!r}" for path in pyscan.modules()
             for line, msgid in python_bare(path.read_text(), str(path))]
    assert not found, "Write ngettext(singular, plural, n) % params:\n" + "\n".join(found)


def test_the_template_scan_finds_bare_units_and_passes_counted_ones():
    source = ('{% load i18n %}<p>{{ n }} units</p>'
              '{% blocktranslate with u=n %}up to {{ u }} units{% endblocktranslate %}'
              '{% blocktranslate count counter=n %}{{ counter }} unit{% plural %}{{ counter }} units{% endblocktranslate %}'
              '<p>{{ n }} {% translate "unit" %}</p><p>{{ n }} unit types</p><p>{{ n }} united</p>')
    found = template_bare(source)
    assert [s.rsplit("{{ }}", 1)[1].strip() for s in found] == ["units", "units", "unit", "unit"]


def test_the_python_scan_finds_bare_units_and_passes_ngettext():
    source = '''
_("The tranches add up to %(issued)s units; the gross is %(gross)s.")
gettext_lazy("At most %d unit")
gettext_noop("up to {limit:,} units")
pgettext("ctx", "%s units")
ngettext("%(n)s unit", "%(n)s units", n)
_("Units: %(n)s")
_("%(n)s unit types")
'''
    assert [line for line, _ in python_bare(source)] == [2, 3, 4, 5, 8]


@pytest.mark.parametrize(("units", "shown"), [(1, "1 unit"), (2, "2 units"), (12500, "12,500 units")])
def test_a_distribution_line_counts_its_units(units, shown):
    """pacm issue 9: "1 unit", "2 units" (the number formatted with intcomma as before)."""
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    line = SimpleNamespace(percent=None, units=units, account=SimpleNamespace(number="A6.4-X", name="Holder"))
    html = render_to_string("projects/includes/distribution_line.html", {"line": line}, request=request)
    text = re.sub(r"<[^>]+>", "", html)
    assert text.rstrip().endswith(f": {shown}"), text
    if units == 1:
        assert "1 units" not in text

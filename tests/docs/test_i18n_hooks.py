"""Every message a person reads goes through gettext (issue 6 §3): no translations yet, the hooks
everywhere. Templates: every visible text node and translatable attribute (placeholder, aria-label,
title, alt) is inside {% translate %} or {% blocktranslate %}. Forms, models and the cycle's
declarations: every label, help text, verbose name, choice label and refusal is a gettext call."""
import ast
from pathlib import Path

import pytest
from django.template import engines

from .template_text import scan, visible

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))
# Names and symbols that are the same in every language.
ALLOWED = {"pacm", "PACM", "A6.4ER", "A6.4ERs", "CO2e", "t CO2e", "6.4", "SBM", "DOE", "DNA"}
GETTEXT = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy"}
KEYWORDS = {"label", "help_text", "verbose_name", "verbose_name_plural", "empty_label", "refusal"}
DECLARED = [ROOT / p for p in (
    "projects/forms.py", "projects/board/forms.py", "pacm/registry/forms.py", "pacm/common/forms.py",
    "projects/cycle.py", "projects/requests/pipeline.py", "methodologies/models.py", "projects/board/models.py",
)] + sorted((ROOT / "projects/models").glob("*.py")) + sorted((ROOT / "pacm").glob("*/models.py"))


def _ids(path):
    return str(path.relative_to(ROOT))


def untranslated(source):
    found = []
    for item in scan(source):
        if item[0] in ("run", "attr"):
            text = visible(item[1])
            if text and text.strip(" ·-–—:;,.()[]/|") not in ALLOWED:
                found.append(text)
    return found


def test_the_template_scan_finds_what_it_looks_for():
    source = (
        '{% load i18n %}<h1 title="Hello">Welcome {{ name }}</h1><p>{% translate "Done" %}</p>'
        "{% blocktranslate %}Fine {{ x }}{% endblocktranslate %}<script>var a = 'not text';</script>"
        '<span class="{% if a %}b{% endif %}">{{ value }} · pacm</span>{# a comment #}'
    )
    assert untranslated(source) == ["Hello", "Welcome"]


@pytest.mark.parametrize("path", TEMPLATES, ids=_ids)
def test_every_visible_template_text_is_translated(path):
    assert untranslated(path.read_text()) == [], _ids(path)


@pytest.mark.parametrize("path", TEMPLATES, ids=_ids)
def test_every_template_still_compiles(path):
    engines["django"].from_string(path.read_text())


def _is_gettext(node):
    return isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in GETTEXT


def _text(node):
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.strip()


def _bare_strings(tree):
    """String constants a person reads that are not handed to gettext."""
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg in KEYWORDS and (_text(node.value) or isinstance(node.value, ast.JoinedStr)):
            yield node.value.lineno, node.arg
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("T", "Act"):
            index = 4 if node.func.id == "T" else 3
            if len(node.args) > index and (_text(node.args[index]) or isinstance(node.args[index], ast.JoinedStr)):
                yield node.lineno, "declared label"
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "ValidationError":
            if node.args and (_text(node.args[0]) or isinstance(node.args[0], ast.JoinedStr)):
                yield node.lineno, "ValidationError"
        elif isinstance(node, ast.ClassDef) and {getattr(b, "attr", getattr(b, "id", "")) for b in node.bases} & {
            "TextChoices", "IntegerChoices"
        }:
            for statement in node.body:
                if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Tuple) and len(statement.value.elts) > 1:
                    if _text(statement.value.elts[-1]):
                        yield statement.lineno, "choice label"
        elif isinstance(node, ast.ClassDef) and node.name == "Meta":
            for statement in node.body:
                if isinstance(statement, ast.Assign) and _text(statement.value) and getattr(
                    statement.targets[0], "id", ""
                ) in ("verbose_name", "verbose_name_plural"):
                    yield statement.lineno, "Meta verbose name"


def test_the_source_scan_finds_what_it_looks_for():
    tree = ast.parse(
        "f = Field(label='A')\ng = Field(label=_('B'), help_text=f'{x}')\nT('n', s, t, a, 'Label')\n"
        "class K(models.TextChoices):\n    A = 'a', 'Aa'\n    B = 'b', _('Bb')\n"
    )
    assert sorted(line for line, _ in _bare_strings(tree)) == [1, 2, 3, 5]


@pytest.mark.parametrize("path", DECLARED, ids=_ids)
def test_every_label_help_text_and_choice_goes_through_gettext(path):
    problems = list(_bare_strings(ast.parse(path.read_text(), filename=str(path))))
    assert not problems, f"{_ids(path)}: {problems}"

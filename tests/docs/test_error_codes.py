"""Every ServiceError/Refused raised in the code carries a stable snake_case code (issue 6 §3),
and no f-string or .format() call is handed to gettext (named %(name)s placeholders only)."""
import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted(
    p for package in ("pacm", "projects", "methodologies") for p in (ROOT / package).rglob("*.py")
    if "migrations" not in p.parts
)
SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy"}


def _error_raises(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            func = node.exc.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name in ("ServiceError", "Refused"):
                yield node.exc


def _code_problems(tree):
    for call in _error_raises(tree):
        code = next((k.value for k in call.keywords if k.arg == "code"), None)
        if code is None:
            yield call.lineno, "no code="
        elif isinstance(code, ast.Constant) and not (isinstance(code.value, str) and SNAKE.match(code.value)):
            yield call.lineno, f"code {code.value!r} is not snake_case"


def _gettext_problems(tree):
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name not in GETTEXT:
            continue
        for arg in node.args:
            if isinstance(arg, ast.JoinedStr):
                yield node.lineno, "f-string passed to gettext"
            elif isinstance(arg, ast.Call) and getattr(arg.func, "attr", "") == "format":
                yield node.lineno, ".format() passed to gettext"


def _ids(path):
    return str(path.relative_to(ROOT))


def test_the_scans_find_what_they_look_for():
    tree = ast.parse(
        "raise ServiceError('x')\nraise Refused('y', code='BadCode')\nraise ServiceError('z', code='ok_code')\n"
        "_(f'{a}')\ngettext('{}'.format(a))\n_('%(a)s') % {'a': a}\n"
    )
    assert list(_code_problems(tree)) == [(1, "no code="), (2, "code 'BadCode' is not snake_case")]
    assert [line for line, _ in _gettext_problems(tree)] == [4, 5]


@pytest.mark.parametrize("path", SOURCES, ids=_ids)
def test_every_service_error_has_a_stable_code(path):
    problems = list(_code_problems(ast.parse(path.read_text(), filename=str(path))))
    assert not problems, f"{_ids(path)}: {problems}"


@pytest.mark.parametrize("path", SOURCES, ids=_ids)
def test_gettext_gets_no_fstring_or_format(path):
    problems = list(_gettext_problems(ast.parse(path.read_text(), filename=str(path))))
    assert not problems, f"{_ids(path)}: {problems}"

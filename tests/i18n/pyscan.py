"""The Python scanner of tests/i18n (pacm issue 9): messages people read that no gettext carries.

Read with `ast`: the first argument of a service error (ServiceError, Refused), a form's or a view's
ValidationError, Http404 and PermissionDenied (the error pages show it), and the text of
messages.success/info/warning/error, must not be a bare string or f-string: _("...") % params.
"""
import ast
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
SOURCES = ("pacm", "projects", "methodologies")
ERRORS = frozenset({"ServiceError", "Refused", "ValidationError", "Http404", "PermissionDenied"})
MESSAGES = frozenset({"success", "info", "warning", "error", "debug"})


def _bare(node):
    """A literal with letters (a str, an f-string, "..." % x or "..." + x) not passed through a call."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return any(c.isalpha() for c in node.value)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _bare(node.left)
    return False


def unmarked(source, filename="<string>"):
    """[(line, what)] of one module's bare messages."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        if name in ERRORS and _bare(node.args[0]):
            found.append((node.lineno, name))
        elif (name in MESSAGES and isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
              and func.value.id == "messages" and len(node.args) >= 2 and _bare(node.args[1])):
            found.append((node.lineno, f"messages.{name}"))
    return found


def modules():
    for top in SOURCES:
        for path in sorted((BASE_DIR / top).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path

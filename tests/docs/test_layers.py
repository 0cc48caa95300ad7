"""`pacm/` is the lower layer (issue 6 §2): nothing under it imports `projects`, at module level
or inside a function, so the engine, registry and parties stand without the activity app."""
import ast
from pathlib import Path

import pytest

import pacm

PACM = Path(pacm.__file__).parent


def _imports_of_projects(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""] if node.level == 0 else []
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
            "import_module", "__import__",
        ):
            names = [a.value for a in node.args[:1] if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        else:
            continue
        for name in names:
            if name == "projects" or name.startswith("projects."):
                yield node.lineno, name


def _pacm_files():
    return sorted(PACM.rglob("*.py"))


def test_the_scan_sees_every_kind_of_import():
    source = (
        "import projects\nfrom projects.cycle import X\n"
        "def f():\n    from projects import services\n    import_module('projects.forms')\n"
        "from . import projects_like\nimport projectsx\n"
    )
    assert [line for line, _ in _imports_of_projects(ast.parse(source))] == [1, 2, 4, 5]


@pytest.mark.parametrize("path", _pacm_files(), ids=lambda p: str(p.relative_to(PACM)))
def test_pacm_never_imports_projects(path):
    found = list(_imports_of_projects(ast.parse(path.read_text(), filename=str(path))))
    assert not found, f"{path.relative_to(PACM.parent)} imports {found}: pacm/ is the lower layer"

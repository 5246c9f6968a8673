"""The layout holds: layers import downwards only, and no module uses another's private names.

The layer contract itself is import-linter's (``[tool.importlinter]`` in pyproject.toml, run by
.ci/run as ``lint-imports``); this test runs it too where import-linter is installed, so the
README's test command catches an upward import before CI does.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "sfupgrade"


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_uses(source: str) -> list[str]:
    """``from sfupgrade.x import _y`` and ``module._y`` where ``module`` is an sfupgrade import."""
    tree = ast.parse(source)
    modules: set[str] = set()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sfupgrade"):
            for alias in node.names:
                if _private(alias.name):
                    found.append(f"line {node.lineno}: imports {alias.name}")
                modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            modules.update(
                (a.asname or a.name).split(".")[0]
                for a in node.names
                if a.name.startswith("sfupgrade")
            )
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and _private(node.attr)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
        ):
            found.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
    return found


def test_the_check_sees_a_private_name_used_across_modules() -> None:
    source = "from sfupgrade.org import connect\nfrom sfupgrade.x import _y\nconnect._sleep(1)\n"
    assert private_uses(source) == ["line 2: imports _y", "line 3: connect._sleep"]
    assert private_uses("import os\nos._exit\nfrom sfupgrade.x import y\ny.__doc__\n") == []


def test_no_module_uses_another_modules_private_names() -> None:
    found = {
        str(path.relative_to(REPO)): uses
        for path in sorted(PACKAGE.rglob("*.py"))
        if (uses := private_uses(path.read_text("utf-8")))
    }
    assert found == {}


def test_no_module_sits_at_the_package_root_but_the_entry_points() -> None:
    # Every other module belongs to a layer's package (see sfupgrade/__init__.py).
    root = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert root == ["__init__.py", "__main__.py", "cumulusci.py"]


def test_the_layer_contract_holds() -> None:
    lint_imports = shutil.which("lint-imports")
    if lint_imports is None:
        pytest.skip("import-linter is not installed (pip install '.[test]')")
    done = subprocess.run(
        [lint_imports], cwd=REPO, capture_output=True, text=True, check=False, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 kept, 0 broken" in done.stdout

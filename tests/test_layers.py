"""Layer boundaries are checked, not hoped for (DESIGN.md, Layers; STYLE.md, habit 2).

- ``domain``, ``repository`` and ``services`` never import Qt: the CLI and the tests run
  them without a display, and a rule enforced only in a widget is not enforced.
- Only ``domain`` (the ORM models), ``repository`` and the migrations import SQLAlchemy:
  services, the UI and the CLI work with plain results and never hold a live ORM session.

Imports are read from the source with ``ast`` (every import statement, including ones
inside functions), so nothing is imported to check it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "surgdesk"
NO_QT = ("domain", "repository", "services")
MAY_USE_SQLALCHEMY = ("domain", "repository")


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _top_package(path: Path) -> str:
    relative = path.relative_to(SRC)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def _offenders(packages: tuple[str, ...], roots: tuple[str, ...], *, inside: bool) -> list[str]:
    """``module: import`` for each file (inside or outside ``packages``) importing ``roots``."""
    bad = []
    for path in sorted(SRC.rglob("*.py")):
        if (_top_package(path) in packages) != inside:
            continue
        for module in sorted(_imported_modules(path)):
            if module.split(".")[0] in roots:
                bad.append(f"{path.relative_to(SRC.parent)}: imports {module}")
    return bad


def test_the_source_tree_is_where_the_check_looks():
    assert (SRC / "domain" / "models.py").is_file()
    assert (SRC / "services").is_dir()


def test_core_layers_do_not_import_qt():
    offenders = _offenders(NO_QT, ("PySide6", "shiboken6", "PyQt5", "PyQt6"), inside=True)
    assert offenders == [], "\n".join(offenders)


def test_only_domain_and_repository_import_sqlalchemy():
    offenders = _offenders(MAY_USE_SQLALCHEMY, ("sqlalchemy",), inside=False)
    assert offenders == [], "\n".join(offenders)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import PySide6.QtCore", {"PySide6.QtCore"}),
        ("from PySide6 import QtWidgets", {"PySide6"}),
        ("def f():\n    from sqlalchemy.orm import Session", {"sqlalchemy.orm"}),
        ("from . import models", set()),
    ],
)
def test_the_scan_sees_every_kind_of_import(tmp_path, source, expected):
    path = tmp_path / "probe.py"
    path.write_text(source)
    assert _imported_modules(path) == expected

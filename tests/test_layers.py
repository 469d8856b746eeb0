"""Layer boundaries are checked, not hoped for (DESIGN.md, Layers; STYLE.md, habit 2).

The contracts live in pyproject.toml (``[tool.importlinter]``) and are checked by
import-linter, a maintained tool that follows every import (in functions too) and every
chain of them; CI runs ``lint-imports`` after mypy. These tests run it here too, and show
on a copy of the package that a wrong import breaks it — a check that never fails checks
nothing (the hand-written scan it replaces missed ``ui → repository`` and
``cli → repository``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "surgdesk"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(config: Path, *, src: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if src is not None:
        # The copy comes first on the path: import-linter finds ``surgdesk`` there.
        env["PYTHONPATH"] = os.pathsep.join([str(src), env.get("PYTHONPATH", "")])
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(config)],
        capture_output=True, text=True, env=env, cwd=config.parent, timeout=300, check=False,
    )


def test_the_code_keeps_the_layer_contracts() -> None:
    result = lint_imports(ROOT / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "source", "contract"),
    [
        ("ui/_probe.py", "from surgdesk.repository import connect\n",
         "never the repository"),
        ("cli/_probe.py", "def f():\n    from surgdesk.repository import migrate\n",
         "never the repository"),
        ("services/_probe.py", "from PySide6.QtCore import QObject\n", "never load Qt"),
        ("repository/_probe.py", "import surgdesk.services.registry\n", "Layers"),
        ("services/_probe.py", "from sqlalchemy import select\n", "import SQLAlchemy"),
    ],
    ids=["ui-repository", "cli-repository", "services-qt", "repository-services",
         "services-sqlalchemy"],
)
def test_a_wrong_import_breaks_a_contract(tmp_path: Path, module: str, source: str,
                                          contract: str) -> None:
    copy = tmp_path / "src" / "surgdesk"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / module).write_text(source, encoding="utf-8")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    result = lint_imports(tmp_path / "pyproject.toml", src=tmp_path / "src")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 broken" in result.stdout
    broken = result.stdout.split("Broken contracts", 1)[1]
    assert contract in broken
    assert f"surgdesk.{module.removesuffix('.py').replace('/', '.')}" in broken

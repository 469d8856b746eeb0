"""Load the packaging scripts (packaging/*.py are scripts, not an installed package)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

PACKAGING = Path(__file__).resolve().parents[2] / "packaging"


def load_script(name: str) -> ModuleType:
    """Import packaging/<name>.py under its own name (the scripts import each other so)."""
    if name in sys.modules and getattr(sys.modules[name], "__file__", "").startswith(
        str(PACKAGING)
    ):
        return sys.modules[name]
    if str(PACKAGING) not in sys.path:
        sys.path.insert(0, str(PACKAGING))
    spec = importlib.util.spec_from_file_location(name, PACKAGING / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def manifest() -> ModuleType:
    return load_script("manifest")


@pytest.fixture(scope="session")
def recipes(manifest: ModuleType) -> ModuleType:
    return load_script("recipes")


@pytest.fixture(scope="session")
def build_script(recipes: ModuleType) -> ModuleType:
    # Named surgdesk_build in sys.modules would not help: build.py imports nothing by that
    # name, and "build" is not a package anyone else imports here.
    return load_script("build")

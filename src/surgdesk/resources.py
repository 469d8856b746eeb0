"""Where the bundled resources (icons, theme, templates) are, however SurgDesk was installed."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

# What an install must carry; `surgdesk self-check` verifies each one exists.
APP_ICON = ("icons", "surgdesk.svg")
STATUS_ICONS = (
    "requested",
    "scheduled",
    "preop_ready",
    "in_progress",
    "completed",
    "postponed",
    "cancelled",
)
MARK_ICONS = ("emergency", "urgent", "warning")
ICON_SIZES = (16, 32, 48, 64, 128, 256, 512)
PALETTE = ("theme", "palette.json")
STYLE_SHEET = ("theme", "surgdesk.qss")
CONFIG_EXAMPLE = ("templates", "surgdesk.toml.example")
# The bundled UI font (ui/fonts.py registers it) and its licence.
UI_FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "LICENSE-DejaVu.txt")


def resources_dir() -> Path:
    """The resources folder: in the PyInstaller bundle, the installed package, or the repo.

    Mirrors :func:`surgdesk.repository.migrate.migrations_dir`.
    """
    here = Path(__file__).resolve()
    candidates: list[Path] = []
    meipass = getattr(sys, "_MEIPASS", None)
    if meipass is not None:
        candidates.append(Path(meipass) / "resources")
    candidates += [here.parent / "_resources", here.parents[2] / "resources"]
    for candidate in candidates:
        if (candidate / Path(*APP_ICON)).is_file():
            return candidate
    raise FileNotFoundError("the resources folder is missing from this installation")


def resource_path(*parts: str) -> Path:
    """A path inside the resources folder (not checked for existence)."""
    return resources_dir().joinpath(*parts)


def app_icon_path() -> Path:
    return resource_path(*APP_ICON)


def status_icon_path(name: str) -> Path:
    """The SVG mark for a case status (``scheduled``...) or a mark (``emergency``...)."""
    if name not in STATUS_ICONS and name not in MARK_ICONS:
        raise KeyError(f"no status icon named {name!r}")
    return resource_path("icons", "status", f"{name}.svg")


def load_palette() -> dict[str, Any]:
    """The named colours of the visual identity (see resources/README.md)."""
    data: dict[str, Any] = json.loads(resource_path(*PALETTE).read_text(encoding="utf-8"))
    return data


def required_resources() -> list[tuple[str, ...]]:
    """Every file an install must carry, relative to the resources folder."""
    required: list[tuple[str, ...]] = [APP_ICON, PALETTE, STYLE_SHEET, CONFIG_EXAMPLE]
    required += [("icons", "status", f"{name}.svg") for name in STATUS_ICONS + MARK_ICONS]
    required += [("icons", "png", f"surgdesk-{size}.png") for size in ICON_SIZES]
    required += [("fonts", name) for name in UI_FONT_FILES]
    return required

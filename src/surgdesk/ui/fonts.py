"""The UI font, bundled: DejaVu Sans (regular and bold) ships in ``resources/fonts`` with its
licence and is registered with Qt's font database when the application starts.

The board, the queue, the wall and the printed day list draw text with an explicit family
so their measured layouts (bar heights, column widths, page breaks) come out the same on
every PC. That family used to be assumed installed; Windows has none of it, and Qt then
substituted a font of other widths. Ask for it here (``ui_font_family``, ``ui_font``),
never by a literal name.
"""

from __future__ import annotations

import logging

from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication

from surgdesk.resources import UI_FONT_FILES, resource_path

log = logging.getLogger(__name__)

FAMILY = "DejaVu Sans"
FONT_FILES = tuple(name for name in UI_FONT_FILES if name.endswith(".ttf"))
LICENCE = next(name for name in UI_FONT_FILES if name.startswith("LICENSE"))
# When the files cannot be loaded (a broken install): the nearest system sans fonts.
FALLBACKS = ("Segoe UI", "Helvetica Neue", "Arial", "Sans Serif")

_installed: list[str] = []  # the families registered (once per process)


def install_ui_font() -> bool:
    """Register the bundled font files with ``QFontDatabase`` (once; needs the
    QGuiApplication). True when the family is available afterwards."""
    if _installed:
        return True
    for name in FONT_FILES:
        path = resource_path("fonts", name)
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            log.warning("the bundled font %s could not be loaded", path)
            continue
        _installed.extend(QFontDatabase.applicationFontFamilies(font_id))
    return FAMILY in _installed


def ui_font_family() -> str:
    """The family to draw the UI's own text with (registering it first if an
    application exists and it is not yet)."""
    if not _installed and QGuiApplication.instance() is not None:
        install_ui_font()
    return FAMILY


def ui_font(point_size: float | None = None, *, bold: bool = False) -> QFont:
    """A QFont of the UI family (with system fallbacks), optionally sized and bold."""
    font = QFont()
    font.setStyleHint(QFont.StyleHint.SansSerif)
    font.setFamilies([ui_font_family(), *FALLBACKS])
    if point_size is not None:
        font.setPointSizeF(point_size)
    font.setBold(bold)
    return font


def ui_pixel_font(pixels: int, *, bold: bool = False) -> QFont:
    """A QFont of the UI family at a pixel size (painted text that must fit a row)."""
    font = ui_font(bold=bold)
    font.setPixelSize(pixels)
    return font

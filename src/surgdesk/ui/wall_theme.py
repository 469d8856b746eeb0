"""The wall display's theme: sizes and colours for a board read from across the room.

Built from ``resources/theme/palette.json`` (the one palette file): the normal theme uses
the status colours as they are, the high-contrast one the file's ``high_contrast`` section
(dark background, white text, thick borders; status fills unchanged). Text colours are
checked with the WCAG 2 contrast formula and darkened where a palette colour falls short
of 7:1 (level AAA), so a test can hold every text/background pair to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont

from surgdesk.domain.enums import CaseStatus
from surgdesk.resources import load_palette
from surgdesk.ui.fonts import ui_font_family

MIN_CONTRAST = 7.0  # WCAG AAA for normal text

# Pixel sizes (fonts are set in pixels: a 1920x1080 wall shows them 1:1).
CASE_TITLE_PX = 27
CASE_TEXT_PX = 24
ROOM_CODE_PX = 40
ROOM_NAME_PX = 20
HOUR_PX = 22
CLOCK_PX = 64
DATE_PX = 34
LEGEND_PX = 24
FONT_FAMILY = ui_font_family()

# Shown on the wall, in this order (cancelled and requested cases are not on the board).
LEGEND_STATUSES = (CaseStatus.SCHEDULED, CaseStatus.PREOP_READY, CaseStatus.IN_PROGRESS,
                   CaseStatus.COMPLETED, CaseStatus.POSTPONED)

_PATTERNS: dict[str | None, Qt.BrushStyle | None] = {
    None: None,
    "bdiag": Qt.BrushStyle.BDiagPattern,
    "dense7": Qt.BrushStyle.Dense7Pattern,
    "diagcross": Qt.BrushStyle.DiagCrossPattern,
}


def wall_font(pixels: int, *, bold: bool = False) -> QFont:
    font = QFont(FONT_FAMILY)
    font.setPixelSize(pixels)
    font.setBold(bold)
    return font


# -- WCAG 2 contrast ---------------------------------------------------------------------------

def relative_luminance(colour: QColor | str) -> float:
    """WCAG 2 relative luminance of an sRGB colour (alpha ignored)."""
    c = QColor(colour)

    def channel(value: int) -> float:
        s = value / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c.red()) + 0.7152 * channel(c.green()) + 0.0722 * channel(c.blue())


def contrast_ratio(a: QColor | str, b: QColor | str) -> float:
    """WCAG 2 contrast ratio, 1..21."""
    la, lb = relative_luminance(a), relative_luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def readable_on(background: QColor | str, *candidates: QColor | str) -> QColor:
    """The first candidate reaching ``MIN_CONTRAST`` on ``background``; else black or white,
    whichever contrasts more (one of them always reaches 7:1... except on mid greys, where
    the better of the two is still the best there is)."""
    for candidate in candidates:
        if contrast_ratio(candidate, background) >= MIN_CONTRAST:
            return QColor(candidate)
    black, white = QColor("#000000"), QColor("#ffffff")
    return black if contrast_ratio(black, background) >= contrast_ratio(white, background) \
        else white


@dataclass(frozen=True, slots=True)
class WallStatusStyle:
    label: str
    fill: QColor
    border: QColor
    text: QColor
    pattern: Qt.BrushStyle | None


@dataclass(frozen=True)
class WallTheme:
    name: str
    background: QColor  # board rows
    row_alt: QColor
    outside_hours: QColor  # shading over a room's closed hours
    header_bg: QColor  # time header, room column, clock strip, legend
    header_text: QColor
    muted_text: QColor  # room names: still 7:1
    grid: QColor
    grid_strong: QColor
    now_line: QColor
    bar_border_width: float
    badge_bg: QColor  # priority badge (EMERG / URG)
    badge_text: QColor
    emergency: QColor
    urgent: QColor
    unlocked_bg: QColor  # the strip while editing is unlocked
    unlocked_text: QColor
    statuses: dict[CaseStatus, WallStatusStyle] = field(default_factory=dict)

    def style(self, status: CaseStatus) -> WallStatusStyle:
        return self.statuses[status]

    def text_pairs(self) -> list[tuple[str, QColor, QColor]]:
        """Every (what, text, background) pair the wall paints text with."""
        pairs = [
            ("header", self.header_text, self.header_bg),
            ("room name", self.muted_text, self.header_bg),
            ("badge", self.badge_text, self.badge_bg),
            ("unlocked", self.unlocked_text, self.unlocked_bg),
        ]
        pairs += [(f"status {s.value}", st.text, st.fill) for s, st in self.statuses.items()]
        return pairs


def wall_theme(high_contrast: bool = False, palette: dict[str, Any] | None = None) -> WallTheme:
    data = palette if palette is not None else load_palette()
    brand = data["brand"]
    ink = QColor(brand["ink"])
    statuses: dict[CaseStatus, WallStatusStyle] = {}
    for status in CaseStatus:
        entry = data["status"][status.value]
        fill = QColor(entry["fill"])
        statuses[status] = WallStatusStyle(
            entry["label"], fill, QColor(entry["border"]),
            # The palette aims at AA (4.5:1) on the desk; the wall wants 7:1.
            readable_on(fill, entry["text"], ink),
            _PATTERNS[entry.get("pattern")])
    emergency = QColor(data["marks"]["emergency"]["fill"])
    urgent = QColor(data["marks"]["urgent"]["fill"])
    if high_contrast:
        hc = data["high_contrast"]
        background = QColor(hc["background"])
        foreground = QColor(hc["foreground"])
        grid = QColor(hc["grid"])
        return WallTheme(
            name="high_contrast", background=background, row_alt=QColor("#111111"),
            outside_hours=QColor(255, 255, 255, 28), header_bg=background,
            header_text=readable_on(background, foreground),
            muted_text=readable_on(background, "#d9d9d9", foreground), grid=grid,
            grid_strong=QColor("#9a9a9a"), now_line=emergency,
            bar_border_width=float(hc["bar_border_width"]), badge_bg=QColor("#ffffff"),
            badge_text=readable_on("#ffffff", ink), emergency=emergency, urgent=urgent,
            unlocked_bg=QColor("#f0e442"), unlocked_text=readable_on("#f0e442", ink),
            statuses=statuses)
    surface = QColor(brand["surface"])
    header_bg = QColor(brand["surface_alt"])
    return WallTheme(
        name="normal", background=surface, row_alt=QColor("#f7f9fa"),
        outside_hours=QColor(0, 0, 0, 22), header_bg=header_bg,
        header_text=readable_on(header_bg, ink),
        muted_text=readable_on(header_bg, brand["muted"], "#3c4346", ink),
        grid=QColor(brand["grid"]), grid_strong=QColor("#8a989d"),
        now_line=QColor(brand["now_line"]), bar_border_width=2.0,
        badge_bg=QColor("#ffffff"), badge_text=readable_on("#ffffff", ink),
        emergency=emergency, urgent=urgent, unlocked_bg=QColor("#f0e442"),
        unlocked_text=readable_on("#f0e442", ink), statuses=statuses)

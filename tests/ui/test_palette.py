"""One palette: the board draws what resources/theme/palette.json says, and every status
label stays readable (WCAG AA, 4.5:1) on its fill."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor

from surgdesk.domain.enums import CaseStatus
from surgdesk.resources import load_palette
from surgdesk.ui.board.palette import STATUS_STYLES


def _luminance(colour: QColor) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return (0.2126 * channel(colour.red()) + 0.7152 * channel(colour.green())
            + 0.0722 * channel(colour.blue()))


def contrast(a: QColor, b: QColor) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("status", list(CaseStatus))
def test_board_status_colours_come_from_the_palette_file(status: CaseStatus) -> None:
    entry = load_palette()["status"][status.value]
    style = STATUS_STYLES[status]
    assert style.fill == QColor(entry["fill"])
    assert style.border == QColor(entry["border"])
    assert style.text == QColor(entry["text"])
    assert style.label == entry["label"]


@pytest.mark.parametrize("status", list(CaseStatus))
def test_status_label_is_readable_on_its_fill(status: CaseStatus) -> None:
    style = STATUS_STYLES[status]
    assert contrast(style.text, style.fill) >= 4.5


def test_statuses_are_told_apart_by_more_than_colour() -> None:
    palette = load_palette()["status"]
    icons = {entry["icon"] for entry in palette.values()}
    assert len(icons) == len(CaseStatus)  # one distinct icon shape per status

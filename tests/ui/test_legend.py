"""The board legend's swatches carry the glyphs its text names (issue 13 item 7)."""

from __future__ import annotations

from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from surgdesk.domain.enums import CaseStatus
from surgdesk.ui.board import palette
from surgdesk.ui.board.legend import GLYPH_WORDS, MARKS, BoardLegend, status_swatch


def _glyph_pixels(image: QImage, colour: QColor) -> int:
    """Pixels of the glyph's colour (antialiased edges within a small tolerance)."""
    count = 0
    for y in range(image.height()):
        for x in range(image.width()):
            pixel = image.pixelColor(x, y)
            if (abs(pixel.red() - colour.red()) + abs(pixel.green() - colour.green())
                    + abs(pixel.blue() - colour.blue())) < 40:
                count += 1
    return count


def test_every_status_swatch_shows_its_glyph(qtbot: QtBot) -> None:
    glyphs: set[bytes] = set()
    for status in CaseStatus:
        style = palette.style_for(status)
        image = status_swatch(status).toImage()
        assert _glyph_pixels(image, style.border.darker(130)) >= 8, status
        box = image.copy(0, 0, 24, image.height()).convertToFormat(
            QImage.Format.Format_Grayscale8)
        glyphs.add(bytes(box.constBits()))
    assert len(glyphs) == len(CaseStatus)  # each glyph its own shape, even in greyscale


def test_the_dialog_pairs_each_swatch_with_the_glyph_named(qtbot: QtBot) -> None:
    legend = BoardLegend()
    qtbot.addWidget(legend)
    texts = " ".join(label.text() for label in legend.findChildren(QLabel))
    for status in CaseStatus:
        swatch = legend.findChild(QLabel, f"legendSwatch_{status.value}")
        assert swatch is not None
        assert not swatch.pixmap().isNull()
        assert GLYPH_WORDS[status] in texts
    for kind, _words in MARKS:
        assert legend.findChild(QLabel, f"legendSwatch_{kind}") is not None

"""The bundled UI font: shipped with its licence, found however SurgDesk is installed,
registered with Qt's font database, and the only way the UI names its family."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtGui import QFontDatabase, QFontInfo
from pytestqt.qtbot import QtBot

from surgdesk.resources import resource_path
from surgdesk.ui import fonts
from surgdesk.ui.fonts import FAMILY, FONT_FILES, LICENCE, install_ui_font, ui_font, ui_font_family

ROOT = Path(__file__).resolve().parents[2]


def test_the_font_files_ship_with_their_licence() -> None:
    folder = ROOT / "resources" / "fonts"
    for name in (*FONT_FILES, LICENCE):
        assert (folder / name).is_file(), name
    assert (folder / FONT_FILES[0]).read_bytes()[:4] == b"\x00\x01\x00\x00"  # TrueType
    licence = (folder / LICENCE).read_text(encoding="utf-8")
    assert "Bitstream" in licence
    assert "Permission is hereby granted" in licence
    # The resources folder is what the wheel (surgdesk/_resources) and the PyInstaller
    # bundle (resources/) carry whole, so the installed app finds the fonts the same way.
    assert resource_path("fonts", FONT_FILES[0]).is_file()
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"resources" = "surgdesk/_resources"' in pyproject
    spec = (ROOT / "packaging" / "surgdesk.spec").read_text(encoding="utf-8")
    assert '(str(ROOT / "resources"), "resources")' in spec


def test_installing_registers_the_family_with_qt(qtbot: QtBot) -> None:
    assert install_ui_font()
    assert FAMILY in QFontDatabase.families()
    assert ui_font_family() == FAMILY
    assert set(fonts._installed) == {FAMILY}
    assert install_ui_font()  # once is enough; again is harmless
    font = ui_font(10, bold=True)
    assert font.families()[0] == FAMILY
    assert font.bold()
    assert font.pointSizeF() == 10
    assert QFontInfo(font).family() == FAMILY


def test_no_module_names_the_family_itself() -> None:
    named = re.compile(r"[\"']DejaVu Sans[\"']")
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "src" / "surgdesk").rglob("*.py")
        if path.name != "fonts.py" and named.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []

"""The connection banner: since when (in the department's zone), what it means, the
countdown to the next attempt, saves waiting, and "connected again" before it hides."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot

from surgdesk.ui.banner import ConnectionBanner
from surgdesk.ui.wall_theme import MIN_CONTRAST, contrast_ratio

SINCE = datetime(2026, 1, 13, 8, 14, 3, tzinfo=UTC)  # 09:14:03 in Berlin
BERLIN = ZoneInfo("Europe/Berlin")


def _banner(qtbot: QtBot, *, large: bool = False, restored_ms: int = 4000) -> ConnectionBanner:
    banner = ConnectionBanner(large=large, restored_ms=restored_ms)
    qtbot.addWidget(banner)
    return banner


def test_hidden_until_the_connection_is_lost(qtbot: QtBot) -> None:
    banner = _banner(qtbot)
    assert banner.objectName() == "connectionBanner"
    assert banner.isHidden()
    assert banner.findChild(QLabel, "connectionBannerText") is banner.label
    button = banner.findChild(QPushButton, "connectionRetry")
    assert button is not None
    assert button.text() == "Retry now"


def test_says_since_when_in_the_department_zone_and_counts_down(qtbot: QtBot) -> None:
    banner = _banner(qtbot)
    banner.show_lost(SINCE, BERLIN, "the change listener lost the database (terminated)")
    assert banner.isVisible()
    text = banner.text()
    assert text.startswith("Database unreachable since 09:14:03 — showing the board as it "
                           "was then (read-only).")
    assert "terminated" in banner.reason_label.text()
    banner.set_retry_in(8)
    assert "Reconnecting in 8\N{NO-BREAK SPACE}s…" in banner.text()
    banner.set_retry_in(0)
    assert banner.text().endswith("Reconnecting…")
    # Another zone, another wall-clock time for the same instant.
    banner.show_lost(SINCE, ZoneInfo("America/New_York"), "")
    assert "since 03:14:03" in banner.text()
    assert banner.reason_label.isHidden()


def test_saves_waiting_are_counted(qtbot: QtBot) -> None:
    banner = _banner(qtbot)
    banner.show_lost(SINCE, BERLIN, "test")
    banner.set_retry_in(30)
    banner.set_pending(2)
    assert "Reconnecting in 30\N{NO-BREAK SPACE}s… 2 saves waiting." in banner.text()
    banner.set_pending(1)
    assert banner.text().endswith("1 save waiting.")
    banner.set_pending(0)
    assert "waiting" not in banner.text()


def test_retry_now_asks_for_an_attempt_and_says_it_is_reconnecting(qtbot: QtBot) -> None:
    banner = _banner(qtbot)
    banner.show_lost(SINCE, BERLIN, "test")
    banner.set_retry_in(30)
    with qtbot.waitSignal(banner.retry_requested, timeout=10_000):
        qtbot.mouseClick(banner.retry_button, Qt.MouseButton.LeftButton)
    assert banner.text().endswith("Reconnecting…")


def test_connected_again_is_said_then_the_banner_hides(qtbot: QtBot) -> None:
    banner = _banner(qtbot, restored_ms=50)
    banner.show_lost(SINCE, BERLIN, "test")
    banner.set_pending(2)
    banner.show_restored()
    assert banner.isVisible()
    assert "connected again" in banner.text()
    assert not banner.retry_button.isVisible()
    qtbot.waitUntil(banner.isHidden, timeout=10_000)
    banner.set_pending(0)  # the saves went through meanwhile: stays hidden
    assert banner.isHidden()
    # A restore without an outage shown does not pop it up.
    quiet = _banner(qtbot, restored_ms=50)
    quiet.show_restored()
    assert quiet.isHidden()


@pytest.mark.parametrize("large", [False, True])
def test_text_contrast_from_the_palette(qtbot: QtBot, large: bool) -> None:
    banner = _banner(qtbot, large=large)
    banner.show_lost(SINCE, BERLIN, "test")
    assert contrast_ratio(banner.foreground, banner.background) >= MIN_CONTRAST
    banner.show_restored()
    assert contrast_ratio(banner.foreground, banner.background) >= MIN_CONTRAST


def test_the_wall_variant_is_readable_across_a_room(qtbot: QtBot) -> None:
    desk, wall = _banner(qtbot), _banner(qtbot, large=True)
    assert wall.label.font().pixelSize() >= 24
    assert wall.reason_label.font().pixelSize() >= 24
    assert QFontMetricsF(wall.label.font()).height() > QFontMetricsF(desk.label.font()).height()
    assert wall.retry_button.minimumHeight() >= 64

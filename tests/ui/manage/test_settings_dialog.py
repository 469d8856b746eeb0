"""Department settings: saved through the service, bad values beside their field."""

from __future__ import annotations

from datetime import time

import pytest
from PySide6.QtCore import QTime
from pytestqt.qtbot import QtBot

from surgdesk.services.registry import Services
from surgdesk.ui.manage.settings import DepartmentSettingsDialog
from tests.services.factories import Kit
from tests.ui.manage.fixtures import kit_services, settled, sqlite_db

__all__ = ["kit_services", "sqlite_db"]


@pytest.fixture
def settings(qtbot: QtBot, kit_services: tuple[Kit, Services]) -> DepartmentSettingsDialog:
    kit, services = kit_services
    dialog = settled(DepartmentSettingsDialog)(services, kit["admin"])
    qtbot.add_widget(dialog)
    return dialog


def test_shows_and_saves_every_setting(settings: DepartmentSettingsDialog,
                                       kit_services: tuple[Kit, Services]) -> None:
    kit, services = kit_services
    assert settings.time_zone.currentText() == "Europe/Berlin"
    settings.time_zone.setCurrentText("Europe/Vienna")
    settings.day_start.setTime(QTime(6, 30))
    settings.day_end.setTime(QTime(20, 0))
    settings.remember.setChecked(False)
    settings.idle.setValue(10)
    settings.grace.setValue(5)
    settings.snap.setCurrentIndex(settings.snap.findData(15))
    assert settings.save()
    saved = services.settings.get(kit["viewer"])
    assert (saved.time_zone, saved.day_start, saved.day_end, saved.remember_me_allowed,
            saved.idle_lock_minutes, saved.on_time_grace_minutes, saved.snap_minutes) == (
        "Europe/Vienna", time(6, 30), time(20, 0), False, 10, 5, 15)
    assert settings.saved.text() == "Saved."


def test_bad_values_are_named_and_nothing_is_written(
    settings: DepartmentSettingsDialog, kit_services: tuple[Kit, Services]
) -> None:
    kit, services = kit_services
    before = services.settings.get(kit["admin"])
    settings.time_zone.setCurrentText("Mars/Olympus")
    assert not settings.save()
    assert settings.errors.message("time_zone").startswith("Unknown IANA time zone")
    settings.time_zone.setCurrentText("Europe/Berlin")
    settings.day_end.setTime(QTime(6, 0))
    assert not settings.save()
    assert settings.errors.message("day_end") == "Must be after day_start"
    assert services.settings.get(kit["admin"]) == before

"""Department settings (admin): the one row every PC of the department shares.

Read and saved through a ``ServiceRunner`` (off the GUI thread); the ranges of the
minutes fields are the declared limits (``domain.limits``), as the service checks them."""

from __future__ import annotations

from zoneinfo import available_timezones

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from surgdesk.domain.limits import IDLE_LOCK, ON_TIME_GRACE, IntRange
from surgdesk.domain.permissions import Action
from surgdesk.services.context import Actor
from surgdesk.services.registry import Services
from surgdesk.services.settings import DepartmentSettingsView
from surgdesk.ui.manage.common import (
    FieldErrors,
    ServiceDialog,
    py_time,
    qt_time,
    require_screen,
)
from surgdesk.ui.runner import ServiceRunner

# Snap steps that divide an hour (the service refuses the rest).
SNAP_CHOICES = (1, 2, 5, 10, 15, 20, 30, 60)


def _spin(name: str, limits: IntRange, suffix: str = " min") -> QSpinBox:
    spin = QSpinBox()
    spin.setObjectName(name)
    spin.setRange(limits.low, limits.high)
    spin.setSuffix(suffix)
    return spin


class DepartmentSettingsDialog(ServiceDialog):
    def __init__(self, services: Services, actor: Actor, parent: QWidget | None = None, *,
                 runner: ServiceRunner | None = None) -> None:
        require_screen(actor, Action.MANAGE_SETTINGS, "department settings")
        super().__init__(parent)
        self.setObjectName("departmentSettingsDialog")
        self.setWindowTitle("Department settings — SurgDesk")
        self._init_calls(runner)
        self.services = services
        self.actor = actor
        self.current: DepartmentSettingsView | None = None

        self.time_zone = QComboBox()
        self.time_zone.setObjectName("settingsTimeZone")
        self.time_zone.setEditable(True)
        self.time_zone.setMinimumWidth(300)
        self.time_zone.addItems(sorted(available_timezones()))
        completer = QCompleter(self.time_zone.model(), self.time_zone)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.time_zone.setCompleter(completer)
        self.day_start = QTimeEdit()
        self.day_start.setObjectName("settingsDayStart")
        self.day_end = QTimeEdit()
        self.day_end.setObjectName("settingsDayEnd")
        day = QWidget()
        day_layout = QHBoxLayout(day)
        day_layout.setContentsMargins(0, 0, 0, 0)
        for edit, text in ((self.day_start, None), (self.day_end, "to")):
            edit.setDisplayFormat("HH:mm")
            if text:
                day_layout.addWidget(QLabel(text))
            day_layout.addWidget(edit)
        day_layout.addStretch(1)
        self.remember = QCheckBox("Allow \"remember me\" at sign-in (off on shared PCs)")
        self.remember.setObjectName("settingsRememberMe")
        self.idle = _spin("settingsIdleLock", IDLE_LOCK)
        self.grace = _spin("settingsGrace", ON_TIME_GRACE)
        self.snap = QComboBox()
        self.snap.setObjectName("settingsSnap")
        for minutes in SNAP_CHOICES:
            self.snap.addItem(f"{minutes} min", minutes)

        self.error = QLabel()
        self.error.setObjectName("settingsError")
        self.errors = FieldErrors(self.error)
        e = self.errors
        form = QFormLayout()
        form.addRow("&Time zone", e.bind("time_zone", self.time_zone))
        form.addRow("&Day view", e.bind("day_start", day, "day_end"))
        form.addRow("", e.bind("remember_me_allowed", self.remember))
        form.addRow("&Idle lock after", e.bind("idle_lock_minutes", self.idle))
        form.addRow("On-time start &grace", e.bind("on_time_grace_minutes", self.grace))
        form.addRow("Board &snap", e.bind("snap_minutes", self.snap))
        self.saved = QLabel()
        self.saved.setObjectName("settingsSaved")
        self.saved.setStyleSheet("color: #1d6b1d;")

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Close)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setObjectName("settingsSave")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Every PC of the department shares these. Times typed "
                                "without a zone are read in the department's time zone."))
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.saved)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.busy_widgets = [save]
        save.setEnabled(False)  # until the settings are read
        self.read(lambda: services.settings.get(actor), self._loaded, self.errors.show,
                  "read the department settings")

    def _loaded(self, values: DepartmentSettingsView) -> None:
        self.show_settings(values)
        self.busy_widgets[0].setEnabled(True)

    def show_settings(self, values: DepartmentSettingsView) -> None:
        self.current = values
        self.time_zone.setCurrentText(values.time_zone)
        self.day_start.setTime(qt_time(values.day_start))
        self.day_end.setTime(qt_time(values.day_end))
        self.remember.setChecked(values.remember_me_allowed)
        self.idle.setValue(values.idle_lock_minutes)
        self.grace.setValue(values.on_time_grace_minutes)
        index = self.snap.findData(values.snap_minutes)
        if index < 0:  # a value set elsewhere (CLI) that the list lacks: show it anyway
            self.snap.addItem(f"{values.snap_minutes} min", values.snap_minutes)
            index = self.snap.count() - 1
        self.snap.setCurrentIndex(index)

    def save(self) -> bool:
        """Start saving; False when there is nothing read to save over yet."""
        if self.current is None:
            return False
        self.saved.clear()
        version = self.current.version
        time_zone = self.time_zone.currentText()
        day_start, day_end = py_time(self.day_start.time()), py_time(self.day_end.time())
        remember, idle, grace = self.remember.isChecked(), self.idle.value(), self.grace.value()
        snap = int(self.snap.currentData())
        return self.write(lambda: self.services.settings.update(
            self.actor, time_zone=time_zone, day_start=day_start, day_end=day_end,
            remember_me_allowed=remember, idle_lock_minutes=idle,
            on_time_grace_minutes=grace, snap_minutes=snap, expected_version=version),
            self._saved, self.errors.show, "save the department settings")

    def _saved(self, values: DepartmentSettingsView) -> None:
        self.errors.clear()
        self.show_settings(values)
        self.saved.setText("Saved.")

"""Equipment screen (admins, schedulers): kinds, units (rooms, status, turnaround, notes)
and a unit's dated closures.

Taking a unit out of service (maintenance, retired, fewer rooms, a longer turnaround, a
closure) is allowed whatever it holds, but never silently: the service moves each case
holding it from now on to another free unit of the kind or leaves it without one, and the
screen says which (``UnitChange``) in a panel under the unit. Every call goes through the
runner, off the GUI thread; a refusal is said beside the field it names.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from surgdesk.domain.enums import EquipmentStatus
from surgdesk.domain.limits import NAME_MAX, TURNAROUND
from surgdesk.domain.permissions import Action
from surgdesk.domain.timezones import zone
from surgdesk.services.context import Actor
from surgdesk.services.dto import (
    EquipmentClosureView,
    EquipmentKindView,
    EquipmentUnitView,
    UnitChange,
)
from surgdesk.services.registry import Services
from surgdesk.ui.manage.common import (
    FieldErrors,
    RowsModel,
    ServiceDialog,
    filter_box,
    fit_columns,
    list_and_form,
    on_select,
    py_datetime,
    qt_datetime,
    require_screen,
    select_key,
    selected_row,
    table_view,
)
from surgdesk.ui.manage.equipment_tables import (
    STATUS_TEXT,
    change_text,
    closure_columns,
    kind_columns,
    unit_columns,
)
from surgdesk.ui.runner import ServiceRunner

WARNING_STYLE = "color: #8a5a00; font-weight: bold;"  # as the rooms screen's clash warning


@dataclass(frozen=True)
class _Listing:
    kinds: list[EquipmentKindView]
    units: list[EquipmentUnitView]


def parse_rooms(text: str) -> list[str]:
    """Room codes as typed, split on commas or spaces (empty: any room)."""
    return [code for code in (part.strip() for part in text.replace(",", " ").split())
            if code]


class EquipmentDialog(ServiceDialog):
    def __init__(self, services: Services, actor: Actor, parent: QWidget | None = None, *,
                 runner: ServiceRunner | None = None) -> None:
        require_screen(actor, Action.MANAGE_EQUIPMENT, "equipment screen")
        super().__init__(parent)
        self.setObjectName("equipmentDialog")
        self.setWindowTitle("Equipment — SurgDesk")
        self._init_calls(runner)
        self.services, self.actor = services, actor
        self.tz = ZoneInfo("UTC")  # the department's, once read
        self.room_codes: list[str] = []
        self.kind: EquipmentKindView | None = None  # the kind selected in the kinds list
        self.current: EquipmentUnitView | None = None  # the unit in the form (None: new)
        self.last_change: UnitChange | None = None
        # Client operation ids of adds not yet answered ok, by what was asked: the same
        # add pressed again after a lost connection is applied once.
        self._ops: dict[Hashable, str] = {}

        self.splitter = list_and_form(self, self._lists(), self._unit_form(),
                                      self._closure_box(), sizes=(720, 560), height=780)
        # Rename and (De)activate follow the selection too (_sync_kind_buttons).
        self.busy_widgets = [self.kind_add, self.save_button, self.add_closure_button]
        self.read(self._open_call, self._opened, self.unit_errors.show, "open the equipment")

    # -- building ---------------------------------------------------------------------

    def _lists(self) -> QWidget:
        left = QWidget()
        layout = QVBoxLayout(left)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._kinds_box())
        layout.addWidget(self._units_box(), 1)
        return left

    def _kinds_box(self) -> QGroupBox:
        box = QGroupBox("Kinds")
        self.kinds = RowsModel(kind_columns(), key=lambda k: k.id, parent=self)
        self.kinds_view = table_view("kindsTable", self.kinds)
        self.kinds_view.setMaximumHeight(170)
        on_select(self.kinds_view, EquipmentKindView, self.show_kind)
        self.kind_name = QLineEdit()
        self.kind_name.setObjectName("kindName")
        self.kind_name.setMaxLength(NAME_MAX + 1)
        self.kind_name.setPlaceholderText("e.g. C-arm, robot, microscope, laser")
        self.kind_add = _button("Add kind", "kindAdd", self.add_kind)
        self.kind_rename = _button("Rename", "kindRename", self.rename_kind)
        self.kind_active = _button("Deactivate", "kindActive", self.toggle_kind)
        self.kind_error = QLabel()
        self.kind_error.setObjectName("kindError")
        self.kind_errors = FieldErrors(self.kind_error)
        row = QHBoxLayout()
        name_label = QLabel("&Name")
        name_label.setBuddy(self.kind_name)
        row.addWidget(name_label)
        row.addWidget(self.kind_errors.bind("name", self.kind_name), 1)
        for button in (self.kind_add, self.kind_rename, self.kind_active):
            row.addWidget(button)
        layout = QVBoxLayout(box)
        layout.addWidget(self.kinds_view)
        layout.addLayout(row)
        layout.addWidget(self.kind_error)
        self._sync_kind_buttons()
        return box

    def _units_box(self) -> QGroupBox:
        box = QGroupBox("Units")
        self.units = RowsModel(unit_columns(), key=lambda u: u.id, parent=self)
        self.units_view = table_view("unitsTable", self.units)
        on_select(self.units_view, EquipmentUnitView, self.show_unit)
        self.unit_filter = filter_box(self.units_view, "unitsFilter",
                                      "Filter by name, kind, room or status")
        new_unit = _button("New unit", "unitNew", self.new_unit)
        layout = QVBoxLayout(box)
        layout.addWidget(self.unit_filter)
        layout.addWidget(self.units_view, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(new_unit)
        layout.addLayout(row)
        return box

    def _unit_form(self) -> QGroupBox:
        box = QGroupBox("Unit")
        self.unit_box = box
        self.unit_name = QLineEdit()
        self.unit_name.setObjectName("unitName")
        self.unit_name.setMaxLength(NAME_MAX + 1)
        self.unit_kind = QComboBox()
        self.unit_kind.setObjectName("unitKind")
        self.unit_kind.setMinimumContentsLength(16)
        self.unit_rooms = QLineEdit()
        self.unit_rooms.setObjectName("unitRooms")
        self.unit_rooms.setPlaceholderText("room codes, e.g. OR1, OR2 (empty: any room)")
        self.unit_status = QComboBox()
        self.unit_status.setObjectName("unitStatus")
        for status in EquipmentStatus:
            self.unit_status.addItem(STATUS_TEXT[status], status)
        self.unit_turnaround = QSpinBox()
        self.unit_turnaround.setObjectName("unitTurnaround")
        self.unit_turnaround.setRange(TURNAROUND.low, TURNAROUND.high)  # service checks too
        self.unit_turnaround.setSingleStep(5)
        self.unit_turnaround.setSuffix(" min")
        self.unit_notes = QLineEdit()
        self.unit_notes.setObjectName("unitNotes")
        self.unit_notes.setPlaceholderText("e.g. serial number, service contract")
        self.unit_error = QLabel()
        self.unit_error.setObjectName("unitError")
        self.unit_errors = FieldErrors(self.unit_error)
        e = self.unit_errors
        form = QFormLayout()
        form.addRow("&Name", e.bind("name", self.unit_name, "unit"))
        form.addRow("&Kind", e.bind("kind", self.unit_kind))
        form.addRow("&Rooms", e.bind("rooms", self.unit_rooms))
        form.addRow("S&tatus", e.bind("status", self.unit_status))
        form.addRow("T&urnaround", e.bind("turnaround", self.unit_turnaround,
                                           "turnaround_min"))
        form.addRow("N&otes", e.bind("notes", self.unit_notes))
        self.change_label = QLabel()
        self.change_label.setObjectName("unitChange")
        self.change_label.setWordWrap(True)
        self.change_label.setStyleSheet(WARNING_STYLE)
        self.change_label.hide()
        self.save_button = _button("Add unit", "unitSave", self.save_unit)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.save_button)
        layout = QVBoxLayout(box)
        layout.addLayout(form)
        layout.addWidget(self.change_label)
        layout.addWidget(self.unit_error)
        layout.addLayout(row)
        return box

    def _closure_box(self) -> QGroupBox:
        box = QGroupBox("Dated closures (repair, service visit, loan)")
        self.closure_box = box
        self.closures = RowsModel(closure_columns(self.tz), key=lambda c: c.id, parent=self)
        self.closures_view = table_view("unitClosuresTable", self.closures)
        self.closure_from = _datetime_edit("unitClosureFrom")
        self.closure_to = _datetime_edit("unitClosureTo")
        self.closure_reason = QLineEdit()
        self.closure_reason.setObjectName("unitClosureReason")
        self.closure_reason.setPlaceholderText("e.g. annual service, repair")
        self.closure_error = QLabel()
        self.closure_error.setObjectName("unitClosureError")
        self.closure_errors = FieldErrors(self.closure_error)
        e = self.closure_errors
        form = QFormLayout()
        form.addRow("&From", e.bind("start", self.closure_from))
        form.addRow("T&o", e.bind("end", self.closure_to))
        form.addRow("R&eason", e.bind("reason", self.closure_reason))
        remove = _button("Remove closure", "unitClosureRemove", self.remove_closure)
        self.add_closure_button = _button("Add closure", "unitClosureAdd", self.add_closure)
        row = QHBoxLayout()
        row.addWidget(remove)
        row.addStretch(1)
        row.addWidget(self.add_closure_button)
        layout = QVBoxLayout(box)
        layout.addWidget(self.closures_view, 1)
        layout.addLayout(form)
        layout.addWidget(self.closure_error)
        layout.addLayout(row)
        return box

    # -- reading ----------------------------------------------------------------------

    def _list_call(self) -> _Listing:
        equipment = self.services.equipment
        return _Listing(equipment.kinds(self.actor), equipment.units(self.actor))

    def _open_call(self) -> tuple[ZoneInfo, list[str], _Listing]:
        s = self.services
        tz = zone(s.settings.get(self.actor).time_zone)
        rooms = [r.code for r in s.rooms.list_rooms(self.actor)]
        return tz, rooms, self._list_call()

    def _opened(self, answer: tuple[ZoneInfo, list[str], _Listing]) -> None:
        self.tz, self.room_codes, listing = answer
        self.closures.set_columns(closure_columns(self.tz))
        if len(self.room_codes) >= 2:
            example = ", ".join(self.room_codes[:2])
            self.unit_rooms.setPlaceholderText(f"room codes, e.g. {example} (empty: any room)")
        self._show(listing, None)
        fit_columns(self.units_view, self.splitter, self)
        if self.units.rowCount():
            self.units_view.selectRow(0)
        else:
            self.new_unit()

    def reload(self, unit_id: int | None = None, kind_id: int | None = None) -> None:
        self.read(self._list_call, lambda listing: self._show(listing, unit_id, kind_id),
                  self.unit_errors.show, "list the equipment")

    def _show(self, listing: _Listing, unit_id: int | None,
              kind_id: int | None = None) -> None:
        self.kinds.set_rows(listing.kinds)
        self.kinds_view.resizeColumnsToContents()
        keep_kind = kind_id if kind_id is not None else (self.kind.id if self.kind else None)
        if keep_kind is None or not select_key(self.kinds_view, keep_kind):
            self.kind = None
            self._sync_kind_buttons()
        self._fill_kind_picker(listing.kinds)
        self.units.set_rows(listing.units)
        self.units_view.resizeColumnsToContents()
        if unit_id is not None:
            select_key(self.units_view, unit_id)

    def _fill_kind_picker(self, kinds: list[EquipmentKindView]) -> None:
        """Active kinds (and the shown unit's own, even if inactive since)."""
        chosen = self.unit_kind.currentText()
        self.unit_kind.clear()
        own = self.current.kind if self.current is not None else None
        for kind in kinds:
            if kind.active or kind.name == own:
                label = kind.name if kind.active else f"{kind.name} (inactive)"
                self.unit_kind.addItem(label, kind.name)
        index = self.unit_kind.findData(chosen or own)
        self.unit_kind.setCurrentIndex(max(index, 0))

    # -- kinds ------------------------------------------------------------------------

    def show_kind(self, kind: EquipmentKindView) -> None:
        self.kind = kind
        self.kind_name.setText(kind.name)
        self.kind_errors.clear()
        self._sync_kind_buttons()

    def _busy(self, step: int) -> None:
        super()._busy(step)
        self._sync_kind_buttons()

    def _sync_kind_buttons(self) -> None:
        kind = self.kind
        ready = kind is not None and self._under_way == 0
        self.kind_rename.setEnabled(ready)
        self.kind_active.setEnabled(ready)
        self.kind_active.setText("Activate" if kind is not None and not kind.active
                                 else "Deactivate")

    def _kind_saved(self, kind: EquipmentKindView) -> None:
        self.kind = kind
        self.kind_name.setText(kind.name)
        self._sync_kind_buttons()
        self.reload(self.current.id if self.current else None, kind.id)

    def _op(self, key: Hashable) -> str:
        return self._ops.setdefault(key, uuid.uuid4().hex)

    def _done(self, key: Hashable, then: Callable[[Any], None]) -> Callable[[Any], None]:
        def answered(result: Any) -> None:
            self._ops.pop(key, None)
            then(result)

        return answered

    def add_kind(self) -> bool:
        name = self.kind_name.text()
        key = ("kind", name)
        op_id = self._op(key)
        return self.write(lambda: self.services.equipment.add_kind(self.actor, name,
                                                                   op_id=op_id),
                          self._done(key, self._kind_saved), self.kind_errors.show,
                          "add the kind")

    def rename_kind(self) -> bool:
        kind = self.kind
        if kind is None:
            self.kind_errors.say("Select the kind to rename.")
            return False
        name = self.kind_name.text()
        return self.write(lambda: self.services.equipment.update_kind(
            self.actor, kind.name, new_name=name, expected_version=kind.version),
            self._kind_saved, self.kind_errors.show, "rename the kind")

    def toggle_kind(self) -> bool:
        """Deactivate the selected kind (no new case may ask for it), or activate it."""
        kind = self.kind
        if kind is None:
            self.kind_errors.say("Select the kind to change.")
            return False
        return self.write(lambda: self.services.equipment.update_kind(
            self.actor, kind.name, active=not kind.active, expected_version=kind.version),
            self._kind_saved, self.kind_errors.show, "change the kind")

    # -- units ------------------------------------------------------------------------

    def show_unit(self, unit: EquipmentUnitView) -> None:
        if self.last_change is not None and self.last_change.unit.id != unit.id:
            self.change_label.hide()  # it spoke of another unit
        self.current = unit
        self.unit_box.setTitle(f"Unit {unit.name}")
        self.unit_name.setText(unit.name)
        self._fill_kind_picker(self.kinds.rows())
        self.unit_kind.setCurrentIndex(max(self.unit_kind.findData(unit.kind), 0))
        self.unit_rooms.setText(", ".join(unit.room_codes))
        self.unit_status.setCurrentIndex(self.unit_status.findData(unit.status))
        self.unit_turnaround.setValue(unit.turnaround_minutes)
        self.unit_notes.setText(unit.notes or "")
        self.unit_notes.setCursorPosition(0)  # the start of long notes, not their end
        self.save_button.setText("Save unit")
        self.unit_errors.clear()
        self.closure_box.setEnabled(True)
        self._reset_closure_form()
        self._load_closures()

    def new_unit(self) -> None:
        self.current = None
        self.units_view.clearSelection()
        self.unit_box.setTitle("New unit")
        for edit in (self.unit_name, self.unit_rooms, self.unit_notes):
            edit.clear()
        self._fill_kind_picker(self.kinds.rows())
        if self.kind is not None and self.kind.active:
            self.unit_kind.setCurrentIndex(max(self.unit_kind.findData(self.kind.name), 0))
        self.unit_status.setCurrentIndex(self.unit_status.findData(EquipmentStatus.AVAILABLE))
        self.unit_turnaround.setValue(0)
        self.save_button.setText("Add unit")
        self.unit_errors.clear()
        self.closures.set_rows([])
        self.closure_box.setEnabled(False)
        self.unit_name.setFocus()

    def _unit_values(self) -> dict[str, Any]:
        notes = self.unit_notes.text().strip()
        return {
            "name": self.unit_name.text(),
            "kind": self.unit_kind.currentData() or "",
            "rooms": parse_rooms(self.unit_rooms.text()),
            "turnaround_min": self.unit_turnaround.value(),
            "status": EquipmentStatus(self.unit_status.currentData()),
            "notes": notes or None,
        }

    def _unit_changes(self, unit: EquipmentUnitView, values: dict[str, Any]) -> dict[str, Any]:
        """Only what was changed goes to ``update_unit`` (each change re-checks the holds)."""
        was = {"name": unit.name, "kind": unit.kind, "rooms": list(unit.room_codes),
               "turnaround_min": unit.turnaround_minutes, "status": unit.status,
               "notes": unit.notes}
        changes = {key: value for key, value in values.items() if value != was[key]}
        if "name" in changes:
            changes["new_name"] = changes.pop("name")
        if "notes" in changes and changes["notes"] is None:
            changes["notes"] = ""  # cleared: None would mean "unchanged"
        return changes

    def save_unit(self) -> bool:
        values = self._unit_values()
        unit = self.current
        self.change_label.hide()
        if unit is None:
            key = ("unit", repr(sorted(values.items())))
            op_id = self._op(key)
            return self.write(lambda: self.services.equipment.add_unit(
                self.actor, op_id=op_id, **values), self._done(key, self._unit_added),
                self.unit_errors.show, "add the unit")
        changes = self._unit_changes(unit, values)
        what = _status_words(changes.get("status"))
        return self.write(lambda: self.services.equipment.update_unit(
            self.actor, unit.name, expected_version=unit.version, **changes),
            lambda change: self._unit_changed(change, what), self.unit_errors.show,
            "save the unit")

    def _unit_added(self, unit: EquipmentUnitView) -> None:
        self.current = unit
        self.reload(unit.id)
        self.show_unit(unit)

    def _unit_changed(self, change: UnitChange, what: str) -> None:
        self.reload(change.unit.id)
        self.show_unit(change.unit)
        self.say_change(change, what)

    def say_change(self, change: UnitChange, what: str) -> None:
        """Show, under the unit, which cases lost it and which got another unit."""
        self.last_change = change
        text = change_text(change, what)
        self.change_label.setText(text)
        self.change_label.setVisible(bool(text))

    # -- closures ---------------------------------------------------------------------

    def _load_closures(self) -> None:
        unit = self.current
        if unit is None:
            self.closures.set_rows([])
            return

        def show(rows: list[EquipmentClosureView]) -> None:
            if self.current is not None and self.current.id == unit.id:
                self.closures.set_rows(rows)
                self.closures_view.resizeColumnsToContents()

        self.read(lambda: self.services.equipment.closures(self.actor, unit.name), show,
                  self.closure_errors.show, "list the unit's closures")

    def _reset_closure_form(self) -> None:
        tomorrow = (self.services.clock.now().astimezone(self.tz) + timedelta(days=1)).date()
        start = datetime.combine(tomorrow, time(7, 0))
        self.closure_from.setDateTime(qt_datetime(start))
        self.closure_to.setDateTime(qt_datetime(start + timedelta(hours=12)))
        self.closure_reason.clear()
        self.closure_errors.clear()

    def closure_span(self) -> tuple[datetime, datetime]:
        return py_datetime(self.closure_from.dateTime()), py_datetime(self.closure_to.dateTime())

    def add_closure(self) -> bool:
        unit = self.current
        if unit is None:
            return False
        start, end = self.closure_span()
        reason = self.closure_reason.text()
        until = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%d %b %H:%M}"
        what = f"closed {start:%d %b %H:%M}–{until}"
        key = ("closure", unit.id, start, end, reason)
        op_id = self._op(key)

        def added(change: UnitChange) -> None:
            self._unit_changed(change, what)

        return self.write(lambda: self.services.equipment.close_unit(
            self.actor, unit.name, start=start, end=end, reason=reason, op_id=op_id),
            self._done(key, added), self.closure_errors.show, "close the unit")

    def remove_closure(self) -> bool:
        closure = selected_row(self.closures_view)
        if not isinstance(closure, EquipmentClosureView):
            self.closure_errors.say("Select the closure to remove.")
            return False
        return self.write(lambda: self.services.equipment.remove_closure(
            self.actor, closure.id, expected_version=closure.version),
            lambda _unit: self._load_closures(), self.closure_errors.show,
            "remove the closure")


def _status_words(status: EquipmentStatus | None) -> str:
    if status is EquipmentStatus.MAINTENANCE:
        return "went to maintenance"
    if status is EquipmentStatus.RETIRED:
        return "was retired"
    return "was changed"


def _datetime_edit(name: str) -> QDateTimeEdit:
    edit = QDateTimeEdit()
    edit.setObjectName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("ddd dd MMM yyyy HH:mm")
    return edit


def _button(text: str, name: str, slot: Callable[[], object]) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.clicked.connect(lambda _checked=False: slot())
    return button

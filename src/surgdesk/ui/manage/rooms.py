"""Rooms (admin, scheduler): the room list, one room's fields, and its dated closures.

A closure over booked cases is allowed — a broken laminar-flow unit closes the room
whatever is booked — but never silently: while the closure is being typed, the cases it
would clash with are listed under it and the button says so. After saving, the service
refuses new bookings in the closed span.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from surgdesk.domain.enums import RoomStatus
from surgdesk.domain.limits import TURNOVER
from surgdesk.domain.permissions import Action
from surgdesk.domain.room_hours import daily_hours_text
from surgdesk.domain.timezones import zone
from surgdesk.services.context import Actor
from surgdesk.services.dto import ClosureView, RoomView
from surgdesk.services.registry import Services
from surgdesk.ui.manage.common import (
    Column,
    FieldErrors,
    RowsModel,
    ServiceDialog,
    fit_columns,
    list_and_form,
    on_select,
    py_datetime,
    py_time,
    qt_datetime,
    qt_time,
    require_screen,
    select_key,
    selected_row,
    table_view,
)
from surgdesk.ui.runner import ServiceRunner

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WARNING_STYLE = "color: #8a5a00; font-weight: bold;"


def room_columns() -> list[Column[RoomView]]:
    return [
        Column("Code", lambda r: r.code),
        Column("Name", lambda r: r.name),
        Column("Location", lambda r: r.location or ""),
        Column("Status", lambda r: r.status.value, muted=lambda r: r.status is not
               RoomStatus.ACTIVE),
        Column("Specialties", lambda r: ", ".join(r.specialty_tags) or "any"),
        Column("Turnover", lambda r: f"{r.turnover_minutes} min",
               sort=lambda r: r.turnover_minutes, align_right=True),
        Column("Hours", lambda r: daily_hours_text(r.opens_at, r.closes_at).replace("-", "–")),
        Column("Days", lambda r: " ".join(WEEKDAYS[d] for d in r.weekdays)),
    ]


def closure_columns(tz: ZoneInfo) -> list[Column[ClosureView]]:
    return [
        Column("From", lambda c: f"{c.starts_at.astimezone(tz):%a %d %b %Y %H:%M}",
               sort=lambda c: c.starts_at.timestamp()),
        Column("To", lambda c: f"{c.ends_at.astimezone(tz):%a %d %b %Y %H:%M}",
               sort=lambda c: c.ends_at.timestamp()),
        Column("Reason", lambda c: c.reason),
    ]


class RoomsDialog(ServiceDialog):
    """Rooms and their closures, read and changed through a ``ServiceRunner`` (off the GUI
    thread); the department's zone (closure times) comes with the first read."""

    def __init__(self, services: Services, actor: Actor, parent: QWidget | None = None, *,
                 runner: ServiceRunner | None = None) -> None:
        require_screen(actor, Action.MANAGE_ROOMS, "rooms screen")
        super().__init__(parent)
        self.setObjectName("roomsDialog")
        self.setWindowTitle("Operating rooms — SurgDesk")
        self._init_calls(runner)
        self.services = services
        self.actor = actor
        self.tz = ZoneInfo("UTC")  # the department's, once read
        self.current: RoomView | None = None
        self.clashes: list[str] = []

        self.rooms = RowsModel(room_columns(), key=lambda r: r.code, parent=self)
        self.rooms_view = table_view("roomsTable", self.rooms)
        on_select(self.rooms_view, RoomView, self.show_room)
        new_room = QPushButton("New room")
        new_room.setObjectName("roomNew")
        new_room.clicked.connect(self.new_room)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.rooms_view, 1)
        left_layout.addWidget(new_room)

        self.rooms_splitter = list_and_form(self, left, self._room_form(),
                                            self._closure_box(), sizes=(740, 540), height=760)
        self.busy_widgets = [self.save_button, self.add_closure_button]
        self.read(lambda: (zone(services.settings.get(actor).time_zone),
                           services.rooms.list_rooms(actor)),
                  self._opened, self.room_errors.show, "list the rooms")

    def _opened(self, answer: tuple[ZoneInfo, list[RoomView]]) -> None:
        self.tz, rooms = answer
        self.closures.set_columns(closure_columns(self.tz))
        self._show_rooms(rooms, None)
        fit_columns(self.rooms_view, self.rooms_splitter, self)
        if self.rooms.rowCount():
            self.rooms_view.selectRow(0)
        else:
            self.new_room()

    # -- building ---------------------------------------------------------------------

    def _room_form(self) -> QGroupBox:
        box = QGroupBox("Room")
        self.room_box = box
        self.code = QLineEdit()
        self.code.setObjectName("roomCode")
        self.name = QLineEdit()
        self.name.setObjectName("roomName")
        self.location = QLineEdit()
        self.location.setObjectName("roomLocation")
        self.tags = QLineEdit()
        self.tags.setObjectName("roomTags")
        self.tags.setPlaceholderText("e.g. orthopedics, trauma (empty: any specialty)")
        self.status = QComboBox()
        self.status.setObjectName("roomStatus")
        for status in RoomStatus:
            self.status.addItem(status.value.capitalize(), status)
        self.turnover = QSpinBox()
        self.turnover.setObjectName("roomTurnover")
        self.turnover.setRange(TURNOVER.low, TURNOVER.high)
        self.turnover.setSingleStep(5)
        self.turnover.setSuffix(" min")
        self.opens = QTimeEdit()
        self.opens.setObjectName("roomOpens")
        self.opens.setDisplayFormat("HH:mm")
        self.closes = QTimeEdit()
        self.closes.setObjectName("roomCloses")
        self.closes.setDisplayFormat("HH:mm")
        hours = QWidget()
        hours_layout = QHBoxLayout(hours)
        hours_layout.setContentsMargins(0, 0, 0, 0)
        hours_layout.addWidget(self.opens)
        hours_layout.addWidget(QLabel("to"))
        hours_layout.addWidget(self.closes)
        hours_layout.addStretch(1)
        self.weekdays = [QCheckBox(name) for name in WEEKDAYS]
        days = QWidget()
        days_layout = QHBoxLayout(days)
        days_layout.setContentsMargins(0, 0, 0, 0)
        for n, box_ in enumerate(self.weekdays):
            box_.setObjectName(f"roomDay{n}")
            days_layout.addWidget(box_)
        days_layout.addStretch(1)

        self.room_error = QLabel()
        self.room_error.setObjectName("roomError")
        self.room_errors = FieldErrors(self.room_error)
        e = self.room_errors
        form = QFormLayout()
        form.addRow("&Code", e.bind("code", self.code))
        form.addRow("&Name", e.bind("name", self.name))
        form.addRow("&Location", e.bind("location", self.location))
        form.addRow("&Specialties", e.bind("specialty_tags", self.tags))
        form.addRow("S&tatus", e.bind("status", self.status))
        form.addRow("T&urnover", e.bind("turnover_minutes", self.turnover))
        form.addRow("&Hours", e.bind("opens_at", hours, "closes_at"))
        form.addRow("&Weekdays", e.bind("weekdays", days))
        self.save_button = QPushButton("Save room")
        self.save_button.setObjectName("roomSave")
        self.save_button.clicked.connect(self.save_room)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.save_button)
        layout = QVBoxLayout(box)
        layout.addLayout(form)
        layout.addWidget(self.room_error)
        layout.addLayout(row)
        return box

    def _closure_box(self) -> QGroupBox:
        box = QGroupBox("Dated closures")
        self.closure_box = box
        self.closures = RowsModel(closure_columns(self.tz), key=lambda c: c.id, parent=self)
        self.closures_view = table_view("closuresTable", self.closures)
        remove = QPushButton("Remove closure")
        remove.setObjectName("closureRemove")
        remove.clicked.connect(self.remove_closure)

        self.closure_from = QDateTimeEdit()
        self.closure_from.setObjectName("closureFrom")
        self.closure_to = QDateTimeEdit()
        self.closure_to.setObjectName("closureTo")
        for edit in (self.closure_from, self.closure_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("ddd dd MMM yyyy HH:mm")
            edit.dateTimeChanged.connect(self.preview_clashes)
        self.closure_reason = QLineEdit()
        self.closure_reason.setObjectName("closureReason")
        self.closure_reason.setPlaceholderText("e.g. deep clean, maintenance, staffing")
        self.clash_label = QLabel()
        self.clash_label.setObjectName("closureClashes")
        self.clash_label.setWordWrap(True)
        self.clash_label.setStyleSheet(WARNING_STYLE)
        self.clash_label.hide()
        self.closure_error = QLabel()
        self.closure_error.setObjectName("closureError")
        self.closure_errors = FieldErrors(self.closure_error)
        e = self.closure_errors
        form = QFormLayout()
        form.addRow("&From", e.bind("starts_at", self.closure_from))
        form.addRow("T&o", e.bind("ends_at", self.closure_to))
        form.addRow("&Reason", e.bind("reason", self.closure_reason))
        self.add_closure_button = QPushButton("Add closure")
        self.add_closure_button.setObjectName("closureAdd")
        self.add_closure_button.clicked.connect(self.add_closure)
        row = QHBoxLayout()
        row.addWidget(remove)
        row.addStretch(1)
        row.addWidget(self.add_closure_button)
        layout = QVBoxLayout(box)
        layout.addWidget(self.closures_view, 1)
        layout.addLayout(form)
        layout.addWidget(self.clash_label)
        layout.addWidget(self.closure_error)
        layout.addLayout(row)
        return box

    # -- rooms ------------------------------------------------------------------------

    def reload(self, select: str | None = None) -> None:
        self.read(lambda: self.services.rooms.list_rooms(self.actor),
                  lambda rooms: self._show_rooms(rooms, select), self.room_errors.show,
                  "list the rooms")

    def _show_rooms(self, rooms: list[RoomView], select: str | None) -> None:
        self.rooms.set_rows(rooms)
        self.rooms_view.resizeColumnsToContents()
        if select is not None:
            select_key(self.rooms_view, select)

    def show_room(self, room: RoomView) -> None:
        self.current = room
        self.room_box.setTitle(f"Room {room.code}")
        self.code.setText(room.code)
        self.name.setText(room.name)
        self.location.setText(room.location or "")
        self.tags.setText(", ".join(room.specialty_tags))
        self.status.setCurrentIndex(self.status.findData(room.status))
        self.turnover.setValue(room.turnover_minutes)
        self.opens.setTime(qt_time(room.opens_at))
        self.closes.setTime(qt_time(room.closes_at))
        for n, box in enumerate(self.weekdays):
            box.setChecked(n in room.weekdays)
        self.save_button.setText("Save room")
        self.room_errors.clear()
        self.closure_box.setEnabled(True)
        self._reset_closure_form()
        self._load_closures()

    def new_room(self) -> None:
        self.current = None
        self.rooms_view.clearSelection()
        self.room_box.setTitle("New room")
        for edit in (self.code, self.name, self.location, self.tags):
            edit.clear()
        self.status.setCurrentIndex(self.status.findData(RoomStatus.ACTIVE))
        self.turnover.setValue(30)
        self.opens.setTime(QTime(7, 0))
        self.closes.setTime(QTime(19, 0))
        for n, box in enumerate(self.weekdays):
            box.setChecked(n < 5)
        self.save_button.setText("Add room")
        self.room_errors.clear()
        self.closures.set_rows([])
        self.closure_box.setEnabled(False)
        self.code.setFocus()

    def _room_values(self) -> dict[str, Any]:
        return {
            "code": self.code.text(),
            "name": self.name.text(),
            "location": self.location.text(),
            "specialty_tags": [t for t in (p.strip() for p in self.tags.text().split(","))
                               if t],
            "status": self.status.currentData(),
            "turnover_minutes": self.turnover.value(),
            "opens_at": py_time(self.opens.time()),
            "closes_at": py_time(self.closes.time()),
            "weekdays": [n for n, box in enumerate(self.weekdays) if box.isChecked()],
        }

    def save_room(self) -> bool:
        values = self._room_values()
        current = self.current

        def saved(room: RoomView) -> None:
            self.reload(select=room.code)
            self.show_room(room)

        if current is None:
            return self.write(lambda: self.services.rooms.add_room(self.actor, **values),
                              saved, self.room_errors.show, "add the room")
        return self.write(lambda: self.services.rooms.update_room(
            self.actor, current.code, expected_version=current.version, **values),
            saved, self.room_errors.show, "save the room")

    # -- closures ---------------------------------------------------------------------

    def _load_closures(self) -> None:
        if self.current is None:
            self.closures.set_rows([])
            return
        code = self.current.code
        now = self.services.clock.now().astimezone(self.tz).replace(tzinfo=None)

        def show(rows: list[ClosureView]) -> None:
            if self.current is not None and self.current.code == code:
                self.closures.set_rows(rows)
                self.closures_view.resizeColumnsToContents()

        self.read(lambda: self.services.rooms.closures(self.actor, code,
                                                       now - timedelta(days=1), None),
                  show, self.closure_errors.show, "list the closures")

    def _reset_closure_form(self) -> None:
        tomorrow = (self.services.clock.now().astimezone(self.tz) + timedelta(days=1)).date()
        start = datetime.combine(tomorrow, time(7, 0))
        for edit, value in ((self.closure_from, start),
                            (self.closure_to, start + timedelta(hours=12))):
            edit.blockSignals(True)
            edit.setDateTime(qt_datetime(value))
            edit.blockSignals(False)
        self.closure_reason.clear()
        self.closure_errors.clear()
        self.preview_clashes()

    def closure_span(self) -> tuple[datetime, datetime]:
        return py_datetime(self.closure_from.dateTime()), py_datetime(self.closure_to.dateTime())

    def preview_clashes(self) -> None:
        """List, under the form, the booked cases the closure being typed would clash with
        (``clashes`` once the answer is back)."""
        self.clashes = []
        self.clash_label.hide()
        self.add_closure_button.setText("Add closure")
        if self.current is None:
            return
        code = self.current.code
        start, end = self.closure_span()
        if end <= start:
            return

        def show(clashes: list[str]) -> None:
            if self.current is None or self.current.code != code \
                    or self.closure_span() != (start, end):
                return  # the span or the room changed meanwhile: its own answer follows
            self.clashes = clashes
            if clashes:
                count = len(clashes)
                cases = "case" if count == 1 else "cases"
                self.clash_label.setText(
                    f"Warning: {count} booked {cases} in this span — "
                    f"{', '.join(clashes)}. They keep their slot until someone moves them; "
                    "the closure only stops new bookings.")
                self.clash_label.show()
                self.add_closure_button.setText(f"Add closure despite {count} {cases}")

        self.read(lambda: self.services.rooms.cases_clashing_with_closure(
            self.actor, code, start, end), show, self.closure_errors.show,
            "check the closure")

    def add_closure(self) -> bool:
        if self.current is None:
            return False
        code = self.current.code
        start, end = self.closure_span()
        reason = self.closure_reason.text()

        def added(_closure: object) -> None:
            self._load_closures()
            self._reset_closure_form()

        return self.write(lambda: self.services.rooms.add_closure(
            self.actor, code, starts_at=start, ends_at=end, reason=reason),
            added, self.closure_errors.show, "add the closure")

    def remove_closure(self) -> bool:
        closure = selected_row(self.closures_view)
        if not isinstance(closure, ClosureView):
            self.closure_errors.say("Select the closure to remove.")
            return False
        closure_id = closure.id
        return self.write(lambda: self.services.rooms.remove_closure(self.actor, closure_id),
                          lambda _none: self._load_closures(), self.closure_errors.show,
                          "remove the closure")

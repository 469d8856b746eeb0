"""Blocks (issue 14 item 6): a room's time reserved on a pattern for a surgeon or a
service; its dates, releasing one (and taking a release back), exceptions, and block
utilization over a range.

Admins and schedulers manage every block. A surgeon sees their own blocks and their
service's, and may release those dates. The buttons follow the role
(``domain.permissions.allowed``); the service decides every call, and a refusal is said
beside the field it names. Every call goes through the runner, off the GUI thread.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from surgdesk.domain.enums import Role
from surgdesk.domain.permissions import Action, allowed
from surgdesk.domain.timezones import zone
from surgdesk.errors import PermissionDenied
from surgdesk.services.context import Actor
from surgdesk.services.dto import (
    BlockExceptionView,
    BlockUsageReport,
    BlockView,
    OccurrenceView,
)
from surgdesk.services.registry import Services
from surgdesk.ui.manage.block_form import (
    BlockFormDialog,
    date_edit,
    py_date,
    q_date,
    time_edit,
)
from surgdesk.ui.manage.block_tables import block_columns, date_columns, exception_columns
from surgdesk.ui.manage.block_usage import UsagePanel
from surgdesk.ui.manage.common import (
    FieldErrors,
    RowsModel,
    ServiceDialog,
    filter_box,
    fit_columns,
    on_select,
    py_time,
    qt_time,
    select_key,
    selected_row,
    table_view,
)
from surgdesk.ui.runner import ServiceRunner

ALL_ROOMS = "All rooms"
DATES_AHEAD = timedelta(weeks=12)  # the dates listed for the selected block


def may_open_blocks(actor: Actor) -> bool:
    """Admins and schedulers (manage), and surgeons (their own blocks)."""
    return not actor.is_device and (allowed(actor.role, Action.MANAGE_BLOCKS)
                                    or allowed(actor.role, Action.RELEASE_BLOCK, owns=True))


@dataclass(frozen=True)
class _Opening:
    tz: ZoneInfo
    today: date
    rooms: list[str]
    surgeons: list[tuple[str, str]]
    specialties: list[str]
    my_specialty: str | None


class BlocksDialog(ServiceDialog):
    def __init__(self, services: Services, actor: Actor, parent: QWidget | None = None, *,
                 runner: ServiceRunner | None = None) -> None:
        if not may_open_blocks(actor):
            role = actor.role.value if actor.role else "no role"
            raise PermissionDenied(f"{actor.username or 'anonymous'} ({role}) may not open "
                                   "the blocks screen")
        super().__init__(parent)
        self.setObjectName("blocksDialog")
        self.setWindowTitle("Blocks — SurgDesk")
        self._init_calls(runner)
        self.services, self.actor = services, actor
        self.may_manage = allowed(actor.role, Action.MANAGE_BLOCKS)
        # A surgeon is shown only blocks they own (theirs, their service's).
        self.may_release = allowed(actor.role, Action.RELEASE_BLOCK, owns=True)
        self.opening: _Opening | None = None
        self.current: BlockView | None = None
        self._release_ops: dict[tuple[int, date], str] = {}
        self.tabs = QTabWidget()
        self.tabs.addTab(self._blocks_tab(), "Blocks")
        self.usage = UsagePanel(self.read, self._usage, date.today(), self)
        self.tabs.addTab(self.usage, "Utilization")
        self.tabs.currentChanged.connect(self._tab_shown)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        self.resize(1280, 760)
        self.busy_widgets = [self.release_button, self.unrelease_button, self.end_button,
                             self.cancel_date_button, self.hours_button]
        self.read(self._open_call, self._opened, self.list_errors.show, "open the blocks")

    # -- building ---------------------------------------------------------------------

    def _blocks_tab(self) -> QWidget:
        self.blocks = RowsModel(block_columns(), key=lambda b: b.id, parent=self)
        self.blocks_view = table_view("blocksTable", self.blocks)
        on_select(self.blocks_view, BlockView, self.show_block)
        self.room_filter = QComboBox()
        self.room_filter.setObjectName("blocksRoomFilter")
        self.room_filter.addItem(ALL_ROOMS)
        self.room_filter.currentIndexChanged.connect(lambda _i: self.reload())
        self.owner_filter = filter_box(self.blocks_view, "blocksOwnerFilter",
                                       "Filter by owner, room or pattern")
        filters = QHBoxLayout()
        filters.addWidget(self.room_filter)
        filters.addWidget(self.owner_filter, 1)
        self.new_button = _button("New block…", "blockNew", self.new_block)
        self.edit_button = _button("Edit…", "blockEdit", self.edit_block)
        self.end_after = date_edit("blockEndAfter")
        self.end_button = _button("End after", "blockEnd", self.end_block)
        manage = QHBoxLayout()
        for widget in (self.new_button, self.edit_button):
            manage.addWidget(widget)
        manage.addStretch(1)
        manage.addWidget(self.end_button)
        manage.addWidget(self.end_after)
        self.list_error = QLabel()
        self.list_error.setObjectName("blocksError")
        self.list_errors = FieldErrors(self.list_error)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(filters)
        left_layout.addWidget(self.blocks_view, 1)
        left_layout.addWidget(self.list_error)
        if self.may_manage:
            left_layout.addLayout(manage)
        for shown in (self.new_button, self.edit_button, self.end_button, self.end_after):
            shown.setVisible(self.may_manage)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self._dates_box())
        splitter.setSizes([700, 580])
        self.splitter = splitter
        return splitter

    def _dates_box(self) -> QGroupBox:
        box = QGroupBox("Dates")
        self.dates_box = box
        self.summary = QLabel("Select a block to see its dates.")
        self.summary.setObjectName("blockSummary")
        self.summary.setWordWrap(True)
        self.dates = RowsModel(date_columns(ZoneInfo("UTC")), key=lambda o: o.day, parent=self)
        self.dates_view = table_view("blockDatesTable", self.dates)
        self.reason = QLineEdit()
        self.reason.setObjectName("releaseReason")
        self.reason.setPlaceholderText("e.g. surgeon on leave, congress")
        self.release_button = _button("Release date", "releaseDate", self.release_selected)
        self.unrelease_button = _button("Take back", "unreleaseDate", self.unrelease_selected)
        self.release_button.setVisible(self.may_release)
        self.unrelease_button.setVisible(self.may_manage)
        self.reason.setVisible(self.may_release)
        self.date_error = QLabel()
        self.date_error.setObjectName("dateError")
        self.date_errors = FieldErrors(self.date_error)
        release_row = QHBoxLayout()
        release_row.addWidget(self.date_errors.bind("reason", self.reason, "date"), 1)
        release_row.addWidget(self.release_button)
        release_row.addWidget(self.unrelease_button)
        reason_label = QLabel("&Reason")
        reason_label.setBuddy(self.reason)
        release_row.insertWidget(0, reason_label)
        layout = QVBoxLayout(box)
        layout.addWidget(self.summary)
        layout.addWidget(self.dates_view, 2)
        if self.may_release:
            layout.addLayout(release_row)
        layout.addWidget(self.date_error)
        layout.addWidget(self._exceptions_box(), 1)
        return box

    def _exceptions_box(self) -> QGroupBox:
        box = QGroupBox("Exceptions (one date cancelled, or other hours that day)")
        box.setVisible(self.may_manage)
        self.exceptions = RowsModel(exception_columns(), key=lambda e: e.day, parent=self)
        self.exceptions_view = table_view("blockExceptionsTable", self.exceptions)
        self.other_start = time_edit("exceptionStart")
        self.other_end = time_edit("exceptionEnd")
        self.cancel_date_button = _button("Cancel selected date", "exceptionCancel",
                                          lambda: self.set_exception(cancelled=True))
        self.hours_button = _button("Other hours", "exceptionHours",
                                    lambda: self.set_exception(cancelled=False))
        clear = _button("Clear exception", "exceptionClear", self.clear_exception)
        row = QHBoxLayout()
        for widget in (self.cancel_date_button, self.hours_button, self.other_start,
                       QLabel("to"), self.other_end):
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(clear)
        layout = QVBoxLayout(box)
        layout.addWidget(self.exceptions_view, 1)
        layout.addLayout(row)
        return box

    # -- reading ----------------------------------------------------------------------

    def _open_call(self) -> tuple[_Opening, list[BlockView]]:
        s, actor = self.services, self.actor
        tz = zone(s.settings.get(actor).time_zone)
        today = s.clock.now().astimezone(tz).date()
        rooms = [r.code for r in s.rooms.list_rooms(actor)]
        surgeons = s.users.users_with_roles(actor, [Role.SURGEON])
        mine = s.users.get_user(actor, actor.username).specialty if actor.username else None
        specialties = sorted({u.specialty for u in surgeons if u.specialty}, key=str.lower)
        opening = _Opening(tz, today, rooms, [(u.username, u.display_name) for u in surgeons],
                           specialties, mine)
        return opening, self._list_call(opening, None)

    def _list_call(self, opening: _Opening, room: str | None) -> list[BlockView]:
        blocks = self.services.blocks
        if self.may_manage:
            return blocks.list_blocks(self.actor, room=room)
        owners = [self.actor.username, *([opening.my_specialty] if opening.my_specialty
                                         else [])]
        found = {b.id: b for owner in owners
                 for b in blocks.list_blocks(self.actor, room=room, owner=owner)}
        return sorted(found.values(), key=lambda b: (b.room_code, b.start, b.id))

    def _opened(self, answer: tuple[_Opening, list[BlockView]]) -> None:
        opening, blocks = answer
        self.opening = opening
        self.dates.set_columns(date_columns(opening.tz))
        self.room_filter.blockSignals(True)
        self.room_filter.addItems(opening.rooms)
        self.room_filter.blockSignals(False)
        self.end_after.setDate(q_date(opening.today))
        self.usage.set_range(opening.today - timedelta(days=28),
                             opening.today - timedelta(days=1))
        self._show_blocks(blocks, None)
        fit_columns(self.blocks_view, self.splitter, self)

    def _tab_shown(self, index: int) -> None:
        if self.tabs.widget(index) is self.usage and self.usage.report is None \
                and self.opening is not None:
            self.usage.refresh()  # the figure at once, for the default range

    def room_code(self) -> str | None:
        text = self.room_filter.currentText()
        return None if text == ALL_ROOMS else text

    def reload(self, select: int | None = None) -> None:
        opening = self.opening
        if opening is None:
            return
        room = self.room_code()
        self.read(lambda: self._list_call(opening, room),
                  lambda blocks: self._show_blocks(blocks, select), self.list_errors.show,
                  "list the blocks")

    def _show_blocks(self, blocks: list[BlockView], select: int | None) -> None:
        """The list, and the block to show beside it: ``select``, else the one shown
        before if still listed, else the first (the dates never belong to a block the
        list no longer holds)."""
        self.blocks.set_rows(blocks)
        self.blocks_view.resizeColumnsToContents()
        keep = select if select is not None else (self.current.id if self.current else None)
        if keep is not None and select_key(self.blocks_view, keep):
            return
        if blocks:
            self.blocks_view.selectRow(0)
            return
        self.current = None
        self.dates.set_rows([])
        self.exceptions.set_rows([])
        self.summary.setText("No blocks" + (f" in {self.room_code()}."
                                           if self.room_code() else "."))

    def show_block(self, block: BlockView) -> None:
        self.current = block
        release = (f"released by rule {block.effective_release_days} d ahead when unused"
                   if block.effective_release_days else "never released by rule")
        self.summary.setText(f"<b>{block.owner_label}</b> — {block.room_code}, "
                             f"{block.pattern_text}; {release}.")
        self.exceptions.set_rows(block.exceptions)
        self.other_start.setTime(qt_time(block.start))  # other hours start from the usual
        self.other_end.setTime(qt_time(block.end))
        self.date_errors.clear()
        self.load_dates()

    def load_dates(self) -> None:
        block, opening = self.current, self.opening
        if block is None or opening is None:
            self.dates.set_rows([])
            return
        first = max(opening.today, block.valid_from)
        last = first + DATES_AHEAD

        def show(rows: list[OccurrenceView]) -> None:
            if self.current is not None and self.current.id == block.id:
                self.dates.set_rows([o for o in rows if o.block_id == block.id])
                self.dates_view.resizeColumnsToContents()

        self.read(lambda: self.services.blocks.occurrences(self.actor, first, last,
                                                           room=block.room_code),
                  show, self.date_errors.show, "list the block's dates")

    def _usage(self, first: date, last: date) -> BlockUsageReport:
        return self.services.blocks.usage(self.actor, first, last, room=self.room_code())

    # -- blocks -----------------------------------------------------------------------

    def form(self, block: BlockView | None) -> BlockFormDialog | None:
        """The create / edit form (shown by ``new_block`` / ``edit_block``)."""
        opening = self.opening
        if opening is None:
            return None
        return BlockFormDialog(self.services, self.actor, rooms=opening.rooms,
                               surgeons=opening.surgeons, specialties=opening.specialties,
                               today=opening.today, block=block, parent=self,
                               runner=self.runner)

    def _run_form(self, block: BlockView | None) -> BlockView | None:
        dialog = self.form(block)
        if dialog is None or dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        if dialog.saved is not None:
            self.reload(select=dialog.saved.id)
        return dialog.saved

    def new_block(self) -> BlockView | None:
        return self._run_form(None)

    def edit_block(self) -> BlockView | None:
        if self.current is None:
            self.list_errors.say("Select the block to edit.")
            return None
        return self._run_form(self.current)

    def end_block(self) -> bool:
        block = self.current
        if block is None:
            self.list_errors.say("Select the block to end.")
            return False
        after = py_date(self.end_after.date())
        return self.write(lambda: self.services.blocks.end(self.actor, block.id, after),
                          self._block_changed, self.list_errors.show, "end the block")

    def _block_changed(self, block: BlockView) -> None:
        self.reload(select=block.id)
        self.show_block(block)

    # -- dates: release, take back, exceptions ----------------------------------------

    def selected_date(self) -> OccurrenceView | None:
        row = selected_row(self.dates_view)
        return row if isinstance(row, OccurrenceView) else None

    def release(self, occurrence: OccurrenceView, reason: str) -> bool:
        """Release one date with a reason (the service decides whether this actor may)."""
        key = (occurrence.block_id, occurrence.day)
        op_id = self._release_ops.setdefault(key, uuid.uuid4().hex)

        def released(_occ: OccurrenceView) -> None:
            self._release_ops.pop(key, None)
            self.reason.clear()
            self.load_dates()

        return self.write(lambda: self.services.blocks.release(
            self.actor, occurrence.block_id, occurrence.day, reason, op_id=op_id),
            released, self.date_errors.show, "release the date")

    def release_selected(self) -> bool:
        occurrence = self.selected_date()
        if occurrence is None:
            self.date_errors.say("Select the date to release.")
            return False
        return self.release(occurrence, self.reason.text())

    def unrelease_selected(self) -> bool:
        occurrence = self.selected_date()
        if occurrence is None:
            self.date_errors.say("Select the released date to take back.")
            return False
        return self.write(lambda: self.services.blocks.unrelease(
            self.actor, occurrence.block_id, occurrence.day),
            lambda _occ: self.load_dates(), self.date_errors.show, "take the release back")

    def set_exception(self, *, cancelled: bool) -> bool:
        block, occurrence = self.current, self.selected_date()
        if block is None or occurrence is None:
            self.date_errors.say("Select the date to change.")
            return False
        start = None if cancelled else py_time(self.other_start.time())
        end = None if cancelled else py_time(self.other_end.time())
        reason = self.reason.text() or None
        return self.write(lambda: self.services.blocks.set_exception(
            self.actor, block.id, occurrence.day, cancelled=cancelled, start=start, end=end,
            reason=reason), self._block_changed, self.date_errors.show, "change the date")

    def clear_exception(self) -> bool:
        block = self.current
        row = selected_row(self.exceptions_view)
        if block is None or not isinstance(row, BlockExceptionView):
            self.date_errors.say("Select the exception to clear.")
            return False
        day = row.day
        return self.write(lambda: self.services.blocks.clear_exception(self.actor, block.id,
                                                                       day),
                          self._block_changed, self.date_errors.show, "clear the exception")


def _button(text: str, name: str, slot: Callable[[], object]) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.clicked.connect(lambda _checked=False: slot())
    return button

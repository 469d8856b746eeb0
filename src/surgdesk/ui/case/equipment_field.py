"""The case form's equipment: the kinds a case needs, one line per unit, each optionally
with the unit the user picked ("C-arm (C-arm 2)"); once the case is placed, the unit each
need holds is shown beside it, read-only, and a need left without one in red.

The form sends the needs as ``equipment=`` (kind names) and the picks as ``units=`` (unit
names) on create and update; the service allocates and refuses (``EquipmentConflict``
names the cases holding the units) — nothing is decided here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from surgdesk.domain.enums import EquipmentStatus
from surgdesk.services.dto import CaseEquipmentView, EquipmentUnitView

ANY_UNIT = "any free unit"
MISSING = QColor("#a40000")
MAX_COUNT = 4  # units of one kind added at once

# A need as the form compares and saves it: (kind, the unit picked or None).
NeedValue = tuple[str, str | None]


@dataclass(frozen=True)
class Need:
    kind: str
    pinned: str | None = None  # the unit the user picked
    held: str | None = None  # the unit allocated to the stored case (shown, read-only)
    missing: bool = False  # the case is placed and this need holds no unit


def needs_value(equipment: Sequence[CaseEquipmentView]) -> tuple[NeedValue, ...]:
    """A stored case's needs as the form's value."""
    return tuple((e.kind, e.unit if e.pinned else None) for e in equipment)


def need_text(need: Need) -> str:
    if need.pinned:
        return f"{need.kind} ({need.pinned})"
    if need.held:
        return f"{need.kind} — holds {need.held}"
    if need.missing:
        return f"{need.kind} — no unit free: find one or move the case"
    return need.kind


class EquipmentField(QWidget):
    """The needs list, and a row to add some: kind, how many, which unit (optional)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._needs: list[Need] = []
        self._units: list[EquipmentUnitView] = []
        self._room: str | None = None  # the case's room: only units usable there are offered
        self.needs = QListWidget(self)
        self.needs.setObjectName("equipmentNeeds")
        self.needs.setFixedHeight(3 * self.needs.fontMetrics().lineSpacing() + 12)
        self.kind = QComboBox(self)
        self.kind.setObjectName("equipmentKind")
        self.kind.setMinimumContentsLength(10)
        self.count = QSpinBox(self)
        self.count.setObjectName("equipmentCount")
        self.count.setRange(1, MAX_COUNT)
        self.count.setPrefix("× ")
        self.unit = QComboBox(self)
        self.unit.setObjectName("equipmentUnit")
        self.unit.setMinimumContentsLength(12)
        self.add_button = QPushButton("Add", self)
        self.add_button.setObjectName("equipmentAdd")
        self.remove_button = QPushButton("Remove", self)
        self.remove_button.setObjectName("equipmentRemove")
        adder = QHBoxLayout()
        adder.setContentsMargins(0, 0, 0, 0)
        adder.addWidget(self.kind, 1)
        adder.addWidget(self.count)
        adder.addWidget(self.unit, 1)
        adder.addWidget(self.add_button)
        list_row = QHBoxLayout()
        list_row.setContentsMargins(0, 0, 0, 0)
        list_row.addWidget(self.needs, 1)
        list_row.addWidget(self.remove_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(list_row)
        layout.addLayout(adder)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.kind.currentIndexChanged.connect(lambda _i: self._fill_units())
        self.unit.currentIndexChanged.connect(lambda _i: self._sync_count())
        self.add_button.clicked.connect(lambda _c=False: self.add_chosen())
        self.remove_button.clicked.connect(lambda _c=False: self.remove_selected())
        self._sync_buttons()

    def focus_order(self) -> list[QWidget]:
        return [self.needs, self.remove_button, self.kind, self.count, self.unit,
                self.add_button]

    # ---- choices -----------------------------------------------------------------------

    def set_choices(self, kinds: Sequence[str], units: Sequence[EquipmentUnitView]) -> None:
        """Active kinds, and the units a person may pick (available ones)."""
        self._units = [u for u in units if u.status is EquipmentStatus.AVAILABLE]
        self.kind.clear()
        for kind in kinds:
            self.kind.addItem(kind, kind)
        self._fill_units()

    def set_room(self, room: str | None) -> None:
        """Offer only the units usable in ``room`` (any unit while there is none)."""
        if room != self._room:
            self._room = room
            self._fill_units()

    def _fill_units(self) -> None:
        kind = self.kind.currentData()
        chosen = self.unit.currentData()
        self.unit.blockSignals(True)
        self.unit.clear()
        self.unit.addItem(ANY_UNIT, None)
        for unit in self._units:
            usable = not unit.room_codes or self._room is None or self._room in unit.room_codes
            if unit.kind == kind and usable:
                where = f" ({', '.join(unit.room_codes)} only)" if unit.room_codes else ""
                self.unit.addItem(f"{unit.name}{where}", unit.name)
        self.unit.setCurrentIndex(max(self.unit.findData(chosen), 0))
        self.unit.blockSignals(False)
        self._sync_count()

    def _sync_count(self) -> None:
        picked = self.unit.currentData() is not None
        if picked:
            self.count.setValue(1)  # a picked unit is one unit
        self.count.setEnabled(not picked)

    # ---- value -------------------------------------------------------------------------

    def value(self) -> tuple[NeedValue, ...]:
        return tuple((n.kind, n.pinned) for n in self._needs)

    def set_value(self, value: Sequence[NeedValue]) -> None:
        """Needs as the form's value (what was allocated is not known for these)."""
        self._set([Need(kind, pinned) for kind, pinned in value])

    def show_case(self, equipment: Sequence[CaseEquipmentView], *, placed: bool) -> None:
        """A stored case's needs with the units they hold (``placed``: a need without one
        is missing, in red)."""
        self._set([Need(e.kind, e.unit if e.pinned else None,
                        held=e.unit if not e.pinned else None,
                        missing=placed and e.unit is None) for e in equipment])

    def set_kinds(self, kinds: Sequence[str]) -> None:
        """Replace the needs by these kinds, none picked (a preference card's)."""
        self.set_value([(kind, None) for kind in kinds])

    def missing(self) -> list[str]:
        return [n.kind for n in self._needs if n.missing]

    def texts(self) -> list[str]:
        return [self.needs.item(n).text() for n in range(self.needs.count())]

    def _set(self, needs: list[Need]) -> None:
        self._needs = needs
        self.needs.clear()
        for need in needs:
            item = QListWidgetItem(need_text(need))
            if need.missing:
                item.setForeground(QBrush(MISSING))
                item.setToolTip("No unit of this kind is free for the case: it shows the "
                                "missing-equipment mark on the board")
            elif need.held:
                item.setToolTip(f"{need.held} is allocated to the case")
            self.needs.addItem(item)
        self._sync_buttons()
        self.changed.emit()

    # ---- editing -----------------------------------------------------------------------

    def add_chosen(self) -> None:
        kind = self.kind.currentText()
        if not kind:
            return
        pinned = self.unit.currentData()
        count = 1 if pinned else self.count.value()
        self._set([*self._needs, *(Need(kind, pinned) for _ in range(count))])

    def add(self, kind: str, unit: str | None = None) -> None:
        self._set([*self._needs, Need(kind, unit)])

    def remove_selected(self) -> None:
        row = self.needs.currentRow()
        if 0 <= row < len(self._needs):
            self._set(self._needs[:row] + self._needs[row + 1:])

    def _sync_buttons(self) -> None:
        # Only what the list itself decides: the form disables the whole field for a
        # reader (Qt carries that to every child).
        self.remove_button.setEnabled(bool(self._needs))

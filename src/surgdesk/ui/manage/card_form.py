"""One preference card's fields, as the cards screen edits them (``CardForm``), and the
list of equipment kinds a card (or a case) needs, one entry per unit (``KindList``).

The form only holds values and shows problems beside their fields; the screen saves
through the service, which checks everything (``services.cards``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from surgdesk.domain.limits import CASE_DURATION, NAME_MAX
from surgdesk.services.dto import PreferenceCardView, UserView
from surgdesk.ui.manage.common import FieldErrors

NO_DURATION = "no default"


class KindList(QWidget):
    """Equipment kinds, one line per unit needed: a kind added twice asks for two units.
    A kind picker and Add beside the list, Remove under it."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.items = QListWidget()
        self.items.setObjectName(f"{name}List")
        lines = self.items.fontMetrics().lineSpacing()
        self.items.setFixedHeight(4 * lines + 12)
        self.picker = QComboBox()
        self.picker.setObjectName(f"{name}Kind")
        self.picker.setMinimumContentsLength(14)
        self.add_button = QPushButton("Add")
        self.add_button.setObjectName(f"{name}Add")
        self.add_button.clicked.connect(lambda _c=False: self.add(self.picker.currentText()))
        self.remove_button = QPushButton("Remove")
        self.remove_button.setObjectName(f"{name}Remove")
        self.remove_button.clicked.connect(lambda _c=False: self.remove_selected())
        side = QVBoxLayout()
        side.setContentsMargins(0, 0, 0, 0)
        picker_row = QHBoxLayout()
        picker_row.addWidget(self.picker, 1)
        picker_row.addWidget(self.add_button)
        side.addLayout(picker_row)
        side.addWidget(self.remove_button, 0, Qt.AlignmentFlag.AlignLeft)
        side.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.items, 1)
        layout.addLayout(side)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_kinds(self, kinds: Sequence[str]) -> None:
        """What the picker offers (active kinds)."""
        self.picker.clear()
        self.picker.addItems(list(kinds))

    def add(self, kind: str) -> None:
        if kind:
            self.items.addItem(kind)

    def remove_selected(self) -> None:
        row = self.items.currentRow()
        if row >= 0:
            self.items.takeItem(row)

    def set_values(self, kinds: Sequence[str]) -> None:
        self.items.clear()
        self.items.addItems(list(kinds))

    def values(self) -> list[str]:
        return [self.items.item(n).text() for n in range(self.items.count())]

    def set_editable(self, editable: bool) -> None:
        for widget in (self.picker, self.add_button, self.remove_button):
            widget.setEnabled(editable)


def _text_box(name: str, placeholder: str, lines: int) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setObjectName(name)
    edit.setPlaceholderText(placeholder)
    edit.setTabChangesFocus(True)
    # The frame and the document's margins on top of the lines (a scroll bar otherwise).
    margins = 2 * (edit.frameWidth() + int(edit.document().documentMargin())) + 6
    edit.setFixedHeight(lines * edit.fontMetrics().lineSpacing() + margins)
    return edit


def lines_of(edit: QPlainTextEdit) -> list[str]:
    """One entry a line, blank lines dropped (the service drops them too)."""
    return [line.strip() for line in edit.toPlainText().splitlines() if line.strip()]


class CardForm(QGroupBox):
    """Surgeon, procedure, default duration, equipment, laterality prompt, positioning,
    trays and supplies (a line each) and notes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Card", parent)
        self.surgeon = QComboBox()
        self.surgeon.setObjectName("cardSurgeon")
        self.surgeon.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.surgeon.setMinimumContentsLength(24)
        self.procedure = QLineEdit()
        self.procedure.setObjectName("cardProcedure")
        self.procedure.setMaxLength(NAME_MAX + 1)
        self.duration = QSpinBox()
        self.duration.setObjectName("cardDuration")
        # 0 (shown "no default"): the case keeps its own estimate.
        self.duration.setRange(0, CASE_DURATION.high)
        self.duration.setSingleStep(15)
        self.duration.setSuffix(" min")
        self.duration.setSpecialValueText(NO_DURATION)
        self.equipment = KindList("cardEquipment")
        self.laterality_prompt = QCheckBox("Ask for the side when a case is filled from it")
        self.laterality_prompt.setObjectName("cardLateralityPrompt")
        self.positioning = QLineEdit()
        self.positioning.setObjectName("cardPositioning")
        self.positioning.setPlaceholderText("e.g. supine, arm board left, tourniquet thigh")
        self.trays = _text_box("cardTrays", "one tray a line", 5)
        self.supplies = _text_box("cardSupplies", "one item a line", 5)
        self.notes = _text_box("cardNotes", "anything else the team should know", 3)
        self.error = QLabel()
        self.error.setObjectName("cardError")
        self.errors = FieldErrors(self.error)
        e = self.errors
        form = QFormLayout()
        form.addRow("S&urgeon", e.bind("surgeon", self.surgeon))
        form.addRow("&Procedure", e.bind("procedure", self.procedure))
        form.addRow("&Duration", e.bind("duration", self.duration, "duration_min"))
        form.addRow("&Equipment", e.bind("equipment", self.equipment))
        form.addRow("", e.bind("laterality_prompt", self.laterality_prompt))
        form.addRow("P&ositioning", e.bind("positioning", self.positioning))
        form.addRow("&Trays", e.bind("trays", self.trays))
        form.addRow("Supp&lies", e.bind("supplies", self.supplies))
        form.addRow("&Notes", e.bind("notes", self.notes))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)

    def set_surgeons(self, surgeons: Sequence[UserView]) -> None:
        self.surgeon.clear()
        for user in surgeons:
            self.surgeon.addItem(f"{user.display_name} ({user.username})", user.username)

    def show_card(self, card: PreferenceCardView) -> None:
        self.setTitle(f"{card.surgeon_name} — {card.procedure_name}")
        index = self.surgeon.findData(card.surgeon_username)
        if index < 0:  # a surgeon no longer active: shown, never dropped
            self.surgeon.addItem(f"{card.surgeon_name} ({card.surgeon_username})",
                                 card.surgeon_username)
            index = self.surgeon.count() - 1
        self.surgeon.setCurrentIndex(index)
        self.procedure.setText(card.procedure_name)
        self.duration.setValue(card.duration_min or 0)
        self.equipment.set_values(card.equipment)
        self.laterality_prompt.setChecked(card.laterality_prompt)
        self.positioning.setText(card.positioning or "")
        self.trays.setPlainText("\n".join(card.trays))
        self.supplies.setPlainText("\n".join(card.supplies))
        self.notes.setPlainText(card.notes or "")
        self.errors.clear()

    def clear_for_new(self, surgeon: str | None) -> None:
        self.setTitle("New card")
        index = self.surgeon.findData(surgeon) if surgeon else 0
        self.surgeon.setCurrentIndex(max(index, 0))
        for edit in (self.procedure, self.positioning):
            edit.clear()
        for box in (self.trays, self.supplies, self.notes):
            box.clear()
        self.duration.setValue(0)
        self.equipment.set_values([])
        self.laterality_prompt.setChecked(False)
        self.errors.clear()

    def set_editable(self, editable: bool, *, surgeon: bool) -> None:
        """``surgeon``: whether the surgeon may be chosen (a new card, by a scheduler)."""
        self.surgeon.setEnabled(surgeon)
        for edit in (self.procedure, self.positioning):
            edit.setReadOnly(not editable)
        for box in (self.trays, self.supplies, self.notes):
            box.setReadOnly(not editable)
        for widget in (self.duration, self.laterality_prompt):
            widget.setEnabled(editable)
        self.equipment.set_editable(editable)

    def values(self) -> dict[str, Any]:
        """As ``create_card`` takes them (``surgeon`` too; ``update_card`` drops it)."""
        duration = self.duration.value()
        return {
            "surgeon": self.surgeon.currentData() or "",
            "procedure": self.procedure.text(),
            "duration_min": duration or None,
            "equipment": self.equipment.values(),
            "laterality_prompt": self.laterality_prompt.isChecked(),
            "positioning": self.positioning.text().strip() or None,
            "trays": lines_of(self.trays),
            "supplies": lines_of(self.supplies),
            "notes": self.notes.toPlainText().strip() or None,
        }

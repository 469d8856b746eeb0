"""Preference cards in the case form: filling a new case from the surgeon's card for the
procedure (``CardFill``), and what the team prepares from it on the case's own tab
(``CardPanel``: positioning, trays, supplies, notes).

The look-up (``services.cards.card_for``) runs on the form's runner, a moment after the
surgeon or the procedure last changed; its answer fills the duration and the equipment
only while the form still shows that surgeon and procedure, and only once for them: what
the user changes afterwards stays. The card's id goes with the new case (``card=``).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from surgdesk.errors import SurgDeskError
from surgdesk.services.dto import PreferenceCardView

if TYPE_CHECKING:
    from surgdesk.ui.case.fields import CaseFields

LOOKUP_DELAY_MS = 300
NOTE_STYLE = "color: #1f5f8b; font-style: italic;"
REQUIRED_STYLE = "color: #a40000; font-weight: bold;"

Run = Callable[[Callable[[], Any], Callable[[Any], object],
                Callable[[SurgDeskError], object], str], object]


def filled_text(card: PreferenceCardView) -> str:
    return f"Filled from {card.surgeon_name}'s card for {card.procedure_name}"


class CardFill(QObject):
    """Watches a new-case form's surgeon and procedure and fills the form from the card."""

    def __init__(self, form: CaseFields, run: Run, note: QLabel) -> None:
        super().__init__(form)
        self.form = form
        self.run = run
        self.note = note
        note.setStyleSheet(NOTE_STYLE)
        self.card: PreferenceCardView | None = None  # the card the case was filled from
        self._asked: tuple[str, str] | None = None  # the last (surgeon, procedure) asked
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(LOOKUP_DELAY_MS)
        self._timer.timeout.connect(self.lookup)
        form.lead_surgeon.currentIndexChanged.connect(lambda _i: self._changed())
        form.procedure.textChanged.connect(lambda _t: self._changed())
        form.procedure.editingFinished.connect(self.lookup)

    @property
    def card_id(self) -> int | None:
        return self.card.id if self.card is not None else None

    def _active(self) -> bool:
        form = self.form
        return form.detail is None and form.case_number is None and form.can_edit \
            and not form._loading

    def _wanted(self) -> tuple[str, str] | None:
        surgeon = self.form.lead_surgeon.currentData()
        procedure = self.form.procedure.text().strip()
        return (str(surgeon), procedure) if surgeon and procedure else None

    def _changed(self) -> None:
        if self._active():
            self._timer.start()

    def lookup(self) -> None:
        """Ask for the card of the surgeon and procedure shown (once per pair)."""
        self._timer.stop()
        wanted = self._wanted()
        if not self._active() or wanted == self._asked:
            return
        self._asked = wanted
        if wanted is None:
            self._forget()
            return
        surgeon, procedure = wanted
        form = self.form
        self.run(lambda: form.services.cards.card_for(form.actor, surgeon, procedure),
                 lambda card: self._found(wanted, card), lambda _exc: self._forget(),
                 "look up the preference card")

    def _found(self, wanted: tuple[str, str], card: PreferenceCardView | None) -> None:
        if wanted != self._wanted() or not self._active():
            return  # the form moved on; its own look-up follows
        if card is None:
            self._forget()
            return
        self.card = card
        form = self.form
        if card.duration_min:
            form.duration.setValue(card.duration_min)
        form.equipment.set_kinds(card.equipment)
        self.note.setText(filled_text(card) + " — change anything you need.")
        self.note.show()
        self._mark_laterality(card.laterality_prompt)

    def _forget(self) -> None:
        """No card for what is shown: the values typed or filled stay, the link goes."""
        self.card = None
        self.note.hide()
        self._mark_laterality(False)

    def _mark_laterality(self, required: bool) -> None:
        label = self.form.findChild(QLabel, "lateralityLabel")
        if label is not None:
            label.setStyleSheet(REQUIRED_STYLE if required else "")
        self.form.laterality.setToolTip(
            "The surgeon's card asks for the side: choose it" if required else "")
        self.form.laterality.setProperty("cardRequired", required)


class CardPanel(QWidget):
    """The card a case was filled from: what the team prepares (read-only)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cardPanel")
        self.text = QLabel(self)
        self.text.setObjectName("cardPanelText")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addStretch(1)

    def load(self, card: PreferenceCardView | None) -> None:
        self.text.setText(card_html(card) if card is not None else "")


def card_html(card: PreferenceCardView) -> str:
    def block(title: str, lines: tuple[str, ...] | list[str]) -> str:
        if not lines:
            return f"<p><b>{title}</b>: —</p>"
        items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
        return f"<p><b>{title}</b></p><ul>{items}</ul>"

    parts = [f"<h3>{html.escape(card.surgeon_name)}'s card for "
             f"{html.escape(card.procedure_name)}</h3>",
             f"<p><b>Positioning</b>: {html.escape(card.positioning or '—')}</p>",
             block("Trays", card.trays), block("Supplies", card.supplies)]
    if card.notes:
        parts.append(f"<p><b>Notes</b>: {html.escape(card.notes)}</p>")
    return "".join(parts)

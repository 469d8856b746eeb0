"""Preference cards screen: admins and schedulers edit every card, surgeons their own.

Everyone who opens it sees every card (the team prepares from them); a card the actor
may not change (``PreferenceCardView.can_edit``, decided by the service) is shown greyed
with its fields read-only and Save and Delete off. The service refuses such a write
anyway. Every call goes through the runner, off the GUI thread; a refusal is said beside
the field it names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from surgdesk.domain.enums import Role
from surgdesk.domain.permissions import Action, allowed
from surgdesk.errors import PermissionDenied
from surgdesk.services.context import Actor
from surgdesk.services.dto import PreferenceCardView, UserView
from surgdesk.services.registry import Services
from surgdesk.ui.manage.card_form import CardForm
from surgdesk.ui.manage.common import (
    Column,
    FieldErrors,
    RowsModel,
    ServiceDialog,
    filter_box,
    fit_columns,
    on_select,
    select_key,
    table_view,
)
from surgdesk.ui.runner import ServiceRunner

ALL_SURGEONS = "All surgeons"


def may_open_cards(actor: Actor) -> bool:
    """Admins and schedulers (every card), and surgeons (their own)."""
    return not actor.is_device and allowed(actor.role, Action.MANAGE_CARDS, owns=True)


def card_columns() -> list[Column[PreferenceCardView]]:
    def other(c: PreferenceCardView) -> bool:
        return not c.can_edit

    return [
        Column("Surgeon", lambda c: c.surgeon_name, muted=other),
        Column("Procedure", lambda c: c.procedure_name, muted=other),
        Column("Duration", lambda c: f"{c.duration_min} min" if c.duration_min else "—",
               sort=lambda c: c.duration_min or 0, align_right=True, muted=other),
        Column("Equipment", lambda c: equipment_text(c.equipment) or "—", muted=other),
    ]


def equipment_text(kinds: tuple[str, ...] | list[str]) -> str:
    """``C-arm ×2, robot``: kinds in the order given, repeated ones counted."""
    counts: dict[str, int] = {}
    for kind in kinds:
        counts[kind] = counts.get(kind, 0) + 1
    return ", ".join(f"{k} ×{n}" if n > 1 else k for k, n in counts.items())


@dataclass(frozen=True)
class _Opening:
    surgeons: list[UserView]
    kinds: list[str]
    cards: list[PreferenceCardView]


class CardsDialog(ServiceDialog):
    def __init__(self, services: Services, actor: Actor, parent: QWidget | None = None, *,
                 runner: ServiceRunner | None = None) -> None:
        if not may_open_cards(actor):
            role = actor.role.value if actor.role else "no role"
            raise PermissionDenied(f"{actor.username or 'anonymous'} ({role}) may not open "
                                   "the preference cards screen")
        super().__init__(parent)
        self.setObjectName("cardsDialog")
        self.setWindowTitle("Preference cards — SurgDesk")
        self._init_calls(runner)
        self.services, self.actor = services, actor
        self.current: PreferenceCardView | None = None  # the card in the form (None: new)
        # Questions the screen asks; tests answer them without a dialog.
        self.confirm_delete: Callable[[PreferenceCardView], bool] = self._ask_delete

        self.cards = RowsModel(card_columns(), key=lambda c: c.id, parent=self)
        self.cards_view = table_view("cardsTable", self.cards)
        on_select(self.cards_view, PreferenceCardView, self.show_card)
        self.surgeon_filter = QComboBox()
        self.surgeon_filter.setObjectName("cardsSurgeonFilter")
        self.surgeon_filter.addItem(ALL_SURGEONS, None)
        self.surgeon_filter.currentIndexChanged.connect(lambda _i: self.reload())
        self.text_filter = filter_box(self.cards_view, "cardsFilter",
                                      "Filter by procedure or equipment")
        self.list_error = QLabel()
        self.list_error.setObjectName("cardsError")
        self.list_errors = FieldErrors(self.list_error)
        filters = QHBoxLayout()
        filters.addWidget(self.surgeon_filter)
        filters.addWidget(self.text_filter, 1)
        self.new_button = _button("New card", "cardNew", self.new_card)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(filters)
        left_layout.addWidget(self.cards_view, 1)
        left_layout.addWidget(self.list_error)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.new_button)
        left_layout.addLayout(row)

        self.form = CardForm()
        self.save_button = _button("Add card", "cardSave", self.save_card)
        self.delete_button = _button("Delete card", "cardDelete", self.delete_card)
        self.edit_note = QLabel()
        self.edit_note.setObjectName("cardReadOnlyNote")
        self.edit_note.setStyleSheet("color: #6b6b6b; font-style: italic;")
        self.edit_note.setWordWrap(True)
        self.edit_note.hide()
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.form)
        right_layout.addWidget(self.edit_note)
        actions = QHBoxLayout()
        actions.addWidget(self.delete_button)
        actions.addStretch(1)
        actions.addWidget(self.save_button)
        right_layout.addLayout(actions)
        right_layout.addStretch(1)

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([600, 620])
        self.splitter = splitter
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)
        self.resize(1240, 780)
        # Save and Delete follow both the call under way and the card's rights (_busy).
        self.read(self._open_call, self._opened, self.list_errors.show,
                  "open the preference cards")

    # -- reading ----------------------------------------------------------------------

    def _open_call(self) -> _Opening:
        s, actor = self.services, self.actor
        surgeons = s.users.users_with_roles(actor, [Role.SURGEON])
        kinds = [k.name for k in s.equipment.kinds(actor, include_inactive=False)]
        return _Opening(surgeons, kinds, s.cards.list_cards(actor))

    def _opened(self, opening: _Opening) -> None:
        self.form.set_surgeons(opening.surgeons)
        self.form.equipment.set_kinds(opening.kinds)
        self.surgeon_filter.blockSignals(True)
        for user in opening.surgeons:
            self.surgeon_filter.addItem(user.display_name, user.username)
        self.surgeon_filter.blockSignals(False)
        self._show_cards(opening.cards, None)
        fit_columns(self.cards_view, self.splitter, self)

    def surgeon(self) -> str | None:
        value = self.surgeon_filter.currentData()
        return str(value) if value else None

    def reload(self, select: int | None = None) -> None:
        surgeon = self.surgeon()
        self.read(lambda: self.services.cards.list_cards(self.actor, surgeon=surgeon),
                  lambda cards: self._show_cards(cards, select), self.list_errors.show,
                  "list the preference cards")

    def _show_cards(self, cards: list[PreferenceCardView], select: int | None) -> None:
        """The list, and the card beside it: ``select``, else the one shown before if still
        listed, else the first; a new, empty card when there is none."""
        self.cards.set_rows(cards)
        self.cards_view.resizeColumnsToContents()
        keep = select if select is not None else (self.current.id if self.current else None)
        if keep is not None and select_key(self.cards_view, keep):
            return
        if cards:
            self.cards_view.selectRow(0)
        else:
            self.new_card()

    # -- the form ---------------------------------------------------------------------

    def show_card(self, card: PreferenceCardView) -> None:
        self.current = card
        self.form.show_card(card)
        self.form.set_editable(card.can_edit, surgeon=False)
        self.save_button.setText("Save card")
        self._sync_buttons()
        self.edit_note.setText(f"{card.surgeon_name}'s card: only they, schedulers and "
                               "admins change it.")
        self.edit_note.setVisible(not card.can_edit)

    def new_card(self) -> None:
        self.current = None
        self.cards_view.clearSelection()
        own = self.actor.role is Role.SURGEON
        self.form.clear_for_new(self.actor.username if own else self.surgeon())
        # A surgeon writes cards for themselves; schedulers and admins for anyone.
        self.form.set_editable(True, surgeon=not own)
        self.save_button.setText("Add card")
        self._sync_buttons()
        self.edit_note.hide()
        self.form.procedure.setFocus()

    def _busy(self, step: int) -> None:
        super()._busy(step)
        self._sync_buttons()

    def _sync_buttons(self) -> None:
        """Save and Delete: off while a call is under way, and for a card the actor may
        not change (the service refuses it anyway)."""
        idle = self._under_way == 0
        card = self.current
        self.save_button.setEnabled(idle and (card is None or card.can_edit))
        self.delete_button.setEnabled(idle and card is not None and card.can_edit)

    def save_card(self) -> bool:
        values = self.form.values()
        card = self.current
        cards = self.services.cards
        if card is None:
            return self.write(lambda: cards.create_card(self.actor, **values),
                              self._saved, self.form.errors.show, "add the card")
        values.pop("surgeon")  # a card's surgeon does not change
        return self.write(lambda: cards.update_card(
            self.actor, card.id, expected_version=card.version, **values),
            self._saved, self.form.errors.show, "save the card")

    def _saved(self, card: PreferenceCardView) -> None:
        self.show_card(card)
        self.reload(select=card.id)

    def delete_card(self) -> bool:
        card = self.current
        if card is None:
            self.form.errors.say("Select the card to delete.")
            return False
        if not self.confirm_delete(card):
            return False

        def deleted(_none: None) -> None:
            self.current = None
            self.reload()

        return self.write(lambda: self.services.cards.delete_card(
            self.actor, card.id, expected_version=card.version), deleted,
            self.form.errors.show, "delete the card")

    def _ask_delete(self, card: PreferenceCardView) -> bool:
        answer = QMessageBox.question(
            self, "Delete the card?",
            f"Delete {card.surgeon_name}'s card for {card.procedure_name}? Cases filled "
            "from it keep what they were given.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Yes


def _button(text: str, name: str, slot: Callable[[], object]) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.clicked.connect(lambda _checked=False: slot())
    return button

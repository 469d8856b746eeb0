"""Preference cards: how a surgeon does a procedure, filling new cases from it.

Rules:

- Every signed-in role reads cards (``SEE_BOARD``): the team prepares from them.
- Writing is ``Action.MANAGE_CARDS``: admins and schedulers every card, a surgeon their
  own (``owns=``: the card's surgeon is the actor). ``PreferenceCardView.can_edit`` says
  which the asking actor may change.
- One card per surgeon and procedure (procedure compared case-insensitively, trimmed):
  a second is ``Duplicate`` on ``procedure``.
- ``equipment``: kind names, one per unit needed; unknown or inactive kinds are bad
  input on ``equipment``. ``trays`` and ``supplies``: one line each, blank lines dropped.
- Every write is audited (``add_card``, ``update_card``, ``delete_card``) and goes to the
  change feed. A deleted card leaves the cases filled from it unchanged (their link is
  cleared by the database).

Bad input names the field: ``surgeon``, ``procedure``, ``duration``, ``equipment``,
``positioning``, ``trays``, ``supplies``, ``notes``, ``card_id``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from surgdesk.domain import models as m
from surgdesk.domain.enums import Role
from surgdesk.domain.permissions import Action
from surgdesk.errors import BadInput, Duplicate, FieldProblem, NotFound
from surgdesk.repository.uow import UnitOfWork
from surgdesk.services.base import Service, diff, validate
from surgdesk.services.card_views import (
    CARD_FIELDS,
    CardFields,
    as_lines,
    as_names,
    card_state,
    card_view,
)
from surgdesk.services.context import Actor
from surgdesk.services.dto import PreferenceCardView
from surgdesk.services.fields import check_version


class PreferenceCardService(Service):
    def list_cards(self, actor: Actor, *, surgeon: str | None = None
                   ) -> list[PreferenceCardView]:
        """``surgeon``: a username; by surgeon name, then procedure."""
        self.require(actor, Action.SEE_BOARD, what="see preference cards")
        with self.uow(read_only=True) as uow:
            surgeon_id = (self._surgeon(uow, surgeon, active_only=False).id
                          if surgeon is not None else None)
            names = self._kind_names(uow)
            return [card_view(c, names, actor) for c in uow.cards.cards(surgeon_id=surgeon_id)]

    def get_card(self, actor: Actor, card_id: int) -> PreferenceCardView:
        self.require(actor, Action.SEE_BOARD, what="see preference cards")
        with self.uow(read_only=True) as uow:
            return card_view(self._card(uow, card_id), self._kind_names(uow), actor)

    def card_for(self, actor: Actor, surgeon: str, procedure: str
                 ) -> PreferenceCardView | None:
        """The surgeon's (username) card for the procedure, or None: the case form asks
        this when both are chosen."""
        self.require(actor, Action.SEE_BOARD, what="see preference cards")
        if not (procedure or "").strip():
            return None
        with self.uow(read_only=True) as uow:
            profile = self._surgeon(uow, surgeon, active_only=False)
            card = uow.cards.card_for(profile.id, procedure)
            return card_view(card, self._kind_names(uow), actor) if card is not None else None

    def create_card(self, actor: Actor, *, surgeon: str, procedure: str,
                    duration_min: int | None = None, equipment: Sequence[str] = (),
                    laterality_prompt: bool = False, positioning: str | None = None,
                    trays: Sequence[str] = (), supplies: Sequence[str] = (),
                    notes: str | None = None, op_id: str | None = None
                    ) -> PreferenceCardView:
        """A surgeon may create only their own cards (another surgeon's is refused)."""
        # The role check first: a nurse learns nothing about who is a surgeon.
        self.require(actor, Action.MANAGE_CARDS, owns=actor.role is Role.SURGEON,
                     what="add preference cards")
        fields = validate(CardFields, {
            "procedure": procedure, "duration": duration_min, "equipment": as_names(equipment),
            "laterality_prompt": laterality_prompt, "positioning": positioning,
            "trays": as_lines(trays), "supplies": as_lines(supplies), "notes": notes})
        with self.uow() as uow:
            profile = self._surgeon(uow, surgeon, active_only=True)
            self.require(actor, Action.MANAGE_CARDS, owns=profile.user_id == actor.user_id,
                         what=f"add preference cards for {profile.user.username}")
            with self.operation(uow, op_id, "add_card") as claim:
                if not claim.replay:
                    self._check_free(uow, profile.id, fields.procedure, None)
                    card = m.PreferenceCard(surgeon_id=profile.id, surgeon=profile)
                    self._apply(uow, card, fields)
                    uow.cards.add(card)
                    uow.flush()
                    names = self._kind_names(uow)
                    self.audit(uow, actor, "add_card", card, diff({}, card_state(card, names)))
                    self.remember_operation(uow, actor, card)
                    uow.commit()
                    return card_view(card, names, actor)
            with self.replay_unit(uow, claim) as read:
                if claim.target_id is None:
                    raise NotFound(FieldProblem("op_id", "what that operation wrote is gone"))
                return card_view(self._card(read, claim.target_id), self._kind_names(read),
                                 actor)

    def update_card(self, actor: Actor, card_id: int, *, expected_version: int | None,
                    **fields: Any) -> PreferenceCardView:
        """Fields as ``create_card``'s (``procedure``, ``duration_min``, ``equipment``,
        ``laterality_prompt``, ``positioning``, ``trays``, ``supplies``, ``notes``); the
        surgeon of a card does not change. A field given as None is left as it is, except
        ``duration_min``, ``positioning`` and ``notes``, which it clears."""
        self.require(actor, Action.MANAGE_CARDS, owns=actor.role is Role.SURGEON,
                     what="change preference cards")
        unknown = sorted(set(fields) - set(CARD_FIELDS) - {"surgeon"})
        if unknown:
            raise BadInput([FieldProblem(k, "not a preference card field") for k in unknown])
        with self.uow() as uow:
            card = self._card(uow, card_id)
            self._require_own(actor, card, "change")
            check_version(card, expected_version, f"preference card {card.id}")
            self._same_surgeon(card, fields.get("surgeon"))
            names = self._kind_names(uow)
            before = card_state(card, names)
            checked = validate(CardFields, self._merged(card, before, fields))
            if checked.procedure.lower() != card.procedure_name.strip().lower():
                self._check_free(uow, card.surgeon_id, checked.procedure, card.id)
            self._apply(uow, card, checked)
            changed = diff(before, card_state(card, names))
            if changed:
                uow.flush()
                self.audit(uow, actor, "update_card", card, changed)
                uow.commit()
            return card_view(card, names, actor)

    def delete_card(self, actor: Actor, card_id: int, *,
                    expected_version: int | None = None) -> None:
        self.require(actor, Action.MANAGE_CARDS, owns=actor.role is Role.SURGEON,
                     what="delete preference cards")
        with self.uow() as uow:
            card = self._card(uow, card_id)
            self._require_own(actor, card, "delete")
            check_version(card, expected_version, f"preference card {card.id}")
            before = card_state(card, self._kind_names(uow))
            self.audit(uow, actor, "delete_card", card,
                       diff(before, dict.fromkeys(before)))
            uow.cards.delete(card)
            uow.flush()
            uow.commit()

    # ---- helpers ------------------------------------------------------------------------

    def _require_own(self, actor: Actor, card: m.PreferenceCard, verb: str) -> None:
        self.require(actor, Action.MANAGE_CARDS, owns=card.surgeon.user_id == actor.user_id,
                     what=f"{verb} {card.surgeon.user.username}'s preference cards")

    @staticmethod
    def _same_surgeon(card: m.PreferenceCard, surgeon: Any) -> None:
        if surgeon is None:
            return
        if not isinstance(surgeon, str) or \
                surgeon.strip().lower() != card.surgeon.user.username.lower():
            raise BadInput(FieldProblem("surgeon", "a card's surgeon does not change"))

    @staticmethod
    def _merged(card: m.PreferenceCard, before: dict[str, Any], given: dict[str, Any]
                ) -> dict[str, Any]:
        """The card's fields with the given changes, as ``CardFields`` takes them."""
        current: dict[str, Any] = {
            "procedure": card.procedure_name, "duration": card.duration_min,
            "equipment": tuple(before["equipment"]),
            "laterality_prompt": card.laterality_prompt, "positioning": card.positioning,
            "trays": tuple(card.trays or ()), "supplies": tuple(card.supplies or ()),
            "notes": card.notes,
        }
        clearable = {"duration_min", "positioning", "notes"}
        for key, value in given.items():
            if key == "surgeon" or (value is None and key not in clearable):
                continue
            if key == "duration_min":
                current["duration"] = value
            elif key == "equipment":
                current[key] = as_names(value)
            elif key in ("trays", "supplies"):
                current[key] = as_lines(value)
            else:
                current[key] = value
        return current

    @staticmethod
    def _apply(uow: UnitOfWork, card: m.PreferenceCard, fields: CardFields) -> None:
        # Looked up before any field is set: the query's autoflush would otherwise write
        # the card twice (two versions for one edit).
        kind_ids = _kind_ids(uow, fields.equipment, list(card.equipment_kind_ids or ()))
        card.procedure_name = fields.procedure
        card.duration_min = fields.duration
        card.equipment_kind_ids = kind_ids
        card.laterality_prompt = fields.laterality_prompt
        card.positioning = fields.positioning
        card.trays = list(fields.trays)
        card.supplies = list(fields.supplies)
        card.notes = fields.notes

    @staticmethod
    def _check_free(uow: UnitOfWork, surgeon_id: int, procedure: str,
                    card_id: int | None) -> None:
        other = uow.cards.card_for(surgeon_id, procedure)
        if other is not None and other.id != card_id:
            raise Duplicate(f"{other.surgeon.user.username} already has a card for "
                            f"{other.procedure_name!r} (card {other.id})", field="procedure")

    @staticmethod
    def _card(uow: UnitOfWork, card_id: int) -> m.PreferenceCard:
        if isinstance(card_id, bool) or not isinstance(card_id, int):
            raise BadInput(FieldProblem("card_id", "must be a whole number"))
        card = uow.cards.card(card_id)
        if card is None:
            raise NotFound(FieldProblem("card_id", f"no preference card {card_id}"))
        return card

    @staticmethod
    def _surgeon(uow: UnitOfWork, username: str, *, active_only: bool
                 ) -> m.SurgeonProfile:
        name = (username or "").strip()
        user = uow.users.by_username(name) if name else None
        if user is None:
            raise NotFound(FieldProblem("surgeon", f"no user {name!r}"))
        profile = uow.users.surgeon_profile(user.id)
        if user.role is not Role.SURGEON or profile is None:
            raise BadInput(FieldProblem("surgeon", f"{user.username} is not a surgeon"))
        if active_only and not (user.active and profile.active):
            raise BadInput(FieldProblem("surgeon", f"{user.username} is not an active "
                                                   "surgeon"))
        return profile

    @staticmethod
    def _kind_names(uow: UnitOfWork) -> dict[int, str]:
        return {k.id: k.name for k in uow.equipment.kinds()}


def _kind_ids(uow: UnitOfWork, names: Sequence[str], kept: Sequence[int] = ()) -> list[int]:
    """Kind names (any case) as ids, repeats kept; unknown or inactive kinds are bad input
    on ``equipment`` naming them (``kept``: kinds the card already asks for, which may
    have been made inactive since: an edit of its notes does not fail on them)."""
    by_name = {k.name.lower(): k for k in uow.equipment.kinds()}
    missing = [n for n in names if n.lower() not in by_name]
    if missing:
        raise BadInput(FieldProblem(
            "equipment", "no equipment kind " + ", ".join(repr(n) for n in missing)))
    inactive = sorted({by_name[n.lower()].name for n in names
                       if not by_name[n.lower()].active
                       and by_name[n.lower()].id not in kept})
    if inactive:
        raise BadInput(FieldProblem(
            "equipment", "inactive equipment kind " + ", ".join(repr(n) for n in inactive)))
    return [by_name[n.lower()].id for n in names]

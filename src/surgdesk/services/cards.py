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

from surgdesk.services.base import Service
from surgdesk.services.context import Actor
from surgdesk.services.dto import PreferenceCardView


class PreferenceCardService(Service):
    def list_cards(self, actor: Actor, *, surgeon: str | None = None
                   ) -> list[PreferenceCardView]:
        """``surgeon``: a username; by surgeon name, then procedure."""
        raise NotImplementedError

    def get_card(self, actor: Actor, card_id: int) -> PreferenceCardView:
        raise NotImplementedError

    def card_for(self, actor: Actor, surgeon: str, procedure: str
                 ) -> PreferenceCardView | None:
        """The surgeon's (username) card for the procedure, or None: the case form asks
        this when both are chosen."""
        raise NotImplementedError

    def create_card(self, actor: Actor, *, surgeon: str, procedure: str,
                    duration_min: int | None = None, equipment: Sequence[str] = (),
                    laterality_prompt: bool = False, positioning: str | None = None,
                    trays: Sequence[str] = (), supplies: Sequence[str] = (),
                    notes: str | None = None) -> PreferenceCardView:
        raise NotImplementedError

    def update_card(self, actor: Actor, card_id: int, *, expected_version: int | None,
                    **fields: Any) -> PreferenceCardView:
        """Fields as ``create_card``'s (``procedure``, ``duration_min``, ``equipment``,
        ``laterality_prompt``, ``positioning``, ``trays``, ``supplies``, ``notes``); the
        surgeon of a card does not change."""
        raise NotImplementedError

    def delete_card(self, actor: Actor, card_id: int, *,
                    expected_version: int | None = None) -> None:
        raise NotImplementedError

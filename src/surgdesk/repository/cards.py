"""Preference cards: rows and lookups."""

from __future__ import annotations

from surgdesk.domain import models as m
from surgdesk.repository.repos import _Repo


class CardRepo(_Repo):
    def card(self, card_id: int) -> m.PreferenceCard | None:
        raise NotImplementedError

    def card_for(self, surgeon_id: int, procedure_name: str) -> m.PreferenceCard | None:
        """Procedure matched case-insensitively, trimmed."""
        raise NotImplementedError

    def cards(self, *, surgeon_id: int | None = None) -> list[m.PreferenceCard]:
        """By surgeon, then procedure; surgeon and kinds loaded."""
        raise NotImplementedError

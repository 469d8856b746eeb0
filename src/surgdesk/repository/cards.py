"""Preference cards: rows and lookups."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from surgdesk.domain import models as m
from surgdesk.repository.repos import _Repo

# A card is always shown with its surgeon's name: load both in the same SELECT.
_CARD_LOAD = joinedload(m.PreferenceCard.surgeon).joinedload(m.SurgeonProfile.user)


class CardRepo(_Repo):
    def card(self, card_id: int) -> m.PreferenceCard | None:
        stmt = select(m.PreferenceCard).options(_CARD_LOAD).where(
            m.PreferenceCard.id == card_id)
        return self.session.scalars(stmt).unique().one_or_none()

    def card_for(self, surgeon_id: int, procedure_name: str) -> m.PreferenceCard | None:
        """Procedure matched case-insensitively, trimmed."""
        pc = m.PreferenceCard
        wanted = procedure_name.strip().lower()
        stmt = (select(pc).options(_CARD_LOAD)
                .where(pc.surgeon_id == surgeon_id,
                       func.lower(func.trim(pc.procedure_name)) == wanted)
                .order_by(pc.id))
        return self.session.scalars(stmt).unique().first()

    def cards(self, *, surgeon_id: int | None = None) -> list[m.PreferenceCard]:
        """By surgeon, then procedure; surgeon and kinds loaded."""
        pc, p, u = m.PreferenceCard, m.SurgeonProfile, m.User
        stmt = (select(pc).options(_CARD_LOAD)
                .join(p, p.id == pc.surgeon_id).join(u, u.id == p.user_id))
        if surgeon_id is not None:
            stmt = stmt.where(pc.surgeon_id == surgeon_id)
        stmt = stmt.order_by(func.lower(u.display_name), u.id,
                             func.lower(pc.procedure_name), pc.id)
        return list(self.session.scalars(stmt).unique())

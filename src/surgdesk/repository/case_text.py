"""Finding placed cases by what a person types: case number, procedure, surgeon, and —
asked apart, so the service can keep it to those allowed — the patient's name or id.

Matching is case-insensitive ``contains`` with the user's ``%`` and ``_`` taken literally.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from surgdesk.domain import models as m
from surgdesk.domain.enums import CaseStatus
from surgdesk.repository.repos import CaseRow, case_row_select  # one row shape, every read


def _surgeons_matching(text: str) -> Any:
    p, u = m.SurgeonProfile, m.User
    return select(p.id).join(u, u.id == p.user_id).where(
        or_(u.display_name.icontains(text, autoescape=True),
            u.username.icontains(text, autoescape=True)))


def find_case_rows(session: Session, text: str, *, by_patient: bool, limit: int) -> list[CaseRow]:
    """Placed, not cancelled cases matching ``text``; with ``by_patient`` only those whose
    patient name or id matches (nothing else), else those matching by number, procedure or
    surgeon. Latest first, at most ``limit``."""
    c = m.SurgeryCase
    if by_patient:
        match = or_(c.patient_name.icontains(text, autoescape=True),
                    c.patient_id.icontains(text, autoescape=True))
    else:
        match = or_(c.case_number.icontains(text, autoescape=True),
                    c.procedure_name.icontains(text, autoescape=True),
                    c.lead_surgeon_id.in_(_surgeons_matching(text)))
    stmt = (
        case_row_select()
        .where(match, c.scheduled_start.is_not(None), c.status != CaseStatus.CANCELLED)
        .order_by(c.scheduled_start.desc(), c.id)
        .limit(limit)
    )
    return [CaseRow(*row) for row in session.execute(stmt)]

"""Find a case by what a person types (the main window's find field): case number,
procedure or surgeon for everyone who sees the board, and the patient's name or id only
on cases whose patient the actor may see — decided here, never by the widget.

The answers are masked like the board's (``row_summary`` with the actor's rights), so a
match never shows a patient the board would hide.
"""

from __future__ import annotations

from datetime import datetime

from surgdesk.domain.limits import NAME_MAX
from surgdesk.domain.permissions import Action, allowed
from surgdesk.errors import BadInput, FieldProblem
from surgdesk.repository.case_text import find_case_rows
from surgdesk.repository.repos import CaseRow
from surgdesk.services.base import Service
from surgdesk.services.case_rights import rights_of_rows
from surgdesk.services.case_views import row_summary
from surgdesk.services.context import Actor
from surgdesk.services.dto import CaseSummary

# Rows read per kind of match before the nearest ``limit`` are kept: enough that the cases
# around today are among them for any word a person would type.
CANDIDATES = 200


class CaseSearchService(Service):
    def find(self, actor: Actor, text: str, limit: int = 20) -> list[CaseSummary]:
        """Placed, not cancelled cases matching ``text`` (case-insensitive, anywhere in
        the field), those nearest to now first; at most ``limit``. Blank text finds
        nothing."""
        self.require(actor, Action.SEE_BOARD, what="find cases")
        wanted = text.strip()
        if len(wanted) > NAME_MAX:
            raise BadInput(FieldProblem("text", f"at most {NAME_MAX} characters"))
        if not wanted or limit <= 0:
            return []
        with self.uow(read_only=True) as uow:
            rows = find_case_rows(uow.session, wanted, by_patient=False, limit=CANDIDATES)
            by_patient: list[CaseRow] = []
            if self._may_see_some_patients(actor):
                by_patient = find_case_rows(uow.session, wanted, by_patient=True,
                                            limit=CANDIDATES)
            rights = rights_of_rows(uow, actor, [*rows, *by_patient])
            seen = {r.id for r in rows}
            # A patient match counts only where the actor sees that patient: elsewhere the
            # case is not found by it (finding it would tell who the patient is).
            rows += [r for r in by_patient if r.id not in seen and rights[r.id].see_patient]
            now = self.clock.now()
            rows.sort(key=lambda r: (_distance(r, now), r.case_number))
            found = rows[:limit]
            holds = uow.holds.of_cases(r.id for r in found)
        return [row_summary(r, rights=rights[r.id], equipment=holds.get(r.id, ()))
                for r in found]

    @staticmethod
    def _may_see_some_patients(actor: Actor) -> bool:
        """The role sees some patients (always, or on its care teams); a device never."""
        return not actor.is_device and allowed(actor.role, Action.SEE_PATIENT,
                                               on_care_team=True)


def _distance(row: CaseRow, now: datetime) -> float:
    assert row.scheduled_start is not None  # only placed cases are found
    return abs((row.scheduled_start - now).total_seconds())

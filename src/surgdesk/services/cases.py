"""Surgery cases: request, schedule, move and resize, status, team, notes, and the board.

``CaseService`` is what the GUI and the CLI call (``services.cases.<method>``); it is
the union of one class per job, each in its own module:

- ``case_scheduling.CaseScheduling``: create, schedule, move and resize, edit fields;
- ``case_status.CaseStatusChanges``: the status machine, and unscheduling (a status
  change back to the queue);
- ``case_team.CaseTeam``: the care team and the notes;
- ``case_queries.CaseQueries``: one case, lists, the board, rights for another actor,
  the history, the day list, and the audit of prints and board exports.

They share ``case_common`` (input models, time parsing, ``CaseJob``'s lookups and the
end of a write); what the actor may do with a case is ``case_rights``; every write opens
with ``Service.operation`` (a client operation id is applied once).

Decisions where DESIGN.md leaves room:

- A case without an end or a duration lasts ``DEFAULT_DURATION_MIN`` (60) minutes; with
  an end or a duration, ``estimated_duration_min`` follows the scheduled length (a resize
  is a new estimate).
- ``preop_ready`` is never asked for: it follows the Readiness section by itself. Asking
  for it is accepted only when Readiness is already done (then it is applied); otherwise
  it is refused, naming the missing items. ``preop_ready -> scheduled`` by request is
  refused: reopen a Readiness item instead.
- Postponing (like unscheduling) clears the room and the times: the case goes back to the
  queue and needs a new slot. A cancelled case keeps its times as a record; it holds no
  room and the board leaves it out.
- ``move`` on a requested or postponed case with a room and a start schedules it (the
  board drags queue cards with the same call). Only scheduled and preop_ready cases move.
- Completed and cancelled cases are final: their fields and team no longer change.
- The case history is the audit log, read by admin and scheduler (DESIGN.md's matrix);
  the care team sees who ticked what on the checklist items themselves.
"""

from __future__ import annotations

from surgdesk.services.case_common import DEFAULT_DURATION_MIN, CaseEdit, CaseFields
from surgdesk.services.case_queries import CaseQueries
from surgdesk.services.case_scheduling import CaseScheduling
from surgdesk.services.case_status import CaseStatusChanges
from surgdesk.services.case_team import TEAM_ROLE_USERS, CaseTeam
from surgdesk.services.dto import SoftConflict


class CaseService(CaseScheduling, CaseStatusChanges, CaseTeam, CaseQueries):
    """Every use case of a surgery case. Times without an offset are department time."""


__all__ = [
    "DEFAULT_DURATION_MIN", "TEAM_ROLE_USERS", "CaseEdit", "CaseFields", "CaseService",
    "SoftConflict",
]

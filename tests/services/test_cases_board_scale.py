"""The board reads a hospital-sized week in one go: 60 rooms x 7 days, about 2,100 cases.

The rows go in with bulk inserts (the services would take minutes); the board then has to
build every case's summary, progress and conflict marks in a handful of queries.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, insert, select

from surgdesk.domain import models as m
from surgdesk.domain.enums import CaseStatus, ItemStatus, Phase, Role, TeamRole
from surgdesk.repository.database import Database
from surgdesk.services.cases import CaseService
from surgdesk.services.context import Actor, FakeClock

ROOMS, DAYS, PER_DAY = 60, 7, 5
MONDAY = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # 07:00 in Berlin


def _seed(db: Database) -> Actor:
    with db.new_session() as s:
        templates = {t.phase: t for t in s.scalars(select(m.ChecklistTemplate))}
        template_items = {
            phase: [(i.item_code, i.section, i.label, i.is_required) for i in t.items]
            for phase, t in templates.items()
        }
        users: list[dict[str, Any]] = []
        for n in range(30):
            role = Role.SURGEON if n < 20 else Role.ANESTHESIOLOGIST
            users.append({"id": n + 1, "username": f"u{n}", "email": f"u{n}@or.hospital.local",
                          "role": role, "display_name": f"User {n}"})
        users.append({"id": 31, "username": "sched", "email": "s@or.hospital.local",
                      "role": Role.SCHEDULER, "display_name": "Scheduler"})
        s.execute(insert(m.User), users)
        s.execute(insert(m.SurgeonProfile),
                  [{"id": n + 1, "user_id": n + 1, "specialty": "general"} for n in range(20)])
        s.execute(insert(m.OperatingRoom),
                  [{"id": r + 1, "code": f"OR{r + 1:02d}", "name": f"Room {r + 1}"}
                   for r in range(ROOMS)])
        cases, team, checklists, items = [], [], [], []
        case_id = 0
        for day in range(DAYS):
            for room in range(ROOMS):
                for slot in range(PER_DAY):
                    case_id += 1
                    start = MONDAY + timedelta(days=day, minutes=150 * slot)
                    end = start + timedelta(minutes=120)
                    surgeon = (room + slot) % 20 + 1
                    anesthetist = 21 + (room + day) % 10
                    cases.append({
                        "id": case_id, "case_number": f"2026-{case_id:06d}",
                        "patient_name": f"Patient {case_id}", "patient_id": f"MRN{case_id}",
                        "procedure_name": "Procedure", "specialty": "general",
                        "status": CaseStatus.SCHEDULED, "scheduled_start": start,
                        "scheduled_end": end, "occupied_until": end + timedelta(minutes=30),
                        "estimated_duration_min": 120, "operating_room_id": room + 1,
                        "lead_surgeon_id": surgeon, "anesthetist_id": anesthetist,
                    })
                    team += [
                        {"surgery_case_id": case_id, "user_id": surgeon,
                         "role": TeamRole.SURGEON},
                        {"surgery_case_id": case_id, "user_id": anesthetist,
                         "role": TeamRole.ANESTHESIOLOGIST},
                    ]
                    for phase in Phase:
                        checklist_id = len(checklists) + 1
                        checklists.append({"id": checklist_id, "surgery_case_id": case_id,
                                           "phase": phase})
                        items += [
                            {"checklist_id": checklist_id, "item_code": code, "section": sec,
                             "label": label, "is_required": req, "position": pos,
                             "status": ItemStatus.DONE if pos % 3 == 0 else ItemStatus.PENDING}
                            for pos, (code, sec, label, req) in enumerate(template_items[phase])
                        ]
        s.execute(insert(m.SurgeryCase), cases)
        s.execute(insert(m.CareTeamMember), team)
        s.execute(insert(m.Checklist), checklists)
        s.execute(insert(m.ChecklistItem), items)
        s.commit()
    return Actor(31, "sched", Role.SCHEDULER, "Scheduler")


def test_board_reads_a_hospital_week_in_a_few_queries(db: Database) -> None:
    """60 rooms x 7 days in a constant number of statements: no query per case or room.

    How fast that is goes to benchmarks/run.py; a timed assertion here would only measure
    how busy the test machine is.
    """
    actor = _seed(db)
    service = CaseService(db, FakeClock(MONDAY))
    window = (MONDAY - timedelta(hours=7), MONDAY + timedelta(days=DAYS))
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        board = service.board(actor, *window)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(board.cases) == ROOMS * DAYS * PER_DAY
    assert len(board.rooms) == ROOMS
    assert all(c.checklist_total > 0 for c in board.cases)
    assert all(c.patient_name for c in board.cases)  # a scheduler sees patients
    queries = [q for q in statements if q.lstrip().upper().startswith("SELECT")]
    assert len(queries) <= 12, f"{len(queries)} SELECTs for one board"


def _selects(db: Database, read: Any) -> tuple[Any, int]:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        result = read()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return result, sum(1 for q in statements if q.lstrip().upper().startswith("SELECT"))


def test_a_nurses_board_decides_rights_in_as_few_queries(db: Database) -> None:
    """A nurse on some of the week's teams: their rights (and the patients they see) come
    from one query for their memberships, however many cases the board holds."""
    _seed(db)
    with db.new_session() as s:
        s.execute(insert(m.User), [{"id": 40, "username": "nurse", "email": "n@or.hospital.local",
                                     "role": Role.NURSE, "display_name": "Nurse"}])
        s.execute(insert(m.CareTeamMember), [
            {"surgery_case_id": case_id, "user_id": 40, "role": TeamRole.CIRCULATING_NURSE}
            for case_id in range(1, 201)])
        s.commit()
    nurse = Actor(40, "nurse", Role.NURSE, "Nurse")
    service = CaseService(db, FakeClock(MONDAY))
    window = (MONDAY - timedelta(hours=7), MONDAY + timedelta(days=DAYS))
    board, queries = _selects(db, lambda: service.board(nurse, *window))
    assert queries <= 12, f"{queries} SELECTs for one board"
    mine = [c for c in board.cases if c.id <= 200]
    others = [c for c in board.cases if c.id > 200]
    assert len(mine) == 200
    assert all(c.rights.tick and c.rights.sign_off and c.rights.see_patient for c in mine)
    assert all(c.rights.status_targets == () for c in mine)  # scheduled: nothing clinical yet
    assert not any(c.rights.tick or c.rights.see_patient for c in others)
    assert not any(c.patient_name for c in others)

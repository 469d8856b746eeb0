"""Show one case screen on a small made-up department, for screenshots under Xvfb.

    /work/shared/tools/shot docs/screenshots/case-form.png -- \
        uv run python -m tests.ui.case.shots form

Screens: ``form`` (a new case with an error showing), ``checklist`` (a case half done,
as a nurse of its team), ``mycases`` (a surgeon's next days), ``edit`` (an existing case;
``team``, ``notes``, ``history``: its other tabs), ``masked`` (as a nurse off its team).
"""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget

from surgdesk.domain.enums import ItemStatus, Laterality, Role, TeamRole
from surgdesk.repository import migrate
from surgdesk.repository.database import Database, make_nullpool_engine
from surgdesk.services.context import ANONYMOUS, Actor, FakeClock
from surgdesk.services.registry import Services
from surgdesk.ui.case import CaseFormDialog, ChecklistWidget, MyCasesWidget
from tests.services.staff import PASSWORD, as_actor, users

NOW = datetime(2026, 1, 12, 6, 30, tzinfo=UTC)
DAY = datetime(2026, 1, 12)
PEOPLE = [
    ("admin", Role.ADMIN, "Ada Admin", None),
    ("m.keller", Role.SCHEDULER, "Maria Keller", None),
    ("dr.novak", Role.SURGEON, "Dr. Jan Novak", "orthopedics"),
    ("dr.osei", Role.SURGEON, "Dr. Ama Osei", "general"),
    ("dr.lind", Role.ANESTHESIOLOGIST, "Dr. Erik Lind", None),
    ("rn.silva", Role.NURSE, "Rosa Silva", None),
    ("rn.brandt", Role.NURSE, "Tom Brandt", None),
]


def department() -> tuple[Services, dict[str, Actor]]:
    path = Path(tempfile.mkdtemp()) / "shots.db"
    engine = make_nullpool_engine(f"sqlite:///{path}")
    migrate.upgrade(engine, time_zone="Europe/Berlin")
    db = Database(engine)
    clock = FakeClock(NOW)
    people: dict[str, Actor] = {}
    admin = None
    for username, role, name, specialty in PEOPLE:
        view = users(db, clock).add_user(
            admin or ANONYMOUS, username=username, role=role, display_name=name,
            email=f"{username}@or.hospital.local", password=PASSWORD, specialty=specialty)
        people[username] = as_actor(view)
        admin = admin or people[username]
    services = Services.create(db, clock)
    rooms = services.rooms
    rooms.add_room(people["admin"], code="OR1", name="General surgery 1")
    rooms.add_room(people["admin"], code="OR2", name="Orthopedics", specialty_tags=["orthopedics"])
    rooms.add_room(people["admin"], code="OR3", name="Day surgery")
    sched = people["m.keller"]
    cases = services.cases
    plan = [
        ("Total knee replacement", "OR2", 8, 150, "dr.novak", Laterality.LEFT, "Hanna Weber"),
        ("Hip arthroscopy", "OR2", 11, 90, "dr.novak", Laterality.RIGHT, "Lukas Fischer"),
        ("Laparoscopic cholecystectomy", "OR1", 8, 120, "dr.osei", Laterality.NOT_APPLICABLE,
         "Emma Schulz"),
        ("ACL reconstruction", "OR2", 8, 120, "dr.novak", Laterality.LEFT, "Paul Wagner"),
    ]
    for n, (proc, room, hour, minutes, surgeon, lat, patient) in enumerate(plan):
        day = 1 if n < 3 else 2
        result = cases.create_case(
            sched, procedure_name=proc, patient_id=f"MRN-{40210 + n}", patient_name=patient,
            lead_surgeon=surgeon, laterality=lat, anesthetist="dr.lind", room=room,
            start=DAY + timedelta(days=day, hours=hour), duration_min=minutes)
        number = result.case.case_number
        cases.assign_team_member(sched, number, "rn.silva", TeamRole.CIRCULATING_NURSE)
        if n == 0:
            cases.confirm_assignment(people["dr.novak"], number)
            cases.add_note(people["rn.silva"], number, "nursing", "Latex allergy — latex-free "
                           "set requested")
    return services, people


def main(screen: str) -> int:
    app = QApplication(sys.argv[:1])
    services, people = department()
    first = "2026-000001"
    widget: QWidget
    if screen == "form":
        form = CaseFormDialog(services, people["m.keller"], None)
        form.runner.settle()  # the pickers are read off the GUI thread
        form.patient_name.setText("Sofia Brandt")
        form.patient_id.setText("MRN-40377")
        form.procedure.setText("Carpal tunnel release")
        form.lead_surgeon.setCurrentIndex(form.lead_surgeon.findData("dr.novak"))
        form.room.setCurrentIndex(form.room.findData("OR3"))
        widget = form
    elif screen in ("edit", "team", "notes", "history"):
        edit = CaseFormDialog(services, people["m.keller"], first)
        edit.runner.settle()
        pages = {"edit": 0, "team": 1, "notes": 3, "history": 4}
        edit.tabs.setCurrentIndex(pages[screen])
        widget = edit
    elif screen == "masked":
        masked = CaseFormDialog(services, people["rn.brandt"], first)
        masked.runner.settle()
        widget = masked
    elif screen == "checklist":
        nurse = people["rn.silva"]
        for code in ("RD-CONSENT", "RD-ASSESSMENT", "RD-RESULTS", "RD-FASTING",
                     "SI-IDENTITY", "SI-SITE", "SI-ANESTH"):
            services.checklists.tick(nurse, first, code)
        services.checklists.tick(nurse, first, "RD-IMPLANTS", status=ItemStatus.BLOCKED,
                                 note="Implant tray arrives 07:30")
        checklist = ChecklistWidget(services, nurse, first)
        checklist.runner.settle()
        checklist.pages[next(iter(checklist.pages))].select("SI-ALLERGY")
        checklist.resize(1100, 760)
        widget = checklist
    else:
        my = MyCasesWidget(services, people["dr.novak"])
        my.runner.settle()
        my.resize(1200, 330)
        widget = my
    widget.show()
    widget.move(20, 20)
    return int(app.exec())


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else "form"))

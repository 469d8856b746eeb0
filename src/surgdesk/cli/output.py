"""Printing results: human tables on stdout, JSON with --json, messages on stderr."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from enum import Enum
from typing import Any

from pydantic import BaseModel

from surgdesk.domain.room_hours import daily_hours_text
from surgdesk.services.dto import (
    CaseDetail,
    CaseEquipmentView,
    CaseSummary,
    ChecklistView,
    RoomView,
    SoftConflict,
)


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, default=_default, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def print_warnings(warnings: Iterable[SoftConflict]) -> None:
    for w in warnings:
        warn(w.message)


def table(rows: Sequence[Sequence[str]], headers: Sequence[str]) -> None:
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    print(line.rstrip())
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def case_json(case: CaseSummary, warnings: Iterable[SoftConflict] = ()) -> dict[str, Any]:
    """A case in DESIGN.md's field names, the room as its code."""
    return {
        "case_number": case.case_number,
        "status": case.status.value,
        "priority": case.priority.value,
        "procedure_name": case.procedure_name,
        "laterality": case.laterality.value,
        "specialty": case.specialty,
        "room": case.room_code,
        "scheduled_start": case.scheduled_start,
        "scheduled_end": case.scheduled_end,
        "estimated_duration_min": case.estimated_duration_min,
        "lead_surgeon": case.lead_surgeon_username,
        "lead_surgeon_name": case.lead_surgeon_name,
        "anesthetist_name": case.anesthetist_name,
        "patient_name": case.patient_name,
        "patient_id": case.patient_id,
        "patient_dob": case.patient_dob,
        "patient_masked": case.patient_masked,
        "pre_op_complete": case.pre_op_complete,
        "post_op_complete": case.post_op_complete,
        "actual_start": case.actual_start,
        "actual_end": case.actual_end,
        "checklist_done": case.checklist_done,
        "checklist_total": case.checklist_total,
        "equipment": [{"kind": e.kind, "unit": e.unit, "pinned": e.pinned}
                      for e in case.equipment],
        "version": case.version,
        "warnings": [w.model_dump(mode="json") for w in warnings],
    }


def _when(value: datetime | None, tz: Any) -> str:
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else "-"


def equipment_text(case: CaseSummary) -> str:
    """Short: the units a placed case holds ("C-arm 2, Laser 1"); a need without a unit
    as its kind, marked "none" when the case is placed (lost to maintenance, say)."""
    placed = case.room_code is not None and case.scheduled_start is not None
    return ", ".join(_need_text(e, placed) for e in case.equipment) or "-"


def _need_text(need: CaseEquipmentView, placed: bool) -> str:
    if need.unit is not None:
        return need.unit + ("*" if need.pinned else "")
    return f"{need.kind}: none" if placed else need.kind


def print_cases(cases: Sequence[CaseSummary], tz: Any) -> None:
    rows = [
        [
            c.case_number,
            c.status.value,
            c.room_code or "-",
            _when(c.scheduled_start, tz),
            _when(c.scheduled_end, tz)[-5:] if c.scheduled_end else "-",
            c.priority.value,
            c.procedure_name[:40],
            c.lead_surgeon_name,
            c.patient_name if not c.patient_masked and c.patient_name else "(masked)",
            equipment_text(c),
        ]
        for c in cases
    ]
    table(rows, ["CASE", "STATUS", "ROOM", "START", "END", "PRIORITY", "PROCEDURE", "SURGEON",
                 "PATIENT", "EQUIPMENT"])
    if any(e.pinned for c in cases for e in c.equipment):
        print("* a unit chosen for the case")


def print_case(detail: CaseDetail, tz: Any) -> None:
    """One case, a line per fact: what ``cases show`` prints."""
    c = detail.case
    where = f"{c.room_code} {_when(c.scheduled_start, tz)}–{_when(c.scheduled_end, tz)[-5:]}" \
        if c.room_code and c.scheduled_start else "not scheduled"
    print(f"{c.case_number} ({c.status.value}, {c.priority.value}): {c.procedure_name}, "
          f"{c.laterality.value}")
    print(f"when: {where} ({c.estimated_duration_min} min)")
    print(f"surgeon: {c.lead_surgeon_name}" + (f"; anesthetist: {c.anesthetist_name}"
                                               if c.anesthetist_name else ""))
    patient = c.patient_name if not c.patient_masked and c.patient_name else "(masked)"
    print(f"patient: {patient}")
    print(f"equipment: {equipment_text(c) if c.equipment else 'none'}")
    if detail.card is not None:
        card = detail.card
        print(f"card: {card.id} ({card.surgeon_username}, {card.procedure_name})")
        if card.positioning:
            print(f"  positioning: {card.positioning}")
        for title, lines in (("trays", card.trays), ("supplies", card.supplies)):
            if lines:
                print(f"  {title}: {'; '.join(lines)}")
    print(f"checklists: {c.checklist_done}/{c.checklist_total} required items done")
    if c.conflicts:
        print(f"warnings: {', '.join(c.conflicts)}")


def room_json(room: RoomView) -> dict[str, Any]:
    return room.model_dump(mode="json")


def print_rooms(rooms: Sequence[RoomView]) -> None:
    rows = [
        [
            r.code,
            r.name,
            r.status.value,
            ",".join(r.specialty_tags) or "any",
            str(r.turnover_minutes),
            daily_hours_text(r.opens_at, r.closes_at),
            "".join("MTWTFSS"[d] if d in r.weekdays else "." for d in range(7)),
        ]
        for r in rooms
    ]
    table(rows, ["CODE", "NAME", "STATUS", "SPECIALTY", "TURNOVER", "HOURS", "DAYS"])


def checklist_json(case_number: str, checklists: Sequence[ChecklistView]) -> dict[str, Any]:
    return {
        "case_number": case_number,
        "checklists": [
            {
                "phase": c.phase.value,
                "status": c.status.value,
                "signed_off_by": c.signed_off_by,
                "signed_off_at": c.signed_off_at,
                "items": [
                    {
                        "item_code": i.item_code,
                        "section": i.section,
                        "label": i.label,
                        "is_required": i.is_required,
                        "status": i.status.value,
                        "completed_by": i.completed_by,
                        "completed_at": i.completed_at,
                        "notes": i.notes,
                    }
                    for i in c.items
                ],
            }
            for c in checklists
        ],
    }


def print_checklists(checklists: Sequence[ChecklistView], tz: Any) -> None:
    for c in checklists:
        signed = f", signed off by {c.signed_off_by}" if c.signed_off_by else ""
        print(f"{c.phase.value} ({c.status.value}{signed})")
        section = None
        for i in c.items:
            if i.section != section:
                section = i.section
                print(f"  {section}")
            mark = {"done": "[x]", "blocked": "[!]"}.get(i.status.value, "[ ]")
            who = f"  {i.completed_by} {_when(i.completed_at, tz)}" if i.completed_by else ""
            optional = "" if i.is_required else " (optional)"
            print(f"    {mark} {i.item_code:<14} {i.label}{optional}{who}")

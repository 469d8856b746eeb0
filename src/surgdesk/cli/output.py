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
from surgdesk.services.dto import CaseSummary, ChecklistView, RoomView, SoftConflict


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
        "version": case.version,
        "warnings": [w.model_dump(mode="json") for w in warnings],
    }


def _when(value: datetime | None, tz: Any) -> str:
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else "-"


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
        ]
        for c in cases
    ]
    table(rows, ["CASE", "STATUS", "ROOM", "START", "END", "PRIORITY", "PROCEDURE", "SURGEON",
                 "PATIENT"])


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

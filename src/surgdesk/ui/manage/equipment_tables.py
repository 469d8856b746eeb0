"""The equipment screen's tables (kinds, units, a unit's closures) and the words for what a
unit's change did to the cases holding it (``UnitChange``)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from surgdesk.domain.enums import EquipmentStatus
from surgdesk.services.dto import (
    EquipmentClosureView,
    EquipmentKindView,
    EquipmentUnitView,
    UnitChange,
)
from surgdesk.ui.manage.common import Column

NOTES_SHOWN = 32  # characters of a unit's notes in the list
STATUS_TEXT: dict[EquipmentStatus, str] = {
    EquipmentStatus.AVAILABLE: "Available",
    EquipmentStatus.MAINTENANCE: "Maintenance",
    EquipmentStatus.RETIRED: "Retired",
}


def kind_columns() -> list[Column[EquipmentKindView]]:
    return [
        Column("Kind", lambda k: k.name, muted=lambda k: not k.active),
        Column("Units", lambda k: str(k.unit_count), sort=lambda k: k.unit_count,
               align_right=True),
        Column("State", lambda k: "active" if k.active else "inactive",
               muted=lambda k: not k.active),
    ]


def rooms_text(unit: EquipmentUnitView) -> str:
    return ", ".join(unit.room_codes) or "any"


def unit_columns() -> list[Column[EquipmentUnitView]]:
    def out(u: EquipmentUnitView) -> bool:
        return u.status is not EquipmentStatus.AVAILABLE

    return [
        Column("Name", lambda u: u.name, muted=out),
        Column("Kind", lambda u: u.kind, muted=out),
        Column("Rooms", rooms_text, muted=out),
        Column("Status", lambda u: STATUS_TEXT[u.status], muted=out),
        Column("Turnaround", lambda u: f"{u.turnaround_minutes} min",
               sort=lambda u: u.turnaround_minutes, align_right=True, muted=out),
        Column("Notes", lambda u: short(u.notes or ""), tooltip=lambda u: u.notes, muted=out),
    ]


def closure_columns(tz: ZoneInfo) -> list[Column[EquipmentClosureView]]:
    return [
        Column("From", lambda c: f"{c.starts_at.astimezone(tz):%a %d %b %Y %H:%M}",
               sort=lambda c: c.starts_at.timestamp()),
        Column("To", lambda c: f"{c.ends_at.astimezone(tz):%a %d %b %Y %H:%M}",
               sort=lambda c: c.ends_at.timestamp()),
        Column("Reason", lambda c: c.reason, tooltip=lambda c: c.reason),
    ]


def short(text: str, limit: int = NOTES_SHOWN) -> str:
    """The start of a long text (the whole in the tooltip): the list keeps its width."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[:limit - 1].rstrip() + "…"


def change_text(change: UnitChange, what: str) -> str:
    """What an edit or a closure of a unit did to the cases holding it from now on, or ''
    when no case was touched. ``what``: the change in a few words ("to maintenance")."""
    unit = change.unit
    parts: list[str] = []
    if change.lost:
        shows = "it shows" if len(change.lost) == 1 else "they show"
        parts.append(f"{_cases(change.lost)} lost it — no other free {unit.kind}; "
                     f"{shows} the missing-equipment mark until one is found")
    if change.reassigned:
        parts.append(f"{_cases(change.reassigned)} got another {unit.kind}")
    if not parts:
        return ""
    return f"{unit.name} {what}: " + "; ".join(parts) + "."


def _cases(numbers: tuple[str, ...]) -> str:
    head = "case" if len(numbers) == 1 else "cases"
    return f"{head} {', '.join(numbers)}"

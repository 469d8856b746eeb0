"""What a person gives for a block, checked field by field before any rule runs.

``BlockFields`` is the block as the CLI and the screen hand it over (codes, usernames, local
wall-clock times); the checks here name the field a bad value came in, and ``Resolved`` is
the same block once its room and owner rows are found (``BlockService._resolve``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from surgdesk.domain import models as m
from surgdesk.domain.blocks import BlockPattern, local_span
from surgdesk.domain.limits import date_problem
from surgdesk.domain.timezones import LocalTimeError
from surgdesk.errors import BadInput, FieldProblem
from surgdesk.services.fields import free_text

REASON_MAX = 4000


class BlockFields(BaseModel):
    """What a block is made of, as a person gives it (codes and usernames, local times)."""

    model_config = ConfigDict(extra="forbid")

    room: str  # room code
    surgeon: str | None = None  # username of a surgeon; exactly one of surgeon / service
    service: str | None = None  # a specialty
    weekdays: tuple[int, ...]  # 0 = Monday ... 6 = Sunday
    start: time
    end: time
    every_weeks: int = 1
    weeks_of_month: tuple[int, ...] = ()
    valid_from: date
    valid_until: date | None = None
    release_days: int | None = None  # None: the department's default


@dataclass(frozen=True)
class Resolved:
    """Validated fields with their rows found."""

    room: m.OperatingRoom
    surgeon: m.SurgeonProfile | None
    service: str | None
    pattern: BlockPattern
    release_days: int | None

    def apply(self, block: m.Block) -> None:
        p = self.pattern
        block.room_id, block.room = self.room.id, self.room
        block.surgeon_id = self.surgeon.id if self.surgeon is not None else None
        block.surgeon = self.surgeon
        block.service = self.service
        block.weekdays = sorted(set(p.weekdays))
        block.starts_at, block.ends_at = p.start, p.end
        block.every_weeks, block.weeks_of_month = p.every_weeks, sorted(set(p.weeks_of_month))
        block.valid_from, block.valid_until = p.valid_from, p.valid_until
        block.release_days = self.release_days


def audit_state(block: m.Block) -> dict[str, Any]:
    surgeon = block.surgeon
    return {
        "room": block.room.code if block.room is not None else None,
        "surgeon": surgeon.user.username if surgeon is not None else None,
        "service": block.service, "weekdays": list(block.weekdays or ()),
        "start": block.starts_at, "end": block.ends_at, "every_weeks": block.every_weeks,
        "weeks_of_month": list(block.weeks_of_month or ()), "valid_from": block.valid_from,
        "valid_until": block.valid_until, "release_days": block.release_days,
    }


def wall_time(value: time, field: str) -> time:
    if value.tzinfo is not None:
        raise BadInput(FieldProblem(field, "is a wall-clock time in the department's zone "
                                           "(no offset)"))
    if value.second or value.microsecond:
        raise BadInput(FieldProblem(field, "must be whole minutes"))
    return value


def valid_day(value: date, field: str) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise BadInput(FieldProblem(field, "must be a date"))
    if (problem := date_problem(value)) is not None:
        raise BadInput(FieldProblem(field, problem))
    return value


def reason_text(value: str | None, *, required: bool, max_len: int = REASON_MAX) -> str | None:
    text = (value or "").strip()
    if not text:
        if required:
            raise BadInput(FieldProblem("reason", "is required"))
        return None
    if len(text) > max_len:
        raise BadInput(FieldProblem("reason", f"must be at most {max_len} characters"))
    try:
        return free_text(text)
    except ValueError as exc:
        raise BadInput(FieldProblem("reason", str(exc))) from None


def in_gap(day: date, wall: time, tz: ZoneInfo) -> bool:
    try:
        local_span(day, wall, wall, tz)
    except LocalTimeError:
        return True
    return False

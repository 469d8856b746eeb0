"""Operating rooms and their dated closures.

A room's turnover is part of every booking in it: each occupying case holds the room until
``scheduled_end + turnover`` (stored as ``occupied_until`` so Postgres's exclusion
constraint can compare ranges). Changing the turnover therefore re-times the room's
occupying cases, and is refused when the longer turnover would make two of them overlap.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, time
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from surgdesk.domain import models as m
from surgdesk.domain.enums import RoomStatus
from surgdesk.domain.intervals import occupied_until
from surgdesk.domain.limits import CODE_MAX, NAME_MAX, TURNOVER
from surgdesk.domain.permissions import Action
from surgdesk.domain.timezones import LocalTimeError, to_utc
from surgdesk.errors import BadInput, Duplicate, FieldProblem, NotFound, RoomConflict
from surgdesk.repository.uow import UnitOfWork
from surgdesk.services.base import Service, diff, snapshot, validate
from surgdesk.services.context import Actor
from surgdesk.services.dto import ClosureView, RoomView
from surgdesk.services.fields import check_version, optional_text, required_text

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._/-]*$")
TAG_MAX = 64
_ROOM_FIELDS = (
    "code", "name", "location", "specialty_tags", "status", "turnover_minutes",
    "opens_at", "closes_at", "weekdays",
)


def _code(value: str) -> str:
    value = value.strip()
    if not value or len(value) > CODE_MAX or not CODE_RE.match(value):
        raise ValueError(
            f"1 to {CODE_MAX} characters: letters, digits, space, '.', '_', '/' or '-'"
        )
    return value


def _tags(values: tuple[str, ...]) -> tuple[str, ...]:
    """Trimmed, without repeats (case-insensitive); the first spelling wins."""
    seen: dict[str, str] = {}
    for raw in values:
        tag = raw.strip()
        if not tag or len(tag) > TAG_MAX:
            raise ValueError(f"each tag must be 1 to {TAG_MAX} characters")
        seen.setdefault(tag.lower(), tag)
    return tuple(seen.values())


def _weekdays(values: tuple[int, ...]) -> tuple[int, ...]:
    if not values:
        raise ValueError("at least one weekday (0 = Monday ... 6 = Sunday)")
    if any(d < 0 or d > 6 for d in values):
        raise ValueError("weekdays are 0 (Monday) to 6 (Sunday)")
    return tuple(sorted(set(values)))


class RoomFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Annotated[str, AfterValidator(_code)]
    name: Annotated[str, required_text(NAME_MAX)]
    location: Annotated[str | None, optional_text(NAME_MAX)] = None
    specialty_tags: Annotated[tuple[str, ...], AfterValidator(_tags)] = ()
    status: RoomStatus = RoomStatus.ACTIVE
    turnover_minutes: int = Field(default=30, ge=TURNOVER.low, le=TURNOVER.high)
    opens_at: time = time(7, 0)
    closes_at: time = time(19, 0)
    weekdays: Annotated[tuple[int, ...], AfterValidator(_weekdays)] = (0, 1, 2, 3, 4)

    @model_validator(mode="after")
    def _hours(self) -> RoomFields:
        # Equal hours are a room open round the clock (domain.room_hours); a room that
        # closes before it opens (past midnight) is not offered here.
        if self.closes_at < self.opens_at:
            raise BadInput(FieldProblem(
                "closes_at", "must be after opens_at (or equal to it: open round the clock)"))
        return self


class ClosureFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    starts_at: datetime
    ends_at: datetime
    reason: Annotated[str, required_text(NAME_MAX)]


def room_view(room: m.OperatingRoom) -> RoomView:
    return RoomView(
        id=room.id, code=room.code, name=room.name, location=room.location,
        specialty_tags=tuple(room.specialty_tags or ()), status=room.status,
        turnover_minutes=room.turnover_minutes, opens_at=room.opens_at,
        closes_at=room.closes_at, weekdays=tuple(room.weekdays or ()), version=room.version,
    )


def closure_view(closure: m.RoomClosure) -> ClosureView:
    return ClosureView(
        id=closure.id, room_id=closure.room_id, starts_at=closure.starts_at,
        ends_at=closure.ends_at, reason=closure.reason, version=closure.version,
    )


def _as_tuple(values: Iterable[Any] | str) -> tuple[Any, ...]:
    """A list of tags or weekdays; one tag given as a plain string is one tag, not letters."""
    return (values,) if isinstance(values, str) else tuple(values)


def _stored(fields: RoomFields) -> dict[str, Any]:
    """The validated fields as the ORM stores them (JSON lists, not tuples)."""
    values = fields.model_dump()
    values["specialty_tags"] = list(fields.specialty_tags)
    values["weekdays"] = list(fields.weekdays)
    return values


class RoomService(Service):
    # -- rooms ------------------------------------------------------------------------

    def list_rooms(self, actor: Actor) -> list[RoomView]:
        self.require(actor, Action.SEE_BOARD, what="see rooms")
        with self.uow(read_only=True) as uow:
            return [room_view(r) for r in uow.rooms.all()]

    def get_room(self, actor: Actor, code: str) -> RoomView:
        self.require(actor, Action.SEE_BOARD, what="see rooms")
        with self.uow(read_only=True) as uow:
            return room_view(self._room(uow, code))

    def add_room(
        self,
        actor: Actor,
        *,
        code: str,
        name: str,
        location: str | None = None,
        specialty_tags: Iterable[str] = (),
        turnover_minutes: int = 30,
        opens_at: time = time(7, 0),
        closes_at: time = time(19, 0),
        weekdays: Iterable[int] = (0, 1, 2, 3, 4),
        status: RoomStatus | str = RoomStatus.ACTIVE,
    ) -> RoomView:
        self.require(actor, Action.MANAGE_ROOMS, what="add rooms")
        fields = validate(RoomFields, {
            "code": code, "name": name, "location": location,
            "specialty_tags": _as_tuple(specialty_tags), "turnover_minutes": turnover_minutes,
            "opens_at": opens_at, "closes_at": closes_at, "weekdays": _as_tuple(weekdays),
            "status": status,
        })
        with self.uow() as uow:
            self._check_code_free(uow, fields.code, None)
            room = m.OperatingRoom(**_stored(fields))
            uow.rooms.add(room)
            uow.flush()
            after = {k: v for k, v in _stored(fields).items()}
            self.audit(uow, actor, "add_room", room, diff({}, after))
            uow.commit()
            return room_view(room)

    def update_room(
        self, actor: Actor, code: str, /, *, expected_version: int | None = None,
        **changes: Any,
    ) -> RoomView:
        """Change any of the fields ``add_room`` takes; the rest stay as they are.

        ``code`` names the room (any case); ``code=`` among the changes renames it.
        """
        self.require(actor, Action.MANAGE_ROOMS, what="change rooms")
        unknown = sorted(set(changes) - set(_ROOM_FIELDS))
        if unknown:
            raise BadInput([FieldProblem(k, "not a room field") for k in unknown])
        with self.uow() as uow:
            room = self._room(uow, code)
            check_version(room, expected_version, f"room {room.code}")
            before = snapshot(room, _ROOM_FIELDS)
            merged = {**before, **{k: v for k, v in changes.items() if v is not None}}
            if "location" in changes:
                merged["location"] = changes["location"]
            for key in ("specialty_tags", "weekdays"):
                merged[key] = _as_tuple(merged[key] or ())
            fields = validate(RoomFields, merged)
            if fields.code != room.code:
                self._check_code_free(uow, fields.code, room.id)
            for key, value in _stored(fields).items():
                setattr(room, key, value)
            if room.turnover_minutes != before["turnover_minutes"]:
                self._retime_cases(uow, room)
            changed = diff(before, snapshot(room, _ROOM_FIELDS))
            if changed:
                uow.flush()
                self.audit(uow, actor, "update_room", room, changed)
                uow.commit()
            return room_view(room)

    @staticmethod
    def _retime_cases(uow: UnitOfWork, room: m.OperatingRoom) -> None:
        """Hold the room for the new turnover after each case; refuse if cases then clash.

        Only cases that hold the room are re-timed: completed and cancelled ones keep the
        turnover they had, and a requested or postponed case is timed when it is booked.
        """
        held_until: datetime | None = None
        previous: m.SurgeryCase | None = None
        for case in uow.rooms.occupying_cases(room.id):
            start, end = case.scheduled_start, case.scheduled_end
            assert start is not None
            assert end is not None
            if previous is not None and held_until is not None and start < held_until:
                raise RoomConflict(
                    f"a turnover of {room.turnover_minutes} min would make cases "
                    f"{previous.case_number} and {case.case_number} overlap in room {room.code}"
                )
            case.occupied_until = occupied_until(end, room.turnover_minutes)
            if held_until is None or case.occupied_until > held_until:
                held_until, previous = case.occupied_until, case
        uow.flush()  # on Postgres the exclusion constraint checks too

    # -- closures ---------------------------------------------------------------------

    def add_closure(
        self, actor: Actor, code: str, *, starts_at: datetime, ends_at: datetime, reason: str
    ) -> ClosureView:
        """A dated closure; times without an offset are department wall-clock time."""
        self.require(actor, Action.MANAGE_ROOMS, what="close rooms")
        fields = validate(ClosureFields, {
            "starts_at": starts_at, "ends_at": ends_at, "reason": reason,
        })
        with self.uow() as uow:
            room = self._room(uow, code)
            start, end = self._utc_range(uow, fields.starts_at, fields.ends_at)
            closure = m.RoomClosure(room_id=room.id, starts_at=start, ends_at=end,
                                    reason=fields.reason)
            uow.rooms.add(closure)
            uow.flush()
            details = {"room": room.code, **diff({}, snapshot(closure, _CLOSURE_FIELDS))}
            self.audit(uow, actor, "add_closure", closure, details)
            uow.commit()
            return closure_view(closure)

    def closures(
        self,
        actor: Actor,
        code: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> list[ClosureView]:
        """Closures of one room (or all) that meet [start, end); open ends unbounded."""
        self.require(actor, Action.SEE_BOARD, what="see room closures")
        with self.uow(read_only=True) as uow:
            room_id = self._room(uow, code).id if code is not None else None
            tz = self.department_zone(uow)
            lo = self._utc(start, tz, "start") if start is not None else None
            hi = self._utc(end, tz, "end") if end is not None else None
            return [closure_view(c) for c in uow.rooms.closures(room_id, lo, hi)]

    def remove_closure(self, actor: Actor, closure_id: int) -> None:
        self.require(actor, Action.MANAGE_ROOMS, what="remove room closures")
        with self.uow() as uow:
            closure = uow.rooms.closure(closure_id)
            if closure is None:
                raise NotFound(FieldProblem("closure_id", f"no closure {closure_id}"))
            gone = dict.fromkeys(_CLOSURE_FIELDS)
            details = {"room": closure.room.code,
                       **diff(snapshot(closure, _CLOSURE_FIELDS), gone)}
            self.audit(uow, actor, "remove_closure", closure, details)
            uow.rooms.delete(closure)
            uow.commit()

    def cases_clashing_with_closure(
        self, actor: Actor, code: str, starts_at: datetime, ends_at: datetime
    ) -> list[str]:
        """Case numbers of the room's occupying cases a closure over this span would hit.

        The cases' own times count, not their turnover: cleaning after the last case may
        run into a closure, a case may not.
        """
        self.require(actor, Action.MANAGE_ROOMS, what="close rooms")
        fields = validate(ClosureFields, {
            "starts_at": starts_at, "ends_at": ends_at, "reason": "check",
        })
        with self.uow(read_only=True) as uow:
            room = self._room(uow, code)
            start, end = self._utc_range(uow, fields.starts_at, fields.ends_at)
            return [c.case_number for c in uow.rooms.occupying_cases(room.id, start, end)]

    # -- helpers ----------------------------------------------------------------------

    @staticmethod
    def _room(uow: UnitOfWork, code: str) -> m.OperatingRoom:
        room = uow.rooms.by_code(code.strip())
        if room is None:
            raise NotFound(FieldProblem("room", f"no room {code.strip()!r}"))
        return room

    @staticmethod
    def _check_code_free(uow: UnitOfWork, code: str, room_id: int | None) -> None:
        other = uow.rooms.by_code(code)
        if other is not None and other.id != room_id:
            raise Duplicate(f"room code {code!r} is already taken (by {other.code})",
                            field="code")

    def _utc_range(self, uow: UnitOfWork, start: datetime, end: datetime
                   ) -> tuple[datetime, datetime]:
        tz = self.department_zone(uow)
        lo, hi = self._utc(start, tz, "starts_at"), self._utc(end, tz, "ends_at")
        if hi <= lo:
            raise BadInput(FieldProblem("ends_at", "must be after starts_at"))
        return lo, hi

    @staticmethod
    def _utc(value: datetime, tz: Any, field: str) -> datetime:
        try:
            return to_utc(value, tz)
        except LocalTimeError as exc:
            raise BadInput(FieldProblem(field, str(exc))) from None


_CLOSURE_FIELDS = ("room_id", "starts_at", "ends_at", "reason")

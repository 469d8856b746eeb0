"""The department's settings: one row every PC of the department shares."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator, model_validator

from surgdesk.config import DepartmentConfig, effective_idle_lock_minutes, effective_remember_me
from surgdesk.domain import models as m
from surgdesk.domain.blocks import RELEASE_DAYS
from surgdesk.domain.limits import IDLE_LOCK, ON_TIME_GRACE, SNAP
from surgdesk.domain.permissions import Action
from surgdesk.domain.timezones import LocalTimeError, zone
from surgdesk.errors import BadInput, FieldProblem
from surgdesk.repository.database import Database
from surgdesk.services.base import Service, diff, snapshot, validate
from surgdesk.services.context import Actor, Clock
from surgdesk.services.fields import check_version

_FIELDS = (
    "time_zone", "day_start", "day_end", "remember_me_allowed", "idle_lock_minutes",
    "on_time_grace_minutes", "snap_minutes", "block_release_days",
)


class DepartmentSettingsView(BaseModel):
    model_config = ConfigDict(frozen=True)

    time_zone: str  # IANA name; naive times are read in this zone
    day_start: time  # the board's day view opens here...
    day_end: time  # ...and ends here
    remember_me_allowed: bool  # off on shared PCs: no session is kept between starts
    idle_lock_minutes: int  # the screen locks after this long without input
    on_time_grace_minutes: int  # a start this late still counts as on time
    snap_minutes: int  # drags on the board snap to this grid
    # A block's unused date is released this many days ahead (blocks without their own
    # figure; 0: never by rule).
    block_release_days: int
    version: int


class SettingsFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    time_zone: str
    day_start: time
    day_end: time
    remember_me_allowed: bool
    idle_lock_minutes: int
    on_time_grace_minutes: int
    snap_minutes: int
    block_release_days: int

    @field_validator("idle_lock_minutes", "on_time_grace_minutes", "snap_minutes",
                     "block_release_days")
    @classmethod
    def _in_range(cls, value: int, info: ValidationInfo) -> int:
        # The ranges are domain.limits', which the CLI and the settings form read too.
        problem = _RANGES[str(info.field_name)].problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        value = value.strip()
        try:
            zone(value)
        except LocalTimeError:
            raise ValueError(f"unknown IANA time zone {value!r} (e.g. Europe/Berlin)") from None
        return value

    @field_validator("snap_minutes")
    @classmethod
    def _snap(cls, value: int) -> int:
        if 60 % value:
            raise ValueError("must divide an hour evenly (1, 2, 5, 10, 15, 20, 30, 60, ...)")
        return value

    @model_validator(mode="after")
    def _day(self) -> SettingsFields:
        if self.day_end <= self.day_start:
            raise BadInput(FieldProblem("day_end", "must be after day_start"))
        return self


_RANGES = {
    "idle_lock_minutes": IDLE_LOCK, "on_time_grace_minutes": ON_TIME_GRACE, "snap_minutes": SNAP,
    "block_release_days": RELEASE_DAYS,
}


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    """What this PC does about sessions: the department's setting narrowed by the
    machine-wide config (any "no" to remember-me wins; the shortest idle lock wins)."""

    remember_me_allowed: bool
    idle_lock_minutes: int


def session_policy(row: m.DepartmentSettings, machine: DepartmentConfig | None) -> SessionPolicy:
    return SessionPolicy(
        remember_me_allowed=effective_remember_me(True, row.remember_me_allowed, machine),
        idle_lock_minutes=effective_idle_lock_minutes(None, row.idle_lock_minutes, machine),
    )


class SettingsService(Service):
    def __init__(self, db: Database, clock: Clock | None = None, *,
                 machine: DepartmentConfig | None = None) -> None:
        super().__init__(db, clock)
        self.machine = machine

    def session_policy(self, actor: Actor) -> SessionPolicy:
        self.require(actor, Action.SEE_BOARD, what="see the department settings")
        with self.uow(read_only=True) as uow:
            return session_policy(uow.settings.get(), self.machine)

    def get(self, actor: Actor) -> DepartmentSettingsView:
        """Everyone reads the settings: the board needs the zone, hours and snap."""
        self.require(actor, Action.SEE_BOARD, what="see the department settings")
        with self.uow(read_only=True) as uow:
            row = uow.settings.get()
            return DepartmentSettingsView(**snapshot(row, _FIELDS), version=row.version)

    def update(
        self,
        actor: Actor,
        *,
        time_zone: str | None = None,
        day_start: time | None = None,
        day_end: time | None = None,
        remember_me_allowed: bool | None = None,
        idle_lock_minutes: int | None = None,
        on_time_grace_minutes: int | None = None,
        snap_minutes: int | None = None,
        block_release_days: int | None = None,
        expected_version: int | None = None,
    ) -> DepartmentSettingsView:
        """Change the given settings (None: unchanged). Admins only."""
        self.require(actor, Action.MANAGE_SETTINGS, what="change the department settings")
        given: dict[str, Any] = {
            "time_zone": time_zone, "day_start": day_start, "day_end": day_end,
            "remember_me_allowed": remember_me_allowed, "idle_lock_minutes": idle_lock_minutes,
            "on_time_grace_minutes": on_time_grace_minutes, "snap_minutes": snap_minutes,
            "block_release_days": block_release_days,
        }
        with self.uow() as uow:
            row = uow.settings.get()
            check_version(row, expected_version, "the department settings")
            before = snapshot(row, _FIELDS)
            merged = {**before, **{k: v for k, v in given.items() if v is not None}}
            fields = validate(SettingsFields, merged)
            for key, value in fields.model_dump().items():
                setattr(row, key, value)
            changed = diff(before, snapshot(row, _FIELDS))
            if changed:
                uow.flush()
                self.audit(uow, actor, "update_settings", row, changed)
                uow.commit()
            return DepartmentSettingsView(**snapshot(row, _FIELDS), version=row.version)

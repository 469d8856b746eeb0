"""What every service shares: the unit of work, the clock, the audit trail, validation."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import Enum
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from surgdesk.domain.permissions import Action, allowed
from surgdesk.domain.timezones import zone
from surgdesk.errors import BadInput, FieldProblem, PermissionDenied
from surgdesk.repository.database import Database
from surgdesk.repository.uow import UnitOfWork
from surgdesk.services.context import Actor, Clock, SystemClock

M = TypeVar("M", bound=BaseModel)


def validate(model: type[M], data: dict[str, Any]) -> M:
    """Build a pydantic input model, turning its errors into one BadInput naming each field."""
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        problems = [
            FieldProblem(
                ".".join(str(part) for part in err["loc"]) or "input",
                _reason(err["msg"]),
            )
            for err in exc.errors()
        ]
        raise BadInput(problems) from None


def _reason(message: str) -> str:
    # pydantic prefixes custom errors with "Value error, "; the field name says enough.
    return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def jsonable(value: Any) -> Any:
    """A value as the audit trail stores it (JSON): instants in ISO 8601, enums by value."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Only the fields that changed, as {"field": {"before": .., "after": ..}}."""
    return {
        key: {"before": jsonable(before.get(key)), "after": jsonable(after.get(key))}
        for key in after
        if before.get(key) != after.get(key)
    }


def snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in fields}


class Service:
    """Base of the use-case classes. Holds the database and the clock, nothing per user."""

    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self.db = db
        self.clock: Clock = clock or SystemClock()

    def uow(self, *, read_only: bool = False, actor: Actor | None = None) -> UnitOfWork:
        """A unit of work; with ``actor``, the change log names that user on every row it
        writes. Without, :meth:`audit` and :meth:`remember_operation` name the actor they
        are given (every write is audited), and a unit that never names one writes as the
        system (NULL)."""
        return UnitOfWork(self.db, read_only=read_only,
                          actor_id=actor.user_id if actor is not None else None)

    def now(self) -> datetime:
        return self.clock.now()

    @staticmethod
    def department_zone(uow: UnitOfWork) -> ZoneInfo:
        return zone(uow.settings.get().time_zone)

    @staticmethod
    def require(actor: Actor, action: Action, *, on_care_team: bool = False,
                what: str | None = None) -> None:
        if not allowed(actor.role, action, on_care_team=on_care_team):
            role = actor.role.value if actor.role else "no role"
            raise PermissionDenied(
                f"{actor.username or 'anonymous'} ({role}) may not {what or action.value}"
            )

    def replayed(self, uow: UnitOfWork, op_id: str | None, action: str) -> int | None:
        """The target id when operation ``op_id`` was already applied (a retry after a
        lost reply); otherwise None, and the unit will record the operation on commit."""
        if op_id is None:
            return None
        op_id = op_id.strip()
        if not 8 <= len(op_id) <= 64:
            raise BadInput(FieldProblem("op_id", "an operation id has 8 to 64 characters"))
        done = uow.operations.find(op_id)
        if done is not None:
            return done.target_id if done.target_id is not None else -1
        uow.pending_operation = (op_id, action)
        return None

    @staticmethod
    def remember_operation(uow: UnitOfWork, actor: Actor, target: Any) -> None:
        """Record the unit's client operation, in the same transaction as its change."""
        uow.act_as(actor.user_id)
        if uow.pending_operation is None:
            return
        op_id, action = uow.pending_operation
        uow.operations.record(op_id=op_id, actor_id=actor.user_id, action=action,
                              target_class=type(target).__name__,
                              target_id=getattr(target, "id", None))
        uow.pending_operation = None

    def audit(
        self,
        uow: UnitOfWork,
        actor: Actor,
        action: str,
        target: Any,
        details: dict[str, Any] | None = None,
    ) -> None:
        """Record an audit event in the same transaction as the change it describes; its
        actor is also who the unit's change-log rows name."""
        uow.act_as(actor.user_id)
        uow.audit.record(
            actor_id=actor.user_id,
            action=action,
            target_class=type(target).__name__,
            target_id=getattr(target, "id", None),
            details=details or {},
            at=self.now(),
        )

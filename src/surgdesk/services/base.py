"""What every service shares: the unit of work, the clock, the audit trail, validation."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import Enum
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from surgdesk.domain import models as m
from surgdesk.domain.limits import OP_ID_LEN
from surgdesk.domain.permissions import Action, allowed
from surgdesk.domain.timezones import zone
from surgdesk.errors import BadInput, Duplicate, FieldProblem, PermissionDenied
from surgdesk.repository.database import Database
from surgdesk.repository.uow import UnitOfWork
from surgdesk.services.context import Actor, Clock, SystemClock

M = TypeVar("M", bound=BaseModel)


def _clean_op_id(op_id: str | None) -> str | None:
    if op_id is None:
        return None
    op_id = op_id.strip()
    if len(op_id) not in OP_ID_LEN:
        raise BadInput(FieldProblem(
            "op_id", f"an operation id has {OP_ID_LEN.low} to {OP_ID_LEN.high} characters"))
    return op_id


@dataclass
class Claim:
    """What a write's operation id stands for (see ``Service.operation``)."""

    op_id: str | None
    action: str
    case_id: int | None = None
    replay: bool = False  # already applied: answer with what is stored, change nothing
    raced: bool = False  # applied by a racing original meanwhile: this unit is spent
    target_id: int | None = None  # what the applied operation wrote (its case, note, event)

    def settle(self, done: m.AppliedOperation) -> None:
        """This is a retry of ``done``: the same action on the same case, or bad input."""
        same_case = (self.case_id is None or done.target_class != "SurgeryCase"
                     or done.target_id == self.case_id)
        if done.action != self.action or not same_case:
            raise BadInput(FieldProblem("op_id", "was used for another operation"))
        self.replay = True
        self.target_id = done.target_id


def validate(model: type[M], data: dict[str, Any], *,
             context: dict[str, Any] | None = None) -> M:
    """Build a pydantic input model, turning its errors into one BadInput naming each field.
    ``context``: what the model's validators need beyond the data (the department's today)."""
    try:
        return model.model_validate(data, context=context)
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
                owns: bool = False, what: str | None = None) -> None:
        if not allowed(actor.role, action, on_care_team=on_care_team, owns=owns):
            role = actor.role.value if actor.role else "no role"
            raise PermissionDenied(
                f"{actor.username or 'anonymous'} ({role}) may not {what or action.value}"
            )

    @contextmanager
    def operation(
        self, uow: UnitOfWork, op_id: str | None, action: str, *,
        case: m.SurgeryCase | None = None,
    ) -> Iterator[Claim]:
        """The opening of every write that takes a client operation id (a retry after a
        lost reply must not apply the change twice). Enter it after the permission check
        (and, for a case, after ``find_case`` has locked the row)::

            with self.operation(uow, op_id, "move_case", case=case) as claim:
                if not claim.replay:
                    ...  # apply, remember_operation, commit, return the answer
            return <the answer for claim.target_id, read with self.replay_unit(uow, claim)>

        ``claim.replay`` is set when ``op_id`` was already applied — found now, or
        committed by a racing original meanwhile (its unique key refuses this attempt,
        rolled back with everything it did; ``claim.raced``). An operation id used for
        another action or another case is bad input: it never answers with another
        operation's data.

        Looked up after the row lock: on Postgres a retry that waited on its original's
        lock then sees the original's committed operation (each statement reads the
        newest commits) and is answered as a replay instead of refused as stale."""
        claim = Claim(op_id=_clean_op_id(op_id), action=action,
                      case_id=case.id if case is not None else None)
        if claim.op_id is not None:
            done = uow.operations.find(claim.op_id)
            if done is None:
                uow.pending_operation = (claim.op_id, action)
            else:
                claim.settle(done)
        try:
            yield claim
        except Duplicate as exc:
            if exc.field != "op_id" or claim.op_id is None or claim.replay:
                raise
            with self.uow(read_only=True) as fresh:
                done = fresh.operations.find(claim.op_id)
                if done is None:  # not ours after all: a genuine failure
                    raise
                claim.settle(done)
            claim.raced = True

    @contextmanager
    def replay_unit(self, uow: UnitOfWork, claim: Claim) -> Iterator[UnitOfWork]:
        """Where to read a replay's answer: the write's own unit, or a fresh one when the
        write's attempt was rolled back (a retry that raced its original)."""
        if not claim.replay:
            raise AssertionError(f"{claim.action}: no answer and no replay")
        if not claim.raced:
            yield uow
            return
        with self.uow(read_only=True) as fresh:
            yield fresh

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

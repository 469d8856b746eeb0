"""The application's own typed errors. Every layer raises these; the UI and CLI map them.

``BadInput`` (and its kin) means the request itself is wrong: CLI exit 2.
``Refused`` means a rule said no to a well-formed request: CLI exit 1.
Anything else that escapes is an internal error: CLI exit 3.
"""

from __future__ import annotations

from dataclasses import dataclass


class SurgDeskError(Exception):
    """Base of every error SurgDesk raises on purpose."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


@dataclass(frozen=True)
class FieldProblem:
    field: str
    reason: str


class BadInput(SurgDeskError):
    """One or more fields are invalid; nothing was written."""

    def __init__(self, problems: list[FieldProblem] | FieldProblem | str, *,
                 field: str | None = None) -> None:
        if isinstance(problems, str):
            problems = [FieldProblem(field or "input", problems)]
        elif isinstance(problems, FieldProblem):
            problems = [problems]
        self.problems: list[FieldProblem] = problems
        text = "; ".join(f"{p.field}: {p.reason}" for p in problems)
        super().__init__(text, field=problems[0].field if problems else None)

    def __str__(self) -> str:
        return self.message


class NotFound(BadInput):
    """A name that does not exist (room code, username, case number)."""


class Refused(SurgDeskError):
    """A rule refused the request."""


class PermissionDenied(Refused):
    pass


class RoomConflict(Refused):
    """Hard conflict: the room is taken (turnover included), closed, or in maintenance."""


class EquipmentConflict(RoomConflict):
    """Hard conflict: no free unit of a needed equipment kind at that time (turnaround
    included), or the unit asked for is held, closed, out of service or not allowed in
    the room. A ``RoomConflict`` so every place that refuses a placement handles it; the
    field is ``equipment``."""


class StaleVersion(Refused):
    """Someone else changed the record since it was loaded."""

    def __init__(self, message: str, *, current_version: int | None = None) -> None:
        super().__init__(message)
        self.current_version = current_version


class TransitionRefused(Refused):
    """The status machine or the checklist does not allow this status change."""


class Duplicate(Refused):
    """A unique value (username, email, room code) is taken."""


class AuthenticationFailed(Refused):
    """Wrong username or password (deliberately not saying which)."""


class AccountLocked(Refused):
    pass


class NotLoggedIn(Refused):
    pass


class RememberForbidden(Refused):
    """A sign-in that exists only to be remembered, where remembering is forbidden."""


class DatabaseUnavailable(SurgDeskError):
    """The database cannot be reached right now."""


class SchemaMismatch(SurgDeskError):
    """The database schema is older or newer than this version of SurgDesk knows."""


"""Who is acting, and what time it is. Services take both explicitly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from surgdesk.domain.enums import Role


@dataclass(frozen=True, slots=True)
class Actor:
    """The signed-in person (or device) a service call acts for."""

    user_id: int | None
    username: str
    role: Role | None
    display_name: str
    is_device: bool = False

    @property
    def signed_in(self) -> bool:
        return self.user_id is not None


# Read commands without a login answer as a viewer would: patients masked.
ANONYMOUS = Actor(user_id=None, username="", role=Role.VIEWER, display_name="Not signed in")


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock tests (and the wall display's soak runs) move by hand."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, when: datetime) -> None:
        self._now = when.astimezone(UTC)

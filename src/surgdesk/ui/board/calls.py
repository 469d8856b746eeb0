"""How the board's objects hand a service call over: the window's ``ServiceRunner``, or —
for an object used on its own (the export of ``board --out``, a unit test of the live
feed or of the waiting saves) — ``InlineRunner``, which runs the call at once with the same
``done``/``failed`` contract. One code path either way: the caller never knows which.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from surgdesk.errors import SurgDeskError

T = TypeVar("T")


class Cancellable(Protocol):
    def cancel(self) -> None: ...


class Runner(Protocol):
    def run(self, call: Callable[[], T], *, done: Callable[[T], object] | None = None,
            failed: Callable[[SurgDeskError], object] | None = None,
            what: str = "") -> Any: ...


class _Done:
    """What ``InlineRunner.run`` returns: the call has already run; nothing to cancel."""

    cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class InlineRunner:
    """Runs the call on the calling thread, now. A ``SurgDeskError`` goes to ``failed``
    (raised again when there is none, as a direct call would); anything else propagates."""

    def run(self, call: Callable[[], T], *, done: Callable[[T], object] | None = None,
            failed: Callable[[SurgDeskError], object] | None = None,
            what: str = "") -> _Done:
        try:
            result = call()
        except SurgDeskError as exc:
            if failed is None:
                raise
            failed(exc)
            return _Done()
        if done is not None:
            done(result)
        return _Done()

"""Saves waiting for the database: writes whose reply never came.

A write that fails with ``DatabaseUnavailable`` may or may not have committed (the
connection can drop after COMMIT reached the server, before its answer came back). Such a
save is kept here with a ``retry`` closure that runs the *same* service call again, with
the *same* client operation id and the same expected version. Once the connection is
back, ``retry_all`` runs each waiting save exactly once:

- it succeeds — applied now, or answered as a replay because the first attempt did
  commit — and ``done(result)`` puts the result on screen: saved once;
- a rule refuses it (someone else changed the case meanwhile, the slot was taken...):
  it is dropped and the user is told it was NOT saved, and why;
- the database still does not answer: it stays for the next ``retry_all``.

The services make "saved once" true; this only remembers what to ask again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal

from surgdesk.errors import DatabaseUnavailable, SurgDeskError
from surgdesk.ui.board.calls import InlineRunner, Runner


@dataclass(frozen=True, slots=True)
class PendingSave:
    op_id: str
    description: str  # what the user did, e.g. "Move of C-2026-0012"
    retry: Callable[[], Any]
    done: Callable[[Any], None]
    refused: Callable[[SurgDeskError], None] | None = None


class PendingSaves(QObject):
    """The saves waiting for the database, in the order they were made."""

    changed = Signal(int)  # how many saves wait
    message = Signal(str)  # for the status bar
    # A retry found the database still unreachable (the owner forwards it as its own).
    unreachable = Signal(str)

    def __init__(self, parent: QObject | None = None, *, runner: Runner | None = None) -> None:
        super().__init__(parent)
        self.runner: Runner = runner if runner is not None else InlineRunner()
        self._waiting: dict[str, PendingSave] = {}
        self._retrying = False

    def __len__(self) -> int:
        return len(self._waiting)

    def __contains__(self, op_id: object) -> bool:
        return op_id in self._waiting

    def descriptions(self) -> list[str]:
        return [save.description for save in self._waiting.values()]

    def op_ids(self) -> list[str]:
        """The operation ids of the waiting saves, oldest first."""
        return list(self._waiting)

    def add(self, op_id: str, description: str, retry: Callable[[], Any],
            done: Callable[[Any], None], *,
            refused: Callable[[SurgDeskError], None] | None = None) -> None:
        """Keep a save whose outcome is unknown. ``retry`` re-runs the same service call
        with the same ``op_id``; ``done`` gets its result; ``refused`` (optional) hears
        the error when a rule refuses the retry (after the message has been said)."""
        self._waiting[op_id] = PendingSave(op_id, description, retry, done, refused)
        self.changed.emit(len(self._waiting))

    def clear(self) -> None:
        """Forget every waiting save (signed out: they are not this user's to retry)."""
        if self._waiting:
            self._waiting.clear()
            self.changed.emit(0)

    @property
    def retrying(self) -> bool:
        """A round of retries is under way."""
        return self._retrying

    def retry_all(self) -> None:
        """Retry each waiting save once (call when the connection is back), one after the
        other through the runner (off the GUI thread).

        Stops at the first save the database still does not answer: the others would
        only wait for the same deadline one after the other; they all stay, in order,
        for the next call."""
        if self._retrying or not self._waiting:
            return
        self._retrying = True
        self._next(list(self._waiting))

    def _next(self, left: list[str]) -> None:
        while left and left[0] not in self._waiting:
            left.pop(0)
        if not left:
            self._retrying = False
            return
        op_id = left.pop(0)
        save = self._waiting[op_id]

        def done(result: Any) -> None:
            self._forget(op_id)
            save.done(result)
            self.message.emit(f"{save.description} saved")
            self._next(left)

        def failed(exc: SurgDeskError) -> None:
            if isinstance(exc, DatabaseUnavailable):
                self._retrying = False
                self.message.emit(
                    f"{save.description} still not confirmed — the database did not "
                    "answer; it will be saved once when the connection is back, or "
                    "reported as not saved")
                self.unreachable.emit(str(exc))
                return
            self._forget(op_id)
            self.message.emit(f"{save.description} NOT saved — {exc}")
            if save.refused is not None:
                save.refused(exc)
            self._next(left)

        self.runner.run(save.retry, done=done, failed=failed, what=save.description)

    def _forget(self, op_id: str) -> None:
        self._waiting.pop(op_id, None)
        self.changed.emit(len(self._waiting))

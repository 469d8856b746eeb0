"""Undoable board changes: each one a QUndoCommand that calls the service layer.

A change is first made through the service (so a refusal never reaches the stack), then
pushed already done; undo and redo call the service again with the version the board
holds. An undo the rules refuse (the old slot was taken meanwhile) says why and drops the
command (``setObsolete``), so the stack never claims a state the database does not have.
Each undo and each redo is a write of its own: ``place`` gives it a new client operation id.
An undo the database did not answer is dropped from the stack too; it waits in the
controller's ``pending`` saves and is saved once (or reported as not saved) after reconnecting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from PySide6.QtGui import QUndoCommand

from surgdesk.domain.enums import CaseStatus


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a case sits: a room (by code, as the services take it) and an interval.

    ``None`` instead of a placement means "in the queue" (no room): requested, or for an
    undo the queue status the case had before (``PlaceCaseCommand.queued_as``).
    """

    room_code: str
    start: datetime
    end: datetime


class PlacementWriter(Protocol):
    def place(self, case_number: str, placement: Placement | None) -> bool:
        """Put the case there through the services; False (reason shown) when refused."""
        ...

    def place_in_queue(self, case_number: str, status: CaseStatus) -> bool:
        """Back to the queue as ``status`` (requested, or postponed again when undoing the
        scheduling of a postponed case); False (reason shown) when refused."""
        ...


class PlaceCaseCommand(QUndoCommand):
    def __init__(self, writer: PlacementWriter, case_number: str, before: Placement | None,
                 after: Placement | None, text: str, *,
                 queued_as: CaseStatus = CaseStatus.REQUESTED) -> None:
        """``queued_as``: the queue status the case had when ``before`` is None (undo
        puts a postponed case back as postponed, not requested)."""
        super().__init__(text)
        self.writer = writer
        self.case_number = case_number
        self.before = before
        self.after = after
        self.queued_as = queued_as
        self._done = True  # pushed after the service call succeeded

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        if not self.writer.place(self.case_number, self.after):
            self.setObsolete(True)

    def undo(self) -> None:
        if self.before is None:
            done = self.writer.place_in_queue(self.case_number, self.queued_as)
        else:
            done = self.writer.place(self.case_number, self.before)
        if not done:
            self.setObsolete(True)


def describe(case_number: str, before: Placement | None, after: Placement | None) -> str:
    if before is None and after is not None:
        return f"Schedule {case_number} in {after.room_code}"
    if after is None:
        return f"Send {case_number} back to the queue"
    if before is not None and before.room_code == after.room_code \
            and before.start == after.start:
        return f"Resize {case_number}"
    return f"Move {case_number}"

"""Undoable board changes: each one a QUndoCommand that calls the service layer.

A change is first made through the service (so a refusal never reaches the stack), then
pushed already done; undo and redo hand the service call over again (off the GUI thread)
with the version the board holds. An undo the rules refuse (the old slot was taken
meanwhile) says why and drops the command (``setObsolete``, then the stack steps over it),
so the stack never claims a state the database does not have.
Each undo and each redo is a write of its own: ``place`` gives it a new client operation id.
An undo the database did not answer is dropped from the stack too; it waits in the
controller's ``pending`` saves and is saved once (or reported as not saved) after reconnecting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import shiboken6
from PySide6.QtGui import QUndoCommand, QUndoStack

from surgdesk.domain.enums import CaseStatus
from surgdesk.errors import SurgDeskError
from surgdesk.services.dto import CaseResult


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
    undo_stack: QUndoStack

    def place(self, case_number: str, placement: Placement | None, *,
              done: Callable[[CaseResult], object] | None = None,
              refused: Callable[[SurgDeskError], object] | None = None) -> bool:
        """Hand the write over (off the GUI thread); ``done`` or ``refused`` follow (the
        reason is shown). False when it could not even be handed over (said why)."""
        ...

    def place_in_queue(self, case_number: str, status: CaseStatus, *,
                       done: Callable[[CaseResult], object] | None = None,
                       refused: Callable[[SurgDeskError], object] | None = None) -> bool:
        """Back to the queue as ``status`` (requested, or postponed again when undoing the
        scheduling of a postponed case), as ``place``."""
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
        if not self.writer.place(self.case_number, self.after, refused=self._redo_refused):
            self.setObsolete(True)

    def undo(self) -> None:
        if self.before is None:
            handed = self.writer.place_in_queue(self.case_number, self.queued_as,
                                                refused=self._undo_refused)
        else:
            handed = self.writer.place(self.case_number, self.before,
                                       refused=self._undo_refused)
        if not handed:
            self.setObsolete(True)

    # The answer comes after the stack moved its index: a refused undo (or redo) drops the
    # command as a refusal inside undo() would have — an obsolete command is removed by
    # the stack as soon as it is stepped over, so step over it now when it is next.

    def _undo_refused(self, _error: SurgDeskError) -> None:
        if not shiboken6.isValid(self):
            return  # the stack was cleared meanwhile
        self.setObsolete(True)
        stack = self.writer.undo_stack
        if stack.index() < stack.count() and stack.command(stack.index()) is self:
            stack.redo()  # removes it; nothing is written

    def _redo_refused(self, _error: SurgDeskError) -> None:
        if not shiboken6.isValid(self):
            return
        self.setObsolete(True)
        stack = self.writer.undo_stack
        if stack.index() > 0 and stack.command(stack.index() - 1) is self:
            stack.undo()


def describe(case_number: str, before: Placement | None, after: Placement | None) -> str:
    if before is None and after is not None:
        return f"Schedule {case_number} in {after.room_code}"
    if after is None:
        return f"Send {case_number} back to the queue"
    if before is not None and before.room_code == after.room_code \
            and before.start == after.start:
        return f"Resize {case_number}"
    return f"Move {case_number}"

"""The board controller: loads windows from the services and writes drops back.

It is the grid's ``DropWriter``: release -> grid maps x/y to room and time -> here ->
service call handed to the window's ``ServiceRunner`` (off the GUI thread; the bar waits
at its drop place, marked as saving) -> model updated from the returned ``CaseResult``.
A refusal leaves the model as it was (``write_finished``: the view re-reads the bar, so it
snaps back) and says why.

Every write carries a client operation id of its own (an undo or a redo is a new
operation). When the database does not answer, the write may or may not have committed:
it waits in ``pending`` with the same call, id and expected version, and is retried once
the connection is back — saved once, or reported as not saved.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from surgdesk.domain.enums import CaseStatus
from surgdesk.domain.permissions import Action, allowed
from surgdesk.domain.timezones import day_bounds, zone
from surgdesk.errors import DatabaseUnavailable, StaleVersion, SurgDeskError
from surgdesk.services.changes import Change
from surgdesk.services.context import Actor
from surgdesk.services.dto import BoardSnapshot, CaseResult, CaseSummary
from surgdesk.services.registry import Services
from surgdesk.ui.board.bands import block_bands
from surgdesk.ui.board.calls import Cancellable, InlineRunner, Runner
from surgdesk.ui.board.grid import Drop
from surgdesk.ui.board.lanes import LaneMode
from surgdesk.ui.board.model import BoardModel, QueueModel, on_board
from surgdesk.ui.board.undo import PlaceCaseCommand, Placement, describe
from surgdesk.ui.pending import PendingSaves


class _UnderWay:
    """Stands for a load handed over whose job the runner has not returned yet."""

    def cancel(self) -> None:
        pass


_UNDER_WAY = _UnderWay()


def new_op_id() -> str:
    """A client operation id: one per write the user makes, kept for its retries."""
    return uuid.uuid4().hex


@dataclass(frozen=True, slots=True)
class BoardWindow:
    """What was loaded (whole department days) and what the view shows of it."""

    first_day: date
    days: int
    tz: ZoneInfo
    load_start: datetime
    load_end: datetime
    visible_start: datetime
    visible_end: datetime
    snap_minutes: int
    day_start: time
    day_end: time


def visible_range(snapshot: BoardSnapshot, first_day: date, days: int,
                  tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Day view: the department's day hours, widened so every case of the day shows
    (night emergencies included), never beyond the day itself. Longer views: whole days."""
    load_start, load_end = day_bounds(first_day, tz)[0], day_bounds(
        first_day + timedelta(days=days - 1), tz)[1]
    if days > 1:
        return load_start, load_end
    start = datetime.combine(first_day, snapshot.day_start, tzinfo=tz).astimezone(UTC)
    end = datetime.combine(first_day, snapshot.day_end, tzinfo=tz).astimezone(UTC)
    for case in snapshot.cases:
        if case.scheduled_start is None or case.scheduled_end is None:
            continue
        start = min(start, max(load_start, case.scheduled_start))
        end = max(end, min(load_end, case.scheduled_end))
    # Whole hours, with a little air either side.
    start = max(load_start, _floor_hour(start - timedelta(minutes=30)))
    end = min(load_end, _ceil_hour(end + timedelta(minutes=30)))
    return start, end


def _floor_hour(value: datetime) -> datetime:
    return value.replace(minute=0, second=0, microsecond=0)


def _ceil_hour(value: datetime) -> datetime:
    floor = _floor_hour(value)
    return floor if floor == value else floor + timedelta(hours=1)


@dataclass(frozen=True)
class RemoteUpdate:
    """What other PCs' changes mean for the loaded board, before it is applied.

    ``changed``: cases someone else changed, as they are now (the bars that flash).
    ``marks``: other cases whose conflict marks moved with them (updated, no flash).
    ``gone``: case numbers that no longer exist. ``reload``: load the window again.
    ``before``: what the board held of the changed cases.
    ``authors``: case number -> display name of who made its newest change, for the
    changed and gone cases whose author is known (a case missing here was changed by the
    system, or by a user who no longer exists: say "on another PC").
    """

    changed: tuple[CaseSummary, ...] = ()
    marks: tuple[CaseSummary, ...] = ()
    gone: tuple[str, ...] = ()
    reload: bool = False
    before: dict[str, CaseSummary] = field(default_factory=dict)
    authors: dict[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.changed or self.marks or self.gone or self.reload)


def _overlaps(case: CaseSummary, spans: list[tuple[datetime, datetime]]) -> bool:
    start, end = case.scheduled_start, case.scheduled_end
    return start is not None and end is not None and any(
        start < hi and end > lo for lo, hi in spans)


class BoardController(QObject):
    """Loads windows and writes drops through the services, off the GUI thread.

    Every service call goes through ``runner`` (the window's ``ServiceRunner``; an
    ``InlineRunner`` when the controller is used on its own, as the export does). Reads
    and writes therefore answer later, on the GUI thread: ``loaded`` / ``load_failed``
    after ``load``, ``write_finished(case_number)`` after each write (saved or not — the
    view re-reads the bar then: moved, or snapped back).
    """

    message = Signal(str)  # for the status bar
    loaded = Signal(object)  # BoardWindow: a load landed (the models hold it)
    load_failed = Signal(object)  # SurgDeskError: the load did not happen
    loading_changed = Signal(bool)  # a load is under way (the board shows it is busy)
    stale = Signal(str)  # someone else changed this case: the board must be read again
    # A write or a read found the database unreachable (the reason): the window reports
    # the outage (``LiveFeed.report_failure``) and retries ``pending`` once it is back.
    unreachable = Signal(str)
    # A write of this case answered (saved, refused, or not confirmed): re-read its bar.
    write_finished = Signal(str)

    def __init__(self, services: Services, actor: Actor, parent: QObject | None = None, *,
                 runner: Runner | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.actor = actor
        self.runner: Runner = runner if runner is not None else InlineRunner()
        self.model = BoardModel(self)
        self.queue = QueueModel(self)
        self.undo_stack = QUndoStack(self)
        self.pending = PendingSaves(self, runner=self.runner)
        self.pending.unreachable.connect(self.unreachable)
        self.window: BoardWindow | None = None
        self.last_load_error: SurgDeskError | None = None
        self._load_job: Cancellable | None = None
        self._writes = 0  # writes handed over, not yet answered
        self.queue.drag_enabled = self.can_schedule

    @property
    def can_schedule(self) -> bool:
        return allowed(self.actor.role, Action.SCHEDULE_CASES) and not self.actor.is_device

    def set_actor(self, actor: Actor) -> None:
        self.actor = actor
        self.queue.drag_enabled = self.can_schedule
        self.undo_stack.clear()

    def write_actor(self) -> Actor | None:
        """Who a write of this board acts as (the wall: the scheduler who unlocked it);
        None when nobody may write now (the reason is said)."""
        return self.actor

    def result_case(self, case: CaseSummary) -> CaseSummary:
        """A written case as this board may hold it (on the worker thread)."""
        return case

    # -- reading --------------------------------------------------------------------------

    @property
    def loading(self) -> bool:
        return self._load_job is not None

    def load(self, first_day: date | None, days: int = 1) -> None:
        """Read ``days`` department days from ``first_day`` (None: today in the
        department's zone, decided with the zone read in the same call). ``loaded`` or
        ``load_failed`` follow; a later load supersedes one still under way (its result
        is dropped)."""
        if self._load_job is not None:
            self._load_job.cancel()
        else:
            self.loading_changed.emit(True)
        services, actor = self.services, self.actor

        def call() -> tuple[BoardWindow, BoardSnapshot]:
            tz = zone(services.settings.get(actor).time_zone)
            first = first_day or services.clock.now().astimezone(tz).date()
            load_start = day_bounds(first, tz)[0]
            load_end = day_bounds(first + timedelta(days=days - 1), tz)[1]
            snapshot = services.cases.board(actor, load_start, load_end)
            start, end = visible_range(snapshot, first, days, tz)
            return BoardWindow(first, days, tz, load_start, load_end, start, end,
                               snapshot.snap_minutes, snapshot.day_start,
                               snapshot.day_end), snapshot

        def done(loaded: tuple[BoardWindow, BoardSnapshot]) -> None:
            window, snapshot = loaded
            self._end_load()
            self.model.load(snapshot)
            block_bands(self.model).load(snapshot.blocks)  # the bands under the cases
            self.queue.load(snapshot.queue)
            self.window = window
            self.last_load_error = None
            self.loaded.emit(window)

        def failed(exc: SurgDeskError) -> None:
            self._end_load()
            self.last_load_error = exc
            if isinstance(exc, DatabaseUnavailable):
                self.unreachable.emit(str(exc))
            self.load_failed.emit(exc)

        self._load_job = _UNDER_WAY
        handed = self.runner.run(call, done=done, failed=failed, what="load the board")
        if self._load_job is _UNDER_WAY:  # not answered at once (an inline runner does)
            self._load_job = handed

    def _end_load(self) -> None:
        self._load_job = None
        self.loading_changed.emit(False)

    def reload(self) -> bool:
        """Load the loaded window again; False when nothing is loaded."""
        if self.window is None:
            return False
        self.load(self.window.first_day, self.window.days)
        return True

    def case(self, case_number: str) -> CaseSummary | None:
        return self.model.case(case_number) or self.queue.case(case_number)

    def set_lane_mode(self, mode: LaneMode) -> None:
        """Group the board's rows by rooms, surgeons, anesthetists or equipment units:
        from what the last load read (no query); the bands come back with room lanes."""
        self.model.set_lane_mode(mode)
        block_bands(self.model).load(self.model.blocks())

    # -- other PCs' changes (the live feed) ---------------------------------------------------

    def held_cases(self) -> dict[int, CaseSummary]:
        """Every case the board or the queue holds, by id."""
        held = {c.id: c for c in self.queue.cases()}
        held.update({c.id: c for c in self.model.cases()})
        return held

    def read_remote(self, changes: Iterable[Change], *,
                    done: Callable[[RemoteUpdate], object],
                    failed: Callable[[SurgDeskError], object]) -> None:
        """Read what changes from the feed mean for this board (off the GUI thread; the
        models are untouched): ``done(update)`` or ``failed(error)`` follow.

        A case change whose version the board already holds is our own write: skipped.
        Checklist and team changes re-read their case's summary (progress, masking,
        marks); user changes re-read the cases naming that user. A case that moved may
        change its neighbours' conflict marks, so cases overlapping its old or new times
        are read again too (without flashing). ``authors`` names who changed each changed
        or removed case (staff display names from the change log, one query).
        """
        held = self.held_cases()  # on the GUI thread: the models belong to it
        neighbours = self.model.cases()
        batch = tuple(changes)

        def failing(exc: SurgDeskError) -> None:
            if isinstance(exc, DatabaseUnavailable):
                self.unreachable.emit(str(exc))
            failed(exc)

        self.runner.run(lambda: self._remote_update(batch, held, neighbours), done=done,
                        failed=failing, what="read other PCs' changes")

    def remote_update(self, changes: Iterable[Change]) -> RemoteUpdate:
        """``read_remote`` on the calling thread (tests and tools)."""
        try:
            return self._remote_update(tuple(changes), self.held_cases(), self.model.cases())
        except DatabaseUnavailable as exc:
            self.unreachable.emit(str(exc))
            raise

    def _remote_update(self, changes: tuple[Change, ...], held: dict[int, CaseSummary],
                       on_board_now: list[CaseSummary]) -> RemoteUpdate:
        impact = self.services.changes.impact(changes)
        if impact.reload:
            return RemoteUpdate(reload=True)
        wanted = set(impact.child_case_ids)
        for case_id, version in impact.case_versions.items():
            mine = held.get(case_id)
            if mine is not None and version is not None and mine.version >= version:
                continue
            wanted.add(case_id)
        wanted |= {c.id for c in held.values() if c.lead_surgeon_user_id in impact.user_ids
                   or c.anesthetist_user_id in impact.user_ids}
        if not wanted:
            return RemoteUpdate()
        fresh = self.services.cases.summaries_by_ids(self.actor, wanted)
        changed = tuple(s for s in fresh if held.get(s.id) != s)
        found = {s.id for s in fresh}
        gone = tuple(held[i].case_number for i in wanted - found if i in held)
        spans = [(c.scheduled_start, c.scheduled_end)
                 for s in changed for c in (s, held.get(s.id))
                 if c is not None and c.scheduled_start is not None
                 and c.scheduled_end is not None]
        neighbours = {c.id for c in on_board_now
                      if c.id not in wanted and _overlaps(c, spans)}
        marks: tuple[CaseSummary, ...] = ()
        if neighbours:
            marks = tuple(s for s in self.services.cases.summaries_by_ids(self.actor, neighbours)
                          if held.get(s.id) != s)
        before = {s.case_number: held[s.id] for s in changed if s.id in held}
        numbers = {s.id: s.case_number for s in changed}
        numbers.update({i: held[i].case_number for i in wanted - found if i in held})
        authored = {numbers[i]: who for i, who in impact.authors.items() if i in numbers}
        authors: dict[str, str] = {}
        if authored:
            names = self.services.changes.author_names(set(authored.values()))
            authors = {number: names[who] for number, who in authored.items() if who in names}
        return RemoteUpdate(changed, marks, gone, False, before, authors)

    def apply_remote(self, update: RemoteUpdate) -> None:
        """Take a remote update into the models, incrementally (no reset)."""
        for case in update.changed + update.marks:
            self.model.upsert_case(case)
            self.queue.upsert_case(case)
        for number in update.gone:
            self.model.remove_case(number)
            self.queue.remove_case(number)
        touched = {c.case_number for c in update.changed} | set(update.gone)
        stack = self.undo_stack
        if any(isinstance(cmd := stack.command(i), PlaceCaseCommand)
               and cmd.case_number in touched for i in range(stack.count())):
            # Undo would now put back a placement over someone else's newer change, with
            # the version the board holds since: the history no longer applies.
            stack.clear()

    # -- writing (DropWriter) ----------------------------------------------------------------

    @property
    def writing(self) -> bool:
        """A write was handed over and has not answered yet."""
        return self._writes > 0

    def write_drop(self, drop: Drop) -> bool:
        """Hand the drop over; True when a write went out (``write_finished`` follows)."""
        case = self.case(drop.case_number)
        if case is None:
            self.message.emit(f"{drop.case_number} is no longer on the board; reload (F5)")
            return False
        room = self.model.room(drop.room_id)  # in any lanes: a drop names its room
        if room is None:
            return False
        before = self._placement(case)
        after = Placement(room.code, drop.start, drop.end)
        if before == after:
            return False
        return self._change(case.case_number, before, after)

    def return_to_queue(self, case_number: str) -> bool:
        case = self.case(case_number)
        if case is None:
            return False
        return self._change(case_number, self._placement(case), None)

    def _change(self, case_number: str, before: Placement | None,
                after: Placement | None) -> bool:
        case = self.case(case_number)
        # Undoing the scheduling of a postponed case puts it back postponed.
        queued_as = CaseStatus.POSTPONED if before is None and case is not None \
            and case.status is CaseStatus.POSTPONED else CaseStatus.REQUESTED

        def saved(_result: CaseResult) -> None:
            # Pushed once saved (a refusal never reaches the stack), already done.
            self.undo_stack.push(PlaceCaseCommand(self, case_number, before, after,
                                                  describe(case_number, before, after),
                                                  queued_as=queued_as))

        return self.place(case_number, after, done=saved)

    def _placement(self, case: CaseSummary) -> Placement | None:
        if not on_board(case) or case.room_code is None:
            return None
        assert case.scheduled_start is not None
        assert case.scheduled_end is not None
        return Placement(case.room_code, case.scheduled_start, case.scheduled_end)

    def place(self, case_number: str, placement: Placement | None, *,
              done: Callable[[CaseResult], object] | None = None,
              refused: Callable[[SurgDeskError], object] | None = None) -> bool:
        """PlacementWriter: one service call, the model updated from its result."""
        return self._place(case_number, placement, CaseStatus.REQUESTED, done=done,
                           refused=refused)

    def place_in_queue(self, case_number: str, status: CaseStatus, *,
                       done: Callable[[CaseResult], object] | None = None,
                       refused: Callable[[SurgDeskError], object] | None = None) -> bool:
        """PlacementWriter: back to the queue as ``status`` (requested or postponed)."""
        return self._place(case_number, None, status, done=done, refused=refused)

    def _place(self, case_number: str, placement: Placement | None,
               queued_as: CaseStatus, *,
               done: Callable[[CaseResult], object] | None = None,
               refused: Callable[[SurgDeskError], object] | None = None) -> bool:
        actor = self.write_actor()
        if actor is None:
            return False
        case = self.case(case_number)
        version = case.version if case is not None else None
        cases = self.services.cases
        op_id = new_op_id()  # a new operation each time: a drop, an undo, a redo
        board_case = self.result_case

        def call() -> CaseResult:
            if placement is None:
                result = cases.unschedule(actor, case_number, expected_version=version,
                                          op_id=op_id, to=queued_as)
            else:
                write = cases.schedule if case is not None and not on_board(case) \
                    else cases.move
                result = write(actor, case_number, room=placement.room_code,
                               start=placement.start, end=placement.end,
                               expected_version=version, op_id=op_id)
            return CaseResult(case=board_case(result.case), warnings=result.warnings)

        return self._write(case_number, call,
                           what=_placing(case_number, case, placement, queued_as),
                           op_id=op_id, done=done, refused=refused)

    def _write(self, case_number: str, call: Callable[[], CaseResult], *,
               what: str | None = None, op_id: str | None = None,
               done: Callable[[CaseResult], object] | None = None,
               refused: Callable[[SurgDeskError], object] | None = None) -> bool:
        """Hand one service write over; a refusal is said in the status bar, a success
        applied. True: handed over (``write_finished`` follows either way).

        ``call`` must carry ``op_id`` (when given) so that running it again is the same
        operation: when the database does not answer, the write waits in ``pending``
        and ``call`` is run once more after reconnecting."""
        what = what or f"Change of {case_number}"

        def saved(result: CaseResult) -> None:
            self._writes -= 1
            self.apply(result)
            if done is not None:
                done(result)
            self.write_finished.emit(case_number)

        def not_saved(exc: SurgDeskError) -> None:
            self._writes -= 1
            if isinstance(exc, StaleVersion):
                self._stale(case_number, exc)
            elif isinstance(exc, DatabaseUnavailable):
                self._unconfirmed(case_number, call, what, op_id, exc)
            else:
                self.message.emit(f"Not changed — {exc}")
            if refused is not None:
                refused(exc)
            self.write_finished.emit(case_number)

        self._writes += 1
        self.runner.run(call, done=saved, failed=not_saved, what=what)
        return True

    def _unconfirmed(self, case_number: str, call: Callable[[], CaseResult], what: str,
                     op_id: str | None, exc: DatabaseUnavailable) -> None:
        """The reply never came: the write may or may not have committed. The bar stays
        where the model says (the last confirmed place) until the retry answers."""
        if op_id is None:
            # Without an operation id a retry could not tell "already saved" from "not
            # saved": say so, and let the caught-up board show what was stored.
            self.message.emit(f"{what} not confirmed — the database did not answer ({exc}); "
                              "the board shows what was stored once the connection is back")
        else:
            # A save confirmed only after reconnecting gets no undo entry: the history
            # around it may no longer apply, and undoing blind is worse than not offering.
            self.pending.add(op_id, what, call, lambda result: self.apply(result, quiet=True),
                             refused=lambda error: self._refused_late(case_number, error))
            self.message.emit(f"{what} not confirmed — the database did not answer; it will "
                              "be saved once when the connection is back, or reported as "
                              "not saved")
        self.unreachable.emit(str(exc))

    def _refused_late(self, case_number: str, exc: SurgDeskError) -> None:
        """A waiting save the rules refused on its retry (the message is already said)."""
        if isinstance(exc, StaleVersion):
            self.stale.emit(case_number)

    def _stale(self, case_number: str, exc: StaleVersion) -> None:
        self.message.emit(f"Not changed — {case_number} was changed by someone else "
                          f"meanwhile ({exc}); the board shows it as it is now")
        self.stale.emit(case_number)

    def set_status(self, case_number: str, status: CaseStatus, reason: str | None = None) -> bool:
        actor = self.write_actor()
        if actor is None:
            return False
        case = self.case(case_number)
        version = case.version if case is not None else None
        op_id = new_op_id()
        cases = self.services.cases
        board_case = self.result_case

        def call() -> CaseResult:
            result = cases.set_status(actor, case_number, status, reason=reason,
                                      expected_version=version, op_id=op_id)
            return CaseResult(case=board_case(result.case), warnings=result.warnings)

        return self._write(case_number, call,
                           what=f"Status change of {case_number} to {status.value}",
                           op_id=op_id)

    def apply(self, result: CaseResult, *, quiet: bool = False) -> None:
        case = result.case
        self.model.upsert_case(case)
        self.queue.upsert_case(case)
        if quiet:
            return
        if result.warnings:
            self.message.emit(f"{case.case_number} saved with warnings: "
                              + "; ".join(w.message for w in result.warnings))
        else:
            self.message.emit(f"{case.case_number} saved")


def _placing(case_number: str, case: CaseSummary | None, placement: Placement | None,
             queued_as: CaseStatus = CaseStatus.REQUESTED) -> str:
    """What a placement does, as the status bar names it ("Move of C-2026-0012")."""
    if placement is None:
        postponed = " (postponed)" if queued_as is CaseStatus.POSTPONED else ""
        return f"Return of {case_number} to the queue{postponed}"
    if case is None or not on_board(case) or case.room_code is None:
        return f"Scheduling of {case_number} in {placement.room_code}"
    if case.room_code == placement.room_code and case.scheduled_start == placement.start:
        return f"Resize of {case_number}"
    return f"Move of {case_number}"

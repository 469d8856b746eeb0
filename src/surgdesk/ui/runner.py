"""Service calls off the GUI thread: the one way a widget reaches the database.

A service call may wait up to the interactive deadline on a slow or silent network; run on
the GUI thread, that wait freezes the window (no repaint, no clock, no drag). A widget
hands the call to ``ServiceRunner.run`` instead: the call runs on a worker thread, and its
result (``done``) or its error (``failed``) comes back on the GUI thread through a queued
signal, so widgets are only ever touched on the thread that owns them.

Order: the runner's pool has one thread, so calls reach the database in the order they
were made (a move and then its undo must not swap places) and one PC never races itself
for the SQLite writer lock. Services open one SQLAlchemy session per call, so a session
never crosses threads.

Errors are handled in one place:
- ``DatabaseUnavailable`` goes to the call's ``failed`` (if any) and then to
  ``unreachable``, which the window wires to its live feed (banner, read-only, reconnect);
- any other ``SurgDeskError`` goes to ``failed``, or to ``message`` when the caller gave
  no handler;
- anything else is a bug: it is logged and raised again on the GUI thread (where Qt's
  exception hook, or pytest-qt under test, reports it).

``busy_changed`` says when the runner starts and stops working, for a busy indicator.
``settle`` lets a test (or a closing window) wait until every call has been delivered.
"""

from __future__ import annotations

import functools
import itertools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QCoreApplication,
    QDeadlineTimer,
    QEventLoop,
    QObject,
    Qt,
    QThreadPool,
    Signal,
)

from surgdesk.errors import DatabaseUnavailable, SurgDeskError

log = logging.getLogger(__name__)

T = TypeVar("T")

# How long a closing window waits for calls already handed over (a save under way must
# reach the database or fail on its own deadline, never be cut off half-way).
SHUTDOWN_WAIT_MS = 15_000


@dataclass(eq=False)
class Job(Generic[T]):
    """One call handed to the runner. ``cancel`` drops its result: neither ``done`` nor
    ``failed`` runs (the call itself, once started, still completes)."""

    what: str
    done: Callable[[T], object] | None
    failed: Callable[[SurgDeskError], object] | None
    number: int
    call: Callable[[], T] | None = field(default=None, repr=False)
    cancelled: bool = False
    finished: bool = False
    result: T | None = field(default=None, repr=False)
    error: BaseException | None = field(default=None, repr=False)

    def cancel(self) -> None:
        self.cancelled = True


class ServiceRunner(QObject):
    busy_changed = Signal(bool)
    unreachable = Signal(str)  # a call found the database unreachable (the reason)
    message = Signal(str)  # a refusal no caller handled, worded for the status bar
    # From the worker thread: job number N finished (queued to the GUI thread). Only the
    # number crosses threads; the job itself stays in ``_jobs``, owned by the GUI thread.
    _finished = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)  # in submission order; see the module docstring
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()
        # Handed over, not yet delivered, by number. The GUI thread puts a job in and takes
        # it out, so the job's closures (which hold widgets) are released on that thread
        # and never by the worker: a Qt wrapper freed on the wrong thread crashes.
        self._jobs: dict[int, Job[Any]] = {}
        self._closed = False
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    # -- handing calls over -------------------------------------------------------------------

    def run(self, call: Callable[[], T], *, done: Callable[[T], object] | None = None,
            failed: Callable[[SurgDeskError], object] | None = None,
            what: str = "") -> Job[T]:
        """Run ``call`` on the worker thread; ``done(result)`` or ``failed(error)`` follow
        on the GUI thread. ``what`` names the call in logs and messages ("load the board")
        and never holds a patient's name or id."""
        job: Job[T] = Job(what=what or getattr(call, "__name__", "call"), done=done,
                          failed=failed, number=next(self._numbers), call=call)
        if self._closed:
            job.cancel()
            return job
        with self._lock:
            was_idle = not self._jobs
            self._jobs[job.number] = job
        if was_idle:
            self.busy_changed.emit(True)
        self._pool.start(functools.partial(self._work, job.number))
        return job

    @property
    def busy(self) -> bool:
        with self._lock:
            return bool(self._jobs)

    def _work(self, number: int) -> None:
        """On the worker thread: run job ``number`` and say so by its number alone."""
        with self._lock:
            job = self._jobs.get(number)
        if job is not None:
            _run_job(job)
        job = None  # the GUI thread owns the job from here (see ``_jobs``)
        try:
            self._finished.emit(number)
        except RuntimeError:  # the runner's Qt object is gone (its window was deleted)
            log.debug("result of call %d dropped: runner deleted", number)

    def _deliver(self, number: int) -> None:
        """On the GUI thread: hand the result or the error to the caller."""
        with self._lock:
            job = self._jobs.pop(number, None)
            idle = not self._jobs
        if job is None:  # shut down meanwhile
            return
        job.call = None
        try:
            if not job.cancelled and not self._closed:
                if job.error is None:
                    if job.done is not None:
                        job.done(job.result)
                else:
                    self._fail(job, job.error)
        finally:
            if idle:
                self.busy_changed.emit(False)

    def _fail(self, job: Job[Any], error: BaseException) -> None:
        if not isinstance(error, SurgDeskError):
            log.error("%s failed unexpectedly", job.what, exc_info=error)
            raise error
        if job.failed is not None:
            job.failed(error)
        elif not isinstance(error, DatabaseUnavailable):
            self.message.emit(f"Could not {job.what} — {error}" if job.what else str(error))
        if isinstance(error, DatabaseUnavailable):
            self.unreachable.emit(str(error))

    # -- waiting --------------------------------------------------------------------------------

    def settle(self, timeout_ms: int = 10_000) -> bool:
        """Process events until every call handed over has been delivered (tests, and a
        window that must see its saves through before it closes). True when idle."""
        deadline = QDeadlineTimer(timeout_ms)
        app = QCoreApplication.instance()
        while self.busy:
            if deadline.hasExpired():
                return False
            if app is not None:
                app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
            self._pool.waitForDone(5)
        return True

    def shutdown(self, timeout_ms: int = SHUTDOWN_WAIT_MS) -> bool:
        """Take no more calls and wait for those under way; their results are dropped
        (the widgets they were for are closing). True when the pool finished in time."""
        self._closed = True
        finished = self._pool.waitForDone(timeout_ms)
        with self._lock:
            for job in self._jobs.values():
                job.cancel()
            if finished:  # a call still running keeps its job until it is delivered
                self._jobs.clear()
        return finished


def _run_job(job: Job[Any]) -> None:
    """On the worker thread: the call's result or error goes into the job."""
    try:
        if not job.cancelled and job.call is not None:
            job.result = job.call()
    except BaseException as exc:  # handed back whole; the GUI thread decides
        job.error = exc
    job.finished = True

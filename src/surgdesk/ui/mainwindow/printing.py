"""Paper and files from the main window: the day list (printed or PDF), its downtime copy
with the audit record that waits for the database, and the board export.

While the database is unreachable the day list is built from what the board holds and
marked as a downtime copy. Its audit record waits in ``pending_audits`` and is written
once the database is back; it is kept apart from the user's saves and carries the user
who printed, so it outlives a sign-out (a paper copy with patients on it went round; the
record of it must not be lost).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog

from surgdesk.errors import DatabaseUnavailable, SurgDeskError
from surgdesk.ui.board.view import BoardMode
from surgdesk.ui.pending import PendingSaves

if TYPE_CHECKING:
    from surgdesk.ui.main_window import MainWindow
    from surgdesk.ui.printing.daylist import DayList

DOWNTIME_NOTE = " (downtime copy from the last known data)"


class WindowPrinting(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.pending_audits = PendingSaves(window, runner=window.runner)
        self.pending_audits.message.connect(window.show_message)
        self.pending_audits.unreachable.connect(window.report_unreachable)

    # -- the day list -----------------------------------------------------------------------

    def downtime_daylist(self) -> DayList:
        """The day list from the board's last known data: rooms, closures and the cases
        it holds, as the actor saw them (the services masked them when handing them out)."""
        from surgdesk.ui.printing.daylist import build_downtime_daylist

        w = self.window
        controller = w.controller
        loaded = controller.window
        if loaded is None:
            raise DatabaseUnavailable("nothing loaded to print from; the day list needs "
                                      "the database")
        model = controller.model
        rooms = model.rooms()
        now = w.services.clock.now()
        return build_downtime_daylist(
            w.day, loaded.tz, rooms=rooms,
            closures={room.id: model.closures(room.id) for room in rooms},
            cases=controller.held_cases().values(), actor=w.actor, now=now,
            unreachable_since=w.session.unreachable_since or now,
            synced_at=w.session.synced_at)

    def print_daylist(self) -> None:
        """File > Print day list…: Qt's print preview (pages, zoom, page setup) of the day,
        printed from there."""
        self._with_daylist(self._print, failure="Printing failed")

    def export_daylist(self) -> None:
        """File > Day list as PDF…: the day written to the chosen file."""
        w = self.window
        path, _ = QFileDialog.getSaveFileName(w, "Day list as PDF", f"daylist-{w.day}.pdf",
                                              "PDF (*.pdf)")
        if path:
            self._with_daylist(lambda build: self._write_pdf(build, Path(path)),
                               failure="Export failed")

    def _with_daylist(self, use: Callable[[Callable[[], DayList]], None], *,
                      failure: str) -> None:
        """Hand ``use`` the day list of the day on screen: read off the GUI thread — or,
        while the database is unreachable (or the read finds it so), the downtime copy of
        what the board holds."""
        from surgdesk.ui.printing.daylist import build_daylist

        w = self.window
        if w.offline:
            use(self.downtime_daylist)
            return
        services, actor, day = w.services, w.actor, w.day

        def failed(exc: SurgDeskError) -> None:
            if isinstance(exc, DatabaseUnavailable):
                w.report_unreachable(str(exc))  # the outage begins: the board's copy serves
                if w.offline:
                    use(self.downtime_daylist)
                    return
            w.show_message(f"{failure} — {exc}")

        w.runner.run(lambda: build_daylist(services, actor, day), what="read the day list",
                     done=lambda daylist: use(lambda: daylist), failed=failed)

    def _print(self, build: Callable[[], DayList]) -> None:
        from surgdesk.ui.printing.daylist import preview_and_print

        self._output(build, lambda daylist: preview_and_print(self.window, daylist),
                     failure="Printing failed",
                     said=lambda daylist, _done: f"Day list of {daylist.day} sent to the printer")

    def _write_pdf(self, build: Callable[[], DayList], path: Path) -> None:
        from surgdesk.ui.printing.daylist import write_daylist_pdf

        self._output(build, lambda daylist: write_daylist_pdf(daylist, path),
                     failure="Export failed", said=lambda _daylist, written: f"Wrote {written}")

    def _output(self, build: Callable[[], DayList], emit: Callable[[DayList], object], *,
                failure: str, said: Callable[[DayList, object], str]) -> None:
        """Build the list, print or write it (``emit``; a falsy answer: the person closed
        the preview, nothing went out), then keep a downtime copy's audit record and say
        what was done."""
        w = self.window
        try:
            daylist = build()
            done = emit(daylist)
        except (SurgDeskError, OSError) as exc:
            w.show_message(f"{failure} — {exc}")
            return
        if not done:
            return
        self.audit_downtime([daylist])  # a live list was audited as it was read
        note = DOWNTIME_NOTE if daylist.downtime is not None else ""
        w.show_message(f"{said(daylist, done)}{note}")

    def audit_downtime(self, copies: list[DayList]) -> None:
        """Keep the audit record of each downtime copy until the database takes it (a
        live list was audited by the service as it was read)."""
        from surgdesk.ui.printing.daylist import queue_downtime_audit

        w = self.window
        for copy in copies:
            queue_downtime_audit(self.pending_audits, w.services, w.actor, copy)
        if not w.offline:  # the connection came back while the dialog was open
            self.pending_audits.retry_all()

    # -- the board as a picture -------------------------------------------------------------

    def export_board(self) -> None:
        from surgdesk.ui.board.export import render_board_file

        w = self.window
        path, _ = QFileDialog.getSaveFileName(w, "Export board", f"board-{w.day}.png",
                                              "PNG image (*.png);;PDF document (*.pdf)")
        if not path:
            return
        days = 1 if w.mode is BoardMode.DAY else 7
        first = w.day if days == 1 else w.day - timedelta(days=w.day.weekday())
        try:
            written = render_board_file(w.services, w.actor, Path(path), day=first,
                                        days=days)
        except (SurgDeskError, OSError) as exc:
            w.show_message(f"Export failed — {exc}")
            return
        w.show_message(f"Wrote {written}")

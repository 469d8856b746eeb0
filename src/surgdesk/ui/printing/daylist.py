"""The printed day list: what the OR desk pins on the wall each morning, and what staff
work from when the computers are down.

For one department day: every case but the cancelled and the requested ones, one section
per room in time order — time, procedure and side, surgeon, anesthetist, team, patient
(as the printing person may see it: the services never hand a masked caller a patient),
checklist state, flagged notes. Landscape A4, at least 9 pt, the day, the page number and
the print time on every page.

Three steps, each testable alone: ``build_daylist`` reads the services (no Qt),
``case_cells`` and ``room_title`` turn a case and a room into rich text, and
``paint_daylist`` lays rows out page by page on any QPagedPaintDevice — a QPdfWriter for
files and the CLI, a QPrinter behind Qt's print preview for paper.

While the database is unreachable, ``build_downtime_daylist`` makes the same list from
what an open board still holds (no database call); every page then says in red that it
is a downtime copy, since when the database is unreachable and how old the data is.
Such a copy cannot be audited when it is made; ``queue_downtime_audit`` keeps its audit
record among the saves waiting for the database, written once it is back.
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QTextDocument,
)
from PySide6.QtWidgets import QDialog, QWidget

from surgdesk.domain.enums import CaseStatus, ItemStatus, Laterality, NoteType, Phase, Priority
from surgdesk.domain.timezones import day_bounds, zone
from surgdesk.errors import BadInput, FieldProblem
from surgdesk.services.context import Actor
from surgdesk.services.dto import CaseDetail, CaseSummary, ChecklistView, ClosureView, RoomView
from surgdesk.services.registry import Services
from surgdesk.ui.fonts import ui_font
from surgdesk.ui.pending import PendingSaves

# Left off the list: nobody goes to theatre for these.
MASKED = "masked"
BODY_PT = 9.5  # the smallest text on the page (requirement: at least 9 pt)
HEADING_PT = 12.0
MARGIN_MM = 10.0
HEADER_MM = 11.0
DOWNTIME_HEADER_MM = 12.0  # the red downtime band (two lines) above the usual header
DOWNTIME_DETAIL = ("Printed from the board's last known data: team list, checklist items "
                   "and notes are not included. Check against a live list once the database "
                   "is back.")
FOOTER_MM = 8.0
PDF_DPI = 300
NOTE_CHARS = 110
NOTES_SHOWN = 3
FLAGGED_NOTES = frozenset({NoteType.DELAY, NoteType.ANESTHESIA, NoteType.CANCELLATION})

STATUS_TEXT = {
    CaseStatus.SCHEDULED: "scheduled",
    CaseStatus.PREOP_READY: "pre-op ready",
    CaseStatus.IN_PROGRESS: "in progress",
    CaseStatus.COMPLETED: "completed",
    CaseStatus.POSTPONED: "postponed",
    CaseStatus.REQUESTED: "requested",
    CaseStatus.CANCELLED: "cancelled",
}
SIDE_TEXT = {
    Laterality.LEFT: "LEFT",
    Laterality.RIGHT: "RIGHT",
    Laterality.BILATERAL: "BILATERAL",
    Laterality.NOT_APPLICABLE: "",
}
PHASE_TEXT = {Phase.PRE_OP: "Pre-op", Phase.POST_OP: "Post-op"}


# ---- what goes on the page (no Qt) -----------------------------------------------------


@dataclass(frozen=True)
class RoomSection:
    room: RoomView
    closures: tuple[ClosureView, ...]
    cases: tuple[CaseDetail, ...]


@dataclass(frozen=True)
class Downtime:
    """A list printed from an open board's last known data while the database is down."""

    unreachable_since: datetime
    synced_at: datetime | None  # when the board last read the database (None: unknown)


@dataclass(frozen=True)
class DayList:
    day: date
    tz: ZoneInfo
    printed_at: datetime  # department time
    printed_by: str
    sections: tuple[RoomSection, ...]
    rooms_without_cases: tuple[str, ...] = ()
    any_masked: bool = False
    downtime: Downtime | None = None

    @property
    def header_mm(self) -> float:
        return HEADER_MM + (DOWNTIME_HEADER_MM if self.downtime is not None else 0.0)


def _printed_by(actor: Actor) -> str:
    who = actor.display_name if actor.signed_in else "not signed in"
    role = actor.role.value if actor.role else "no role"
    return f"{who} ({role})"


def _daylist(day: date, tz: ZoneInfo, printed_at: datetime, printed_by: str,
             rooms: Iterable[RoomView], closures: Iterable[ClosureView],
             details: Sequence[CaseDetail], downtime: Downtime | None = None) -> DayList:
    """One section per room with cases or closures, its cases in time order."""
    shut_by_room: dict[int, list[ClosureView]] = {}
    for closure in closures:
        shut_by_room.setdefault(closure.room_id, []).append(closure)
    sections: list[RoomSection] = []
    idle: list[str] = []
    for room in rooms:
        cases = sorted((d for d in details if d.case.room_id == room.id),
                       key=lambda d: (d.case.scheduled_start, d.case.case_number))
        shut = tuple(sorted(shut_by_room.get(room.id, ()), key=lambda c: c.starts_at))
        if cases or shut:
            sections.append(RoomSection(room, shut, tuple(cases)))
        else:
            idle.append(room.code)
    return DayList(
        day=day, tz=tz, printed_at=printed_at.astimezone(tz), printed_by=printed_by,
        sections=tuple(sections), rooms_without_cases=tuple(idle),
        any_masked=any(d.case.patient_masked for d in details), downtime=downtime,
    )


def build_daylist(services: Services, actor: Actor, day: date) -> DayList:
    """Read the day as ``actor`` sees it: patients masked wherever the services mask them."""
    tz = zone(services.settings.get(actor).time_zone)
    details = services.cases.day_sheet(actor, day)
    rooms = services.rooms.list_rooms(actor)
    midnight = datetime.combine(day, time(0))
    closures = services.rooms.closures(actor, None, midnight, midnight + timedelta(days=1))
    return _daylist(day, tz, services.clock.now(), _printed_by(actor), rooms, closures,
                    details)


def summary_detail(case: CaseSummary) -> CaseDetail:
    """A case as the board holds it, in the day list's shape: no team beyond the lead
    surgeon and the anesthetist, checklist progress as counts only, no notes."""
    return CaseDetail(case=case, team=(), checklists=(), notes=(), can_edit_schedule=False,
                      can_update_checklist=False, can_sign_off=False, can_add_note=False)


def build_downtime_daylist(day: date, tz: ZoneInfo, *, rooms: Sequence[RoomView],
                           closures: Mapping[int, Sequence[ClosureView]],
                           cases: Iterable[CaseSummary], actor: Actor, now: datetime,
                           unreachable_since: datetime,
                           synced_at: datetime | None) -> DayList:
    """The day list from the board's last known data, with no database call.

    ``cases`` are the board's summaries, already masked for ``actor`` by the services that
    handed them out; the same cases are left off as on a live list (cancelled, requested,
    no room, not on ``day``). ``closures`` are the board's, by room id.
    """
    start, end = day_bounds(day, tz)
    details = [
        summary_detail(c) for c in cases
        if c.status not in (CaseStatus.CANCELLED, CaseStatus.REQUESTED)
        and c.room_id is not None and c.scheduled_start is not None
        and c.scheduled_end is not None and c.scheduled_start < end and c.scheduled_end > start
    ]
    shut = [c for room in rooms for c in closures.get(room.id, ())
            if c.starts_at < end and c.ends_at > start]
    return _daylist(day, tz, now, _printed_by(actor), rooms, shut, details,
                    Downtime(unreachable_since, synced_at))


def downtime_audit(daylist: DayList) -> tuple[bool, int, tuple[str, ...]]:
    """What the audit trail records of a printed copy: whether it showed any patient, how
    many cases it listed, and the numbers of those whose patient it showed."""
    cases = [d.case for section in daylist.sections for d in section.cases]
    shown = tuple(c.case_number for c in cases
                  if not c.patient_masked and c.patient_name is not None)
    return bool(shown), len(cases), shown


def queue_downtime_audit(pending: PendingSaves, services: Services, actor: Actor,
                         daylist: DayList, *, op_id: str | None = None) -> str | None:
    """After a downtime copy went to the printer or a PDF: keep its audit record
    (``CaseService.record_downtime_print``) in ``pending``, written once when the
    connection is back (``pending.retry_all``). The op id of the waiting record, or None
    for a live list (``build_daylist`` audited that one as it read it)."""
    if daylist.downtime is None:
        return None
    op_id = op_id or uuid.uuid4().hex
    shows_patients, count, shown = downtime_audit(daylist)
    day, printed_at = daylist.day, daylist.printed_at

    def record() -> bool:
        return services.cases.record_downtime_print(actor, day, printed_at, shows_patients,
                                                    count, case_numbers=shown, op_id=op_id)

    pending.add(op_id, f"Audit record of the downtime day list of {day:%d %b %Y}", record,
                lambda _recorded: None)
    return op_id


def _e(value: object) -> str:
    return html.escape(str(value), quote=False)


def _hm(value: datetime | None, tz: ZoneInfo, day: date) -> str:
    if value is None:
        return ""
    local = value.astimezone(tz)
    # A case running past midnight (or begun the day before) says which day.
    return f"{local:%H:%M}" if local.date() == day else f"{local:%a %H:%M}"


def checklist_lines(checklists: tuple[ChecklistView, ...]) -> list[str]:
    """One line per phase: required items done of all, and what that means ("Pre-op 4/17
    · Readiness done" — the Readiness section is, not the whole phase)."""
    lines = []
    for checklist in checklists:
        required = [i for i in checklist.items if i.is_required]
        done = sum(i.status is ItemStatus.DONE for i in required)
        blocked = sum(i.status is ItemStatus.BLOCKED for i in checklist.items)
        text = f"{PHASE_TEXT[checklist.phase]} {done}/{len(required)}"
        if checklist.signed_off_at is not None:
            text += " signed off"
        elif checklist.phase is Phase.PRE_OP:
            readiness = [i for i in required if i.section == "Readiness"]
            if readiness and all(i.status is ItemStatus.DONE for i in readiness):
                text += " · Readiness done"
        if blocked:
            text += f" · {blocked} blocked"
        lines.append(text)
    return lines


def case_cells(d: CaseDetail, tz: ZoneInfo, day: date) -> list[str]:
    """The cells of one case's row, as rich text, in ``COLUMNS`` order."""
    c = d.case
    when = f"<b>{_hm(c.scheduled_start, tz, day)}–{_hm(c.scheduled_end, tz, day)}</b>"
    when += f"<br/><span class='dim'>{STATUS_TEXT[c.status]}</span>"
    if c.priority is not Priority.ELECTIVE:
        when += f"<br/><b class='alert'>{c.priority.value.upper()}</b>"
    side = SIDE_TEXT[c.laterality]
    procedure = f"<b>{_e(c.procedure_name)}</b>"
    if side:
        procedure += f" — <b>{side}</b>"
    procedure += f"<br/><span class='dim'>{_e(c.case_number)} · {_e(c.specialty)}</span>"
    lead, anesth = c.lead_surgeon_user_id, c.anesthetist_user_id
    team = "<br/>".join(
        f"{_e(t.display_name)} <span class='dim'>{_e(t.role.value.replace('_', ' '))}</span>"
        for t in d.team if t.user_id not in (lead, anesth)
    )
    if c.patient_masked or c.patient_name is None:
        patient = f"<i class='dim'>{MASKED}</i>"
    else:
        patient = f"<b>{_e(c.patient_name)}</b><br/>{_e(c.patient_id or '')}"
        if c.patient_dob is not None:
            patient += f"<br/>born {c.patient_dob:%d %b %Y}"
    checklist = "<br/>".join(_e(line) for line in checklist_lines(d.checklists))
    if not d.checklists and c.checklist_total:
        # A downtime copy: the board holds the progress, not the items.
        checklist = _e(f"{c.checklist_done}/{c.checklist_total} required done")
        signed = [name for name, done in (("pre-op", c.pre_op_complete),
                                          ("post-op", c.post_op_complete)) if done]
        if signed:
            checklist += "<br/>" + _e(" and ".join(signed) + " signed off")
    return [when, procedure, _e(c.lead_surgeon_name), _e(c.anesthetist_name or "—"), team,
            patient, checklist, _notes_html(d)]


def _notes_html(d: CaseDetail) -> str:
    if not d.notes:
        return ""
    shown = d.notes[-NOTES_SHOWN:]
    lines = []
    for note in shown:
        text = note.message if len(note.message) <= NOTE_CHARS else (
            note.message[: NOTE_CHARS - 1].rstrip() + "…")
        flag = "⚑ " if note.note_type in FLAGGED_NOTES else ""
        lines.append(f"<b>{flag}{_e(note.note_type.value)}:</b> {_e(text)}")
    if len(d.notes) > len(shown):
        lines.append(f"<span class='dim'>+{len(d.notes) - len(shown)} earlier</span>")
    return "<br/>".join(lines)


def room_title(section: RoomSection, daylist: DayList, *, continued: bool = False) -> str:
    room = section.room
    where = f" — {_e(room.location)}" if room.location else ""
    title = f"<b class='room'>{_e(room.code)} · {_e(room.name)}{where}</b>"
    if continued:
        return title + " <span class='dim'>(continued)</span>"
    for closure in section.closures:
        frm = _hm(closure.starts_at, daylist.tz, daylist.day)
        to = _hm(closure.ends_at, daylist.tz, daylist.day)
        title += f"<br/><span class='alert'>Closed {frm}–{to}: {_e(closure.reason)}</span>"
    if not section.cases:
        title += "<br/>No cases."
    return title


# Column titles and their share of the page width (percent).
COLUMNS = (
    ("Time", 10), ("Procedure", 18), ("Surgeon", 10), ("Anesthetist", 10), ("Team", 15),
    ("Patient", 13), ("Checklist", 10), ("Notes", 14),
)
CSS = f"""
body {{ color: #000000; }}
.room {{ font-size: {HEADING_PT}pt; }}
.dim {{ color: #505050; }}
.alert {{ color: #a40000; }}
"""


# ---- painting ---------------------------------------------------------------------------
#
# Painted row by row with QPainter rather than handing QTextDocument one big HTML table:
# QTextDocument's pagination splits a table row across pages (half a row at the foot of
# one page, the rest on the next) and has no keep-together; a wall list must never split
# a case. Each cell is a small QTextDocument (rich text, wrapping); a row is as tall as
# its tallest cell and goes to the next page whole, under a repeated room title and
# column header.


def page_layout() -> QPageLayout:
    return QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Landscape,
                       QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
                       QPageLayout.Unit.Millimeter)


def _font(points: float, *, bold: bool = False) -> QFont:
    return ui_font(points, bold=bold)


@dataclass
class _Block:
    """A horizontal strip of the page: a room title, a column header or a case row."""

    cells: list[tuple[float, float, QTextDocument]]  # x, width, text
    height: float
    kind: str  # "title", "head", "row", "text"


class _Typesetter:
    def __init__(self, device: QPagedPaintDevice, header_mm: float = HEADER_MM) -> None:
        self.device = device
        self.width = float(device.width())
        self.per_mm = device.logicalDpiY() / 25.4
        self.pad = 1.2 * self.per_mm
        self.body_h = device.height() - (header_mm + FOOTER_MM) * self.per_mm
        self.gap = 4 * self.per_mm
        edges = [0.0]
        for _, share in COLUMNS:
            edges.append(edges[-1] + self.width * share / 100)
        self.columns = [(edges[n], edges[n + 1] - edges[n]) for n in range(len(COLUMNS))]

    def text(self, rich: str, width: float) -> QTextDocument:
        doc = QTextDocument()
        # Lay out in the device's resolution, so point sizes are true points on paper.
        doc.documentLayout().setPaintDevice(self.device)
        doc.setDefaultFont(_font(BODY_PT))
        # Padding is ours, not the document margin: QTextDocumentLayout scales frame margins
        # by the device's DPI over the screen's, which differs from PC to PC.
        doc.setDocumentMargin(0)
        doc.setDefaultStyleSheet(CSS)
        doc.setHtml(f"<body>{rich}</body>")
        doc.setTextWidth(max(1.0, width - 2 * self.pad))
        return doc

    def block(self, kind: str, cells: list[str]) -> _Block:
        if len(cells) == 1:
            placed = [(0.0, self.width, self.text(cells[0], self.width))]
        else:
            placed = [(x, w, self.text(cell, w)) for (x, w), cell in zip(self.columns, cells,
                                                                        strict=True)]
        height = max(doc.size().height() for _, _, doc in placed) + 2 * self.pad
        return _Block(placed, height, kind)

    def head(self) -> _Block:
        return self.block("head", [f"<b>{name}</b>" for name, _ in COLUMNS])

    def paginate(self, daylist: DayList) -> list[list[_Block]]:
        """Blocks per page: a section starts where its title, header and first row fit;
        a row that does not fit starts a new page under a repeated title and header."""
        pages: list[list[_Block]] = [[]]
        used = 0.0

        def put(block: _Block) -> None:
            nonlocal used
            pages[-1].append(block)
            used += block.height

        def new_page() -> None:
            nonlocal used
            pages.append([])
            used = 0.0

        head = self.head()
        for section in daylist.sections:
            title = self.block("title", [room_title(section, daylist)])
            rows = [self.block("row", case_cells(d, daylist.tz, daylist.day))
                    for d in section.cases]
            lead = title.height + (head.height + rows[0].height if rows else 0.0)
            gap = self.gap if pages[-1] else 0.0
            if pages[-1] and used + gap + lead > self.body_h:
                new_page()
                gap = 0.0
            if gap:
                put(_Block([], gap, "gap"))
            put(title)
            if rows:
                put(head)
            for row in rows:
                if used + row.height > self.body_h and pages[-1][-1].kind == "row":
                    new_page()
                    put(self.block("title", [room_title(section, daylist, continued=True)]))
                    put(head)
                put(row)
        if not daylist.sections:
            put(self.block("text", ["<b>No cases on this day.</b>"]))
        if daylist.rooms_without_cases:
            note = self.block("text", [
                f"<span class='dim'>No cases: {_e(', '.join(daylist.rooms_without_cases))}"
                "</span>"])
            if used + self.gap + note.height > self.body_h:
                new_page()
            put(_Block([], self.gap, "gap"))
            put(note)
        return pages


def paint_daylist(device: QPagedPaintDevice, daylist: DayList) -> int:
    """Lay the day list out on ``device`` page by page; the number of pages."""
    setter = _Typesetter(device, daylist.header_mm)
    pages = setter.paginate(daylist)
    header_h = daylist.header_mm * setter.per_mm
    grid = QPen(QColor("#7a7a7a"))
    grid.setWidthF(0.2 * setter.per_mm)
    painter = QPainter()
    if not painter.begin(device):
        raise OSError("cannot paint on the printer or PDF file")
    try:
        for number, blocks in enumerate(pages, start=1):
            if number > 1:
                device.newPage()
            _header_footer(painter, daylist, number, len(pages), setter)
            y = header_h
            for block in blocks:
                _paint_block(painter, block, y, grid, setter.pad)
                y += block.height
    finally:
        painter.end()
    return len(pages)


def _paint_block(painter: QPainter, block: _Block, y: float, grid: QPen, pad: float) -> None:
    for x, width, doc in block.cells:
        cell = QRectF(x, y, width, block.height)
        if block.kind == "head":
            painter.fillRect(cell, QColor("#e6e6e6"))
        painter.save()
        painter.translate(x + pad, y + pad)
        doc.drawContents(painter, QRectF(0, 0, width - 2 * pad, block.height - 2 * pad))
        painter.restore()
        if block.kind in ("head", "row"):
            painter.save()
            painter.setPen(grid)
            painter.drawRect(cell)
            painter.restore()


def _header_footer(painter: QPainter, daylist: DayList, page: int, pages: int,
                   setter: _Typesetter) -> None:
    per_mm, width = setter.per_mm, setter.width
    height = float(painter.device().height())
    header_h, footer_h = daylist.header_mm * per_mm, FOOTER_MM * per_mm
    painter.save()
    ink = QPen(QColor("#000000"))
    if daylist.downtime is not None:
        band = QRectF(0, 0, width, DOWNTIME_HEADER_MM * per_mm - per_mm)
        painter.fillRect(band, QColor("#a40000"))
        painter.setPen(QPen(QColor("#ffffff")))
        inner = band.adjusted(2 * per_mm, 0.5 * per_mm, -2 * per_mm, -0.5 * per_mm)
        top_line = QRectF(inner.left(), inner.top(), inner.width(), inner.height() * 0.55)
        detail_line = QRectF(inner.left(), top_line.bottom(), inner.width(),
                             inner.height() - top_line.height())
        painter.setFont(_font(HEADING_PT, bold=True))
        painter.drawText(top_line,
                         int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         downtime_text(daylist))
        painter.setFont(_font(BODY_PT))
        painter.drawText(detail_line,
                         int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         DOWNTIME_DETAIL)
    painter.setPen(ink)
    top = QRectF(0, header_h - HEADER_MM * per_mm, width, HEADER_MM * per_mm - 2.5 * per_mm)
    painter.setFont(_font(HEADING_PT + 2, bold=True))
    painter.drawText(top, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom),
                     f"OR day list — {daylist.day:%A %d %B %Y}")
    painter.setFont(_font(BODY_PT))
    painter.drawText(top, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom),
                     f"Times in {daylist.tz.key} · page {page} of {pages}")
    rule = QPen(QColor("#000000"))
    rule.setWidthF(0.3 * per_mm)
    painter.setPen(rule)
    painter.drawLine(QPointF(0, header_h - 1.5 * per_mm), QPointF(width, header_h - 1.5 * per_mm))
    foot_y = height - footer_h + 1.5 * per_mm
    painter.drawLine(QPointF(0, foot_y), QPointF(width, foot_y))
    painter.setPen(ink)
    bottom = QRectF(0, foot_y + per_mm, width, footer_h - 2.5 * per_mm)
    printed = f"Printed {daylist.printed_at:%d %b %Y %H:%M} by {daylist.printed_by}"
    if daylist.any_masked:
        printed += " · patients masked where this role may not see them"
    painter.drawText(bottom, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop),
                     printed)
    painter.drawText(bottom, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop),
                     f"{daylist.day:%a %d %b %Y} · page {page} of {pages}")
    painter.restore()


def downtime_text(daylist: DayList) -> str:
    """The downtime line at the top of every page ('' for a live list)."""
    downtime = daylist.downtime
    if downtime is None:
        return ""
    since = _hm(downtime.unreachable_since, daylist.tz, daylist.day)
    synced = (_hm(downtime.synced_at, daylist.tz, daylist.day)
              if downtime.synced_at is not None else "unknown")
    return (f"DOWNTIME COPY — database unreachable since {since}; "
            f"data as last synced at {synced}")


# ---- entry points -----------------------------------------------------------------------


def render_daylist_pdf(services: Services, actor: Actor, day: date, out: Path) -> Path:
    """Write the day list of ``day`` to the PDF file ``out``, as ``actor`` may see it.

    The CLI's ``surgdesk daylist --date D --out FILE.pdf`` calls this (ANONYMOUS without
    a login: patients masked). Works without a display (offscreen Qt).
    """
    _check_pdf_path(out)
    from surgdesk.ui.board.export import ensure_application

    ensure_application()
    return write_daylist_pdf(build_daylist(services, actor, day), out)


def _check_pdf_path(out: Path) -> None:
    if out.suffix.lower() != ".pdf":
        raise BadInput(FieldProblem("out", "must end in .pdf"))
    if not out.parent.is_dir():
        raise BadInput(FieldProblem("out", f"folder {out.parent} does not exist"))


def write_daylist_pdf(daylist: DayList, out: Path) -> Path:
    """Write an already built day list (live or downtime) to the PDF file ``out``."""
    _check_pdf_path(out)
    writer = QPdfWriter(str(out))
    writer.setResolution(PDF_DPI)
    writer.setPageLayout(page_layout())
    title = f"OR day list {daylist.day.isoformat()}"
    writer.setTitle(f"{title} (downtime copy)" if daylist.downtime is not None else title)
    writer.setCreator("SurgDesk")
    paint_daylist(writer, daylist)
    del writer  # the PDF is finished and closed when the writer goes
    return out


def print_daylist(services: Services, actor: Actor, day: date,
                  parent: QWidget | None = None) -> bool:
    """The day list in Qt's print preview, printed from there; False if not printed."""
    return preview_and_print(parent, build_daylist(services, actor, day))


def preview_and_print(parent: QWidget | None, daylist: DayList) -> bool:
    """Qt's print preview of ``daylist`` (pages, zoom, page setup), printed from there
    on the printer the person chooses; False when closed without printing."""
    from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageLayout(page_layout())
    printer.setDocName(f"OR day list {daylist.day.isoformat()}")
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.setObjectName("daylistPreview")
    dialog.setWindowTitle(f"Day list of {daylist.day:%a %d %b %Y}")
    # The preview paints on its own device; printing paints on the chosen printer.
    dialog.paintRequested.connect(lambda device: paint_daylist(device, daylist))
    try:
        return dialog.exec() == QDialog.DialogCode.Accepted
    finally:
        dialog.deleteLater()

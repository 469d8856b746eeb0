"""Block bands: each block occurrence a light band under the cases of its room's row.

A band is tinted in its service's colour (``colour_key``: the service, or the surgeon's
specialty), with a solid strip in the row's bottom padding and thin edges, so the block's
extent still reads where cases cover it. Its label names the owner in the widest stretch
of the band no case covers (the longest candidate that fits there; none on a narrow or a
full band). A released occurrence is washed out and hatched (the other diagonal than a
closure's) and says so: "released 3 d ahead", "released automatically". Hover names
owner, hours, booked share (with its definition) and release state. The wall paints them
faintly (``draw_bands(..., faint=True)``: tint and strip only, no label).

Cheap to paint: ``BlockBands`` keeps the loaded window's occurrences (it is a child of the
board model, found with :func:`block_bands`; the controller hands it each load's
``BoardSnapshot.blocks``) and lays them out once per layout (load, zoom, mode): per row,
rects sorted by x. A paint looks at the rows of the exposed rect and bisects into each;
a hover bisects into one row. Blocks of one room never overlap, so a row's bands are
ordered by start and end alike.
"""

from __future__ import annotations

import html
import zlib
from bisect import bisect_right
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PySide6.QtCore import QAbstractItemModel, QObject, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen

from surgdesk.services.dto import OccurrenceView
from surgdesk.ui.board.layout import BAR_PAD, HEADER_HEIGHT, LABEL_WIDTH
from surgdesk.ui.fonts import ui_font_family

if TYPE_CHECKING:
    from surgdesk.ui.board.view import BoardView

# Paul Tol's "light" scheme: designed as backgrounds under text and distinguishable with
# the common colour-vision deficiencies; calm enough to sit under the status colours.
SERVICE_COLOURS: tuple[str, ...] = (
    "#77AADD",  # light blue
    "#EE8866",  # orange
    "#44BB99",  # mint
    "#EEDD88",  # light yellow
    "#FFAABB",  # pink
    "#99DDFF",  # light cyan
    "#BBCC33",  # pear
    "#AAAA00",  # olive
)
# The usual services get fixed colours (neighbouring rooms of one suite differ); any other
# key takes a stable one from its name. The label, never the colour alone, names the owner.
_FIXED = {"general": 0, "orthopedics": 1, "neuro": 2, "urology": 3, "cardiac": 4,
          "gynecology": 5, "ent": 6, "plastics": 7, "vascular": 5, "ophthalmology": 2}
UNKNOWN_COLOUR = "#DDDDDD"  # pale grey: a block with no service colour

FILL_ALPHA = 72  # the tint over the row: clearly lighter than any bar
FAINT_ALPHA = 36  # the wall's faint bands
RIBBON = 3.0  # px: the strip in the row's bottom padding, visible under cases
LABEL_TEXT = QColor("#3c4043")
RELEASED_WASH = QColor(255, 255, 255, 150)
MIN_LABEL_WIDTH = 28.0  # narrower bands carry no label (the week view at 60 rooms)
LABEL_PAD = 4.0


def colour_for(key: str | None) -> QColor:
    """The band colour of a service (case-insensitive; stable across runs and PCs)."""
    if not key:
        return QColor(UNKNOWN_COLOUR)
    name = key.strip().lower()
    index = _FIXED.get(name)
    if index is None:
        index = zlib.crc32(name.encode()) % len(SERVICE_COLOURS)
    return QColor(SERVICE_COLOURS[index])


def release_text(occ: OccurrenceView) -> str | None:
    """How a released occurrence says so on its band; None when it is not released."""
    if not occ.released:
        return None
    if occ.released_by_rule:
        return "released automatically"
    if occ.released_days_ahead is not None:
        return f"released {occ.released_days_ahead} d ahead"
    return "released"


_TITLES = {"dr", "prof", "mr", "mrs", "ms"}


def owner_names(occ: OccurrenceView) -> list[str]:
    """The owner from long to short: "Dr Lena Moreau", "L. Moreau", "Moreau" for a
    surgeon (two surgeons may share a surname: the initial comes before it alone), the
    service ("Orthopedics") for a service."""
    if occ.service:
        return [occ.service[:1].upper() + occ.service[1:]]
    name = occ.owner_label.split(" (")[0].strip()
    words = name.split()
    if words and words[0].rstrip(".").lower() in _TITLES:
        words = words[1:]
    if not words:
        return [occ.owner_label]
    shorter = [f"{words[0][0]}. {words[-1]}", words[-1]] if len(words) > 1 else [words[-1]]
    return [name, *shorter]


def short_owner(occ: OccurrenceView) -> str:
    """The owner in one word: the service, or the surgeon's surname."""
    return owner_names(occ)[-1]


def label_candidates(occ: OccurrenceView) -> list[str]:
    """Longest first; the band shows the first that fits."""
    released = release_text(occ)
    full, names = occ.owner_label, owner_names(occ)
    if released is None:
        return list(dict.fromkeys([full, *names]))
    return list(dict.fromkeys([f"{full} · {released}", *(f"{n} · {released}" for n in names),
                               released, "released"]))


def label_for(occ: OccurrenceView, width: float, metrics: QFontMetricsF) -> str:
    """The text a band ``width`` px wide carries ("" when none fits)."""
    room = width - 2 * LABEL_PAD
    if width < MIN_LABEL_WIDTH:
        return ""
    return next((text for text in label_candidates(occ)
                 if metrics.horizontalAdvance(text) <= room), "")


def tooltip_text(occ: OccurrenceView, tz: ZoneInfo) -> str:
    """The hover: owner, hours, booked share (with its definition), release state."""
    start, end = occ.start.astimezone(tz), occ.end.astimezone(tz)
    share = f"{occ.utilization:.0%}".replace("%", " %")
    lines = [
        f"<b>Block: {html.escape(occ.owner_label)}</b>",
        f"{html.escape(occ.room_code)} · {start:%a %d %b} {start:%H:%M}–{end:%H:%M}",
        f"Booked: {occ.used_minutes} of {occ.block_minutes} min ({share})",
        "<i>Booked share: the owner's case minutes inside the block, plus turnover "
        "between them, over the block's minutes.</i>",
    ]
    if not occ.released:
        lines.append("Not released")
    elif occ.released_by_rule:
        lines.append("Released automatically: no case of the owner was booked in time")
    else:
        ahead = (f" {occ.released_days_ahead} d ahead"
                 if occ.released_days_ahead is not None else "")
        by = f" by {html.escape(occ.released_by_name)}" if occ.released_by_name else ""
        why = f": {html.escape(occ.release_reason)}" if occ.release_reason else ""
        lines.append(f"Released{ahead}{by}{why}")
    return "<br>".join(lines)


@dataclass(frozen=True, slots=True)
class Band:
    occurrence: OccurrenceView
    rect: QRectF  # scene coordinates: the band's part of its row
    colour: QColor


@dataclass(frozen=True, slots=True)
class _RowBands:
    bands: tuple[Band, ...]  # by x
    rights: tuple[float, ...]  # each band's right edge, for bisecting

    def between(self, left: float, right: float) -> list[Band]:
        out: list[Band] = []
        for band in self.bands[bisect_right(self.rights, left):]:
            if band.rect.left() >= right:
                break
            out.append(band)
        return out


LayoutKey = tuple[object, ...]


class BlockBands(QObject):
    """The occurrences of the loaded window and their bands for the current layout."""

    def __init__(self, model: QAbstractItemModel) -> None:
        super().__init__(model)
        self.setObjectName("blockBands")
        self._occurrences: tuple[OccurrenceView, ...] = ()
        self._generation = 0
        self._key: LayoutKey | None = None
        self._rows: list[_RowBands] = []
        self.font = QFont(ui_font_family())
        self.font.setPixelSize(11)
        self.metrics = QFontMetricsF(self.font)
        # A reset (a load, or signing out) forgets the last window's blocks; the load's
        # own follow at once (``load``).
        model.modelReset.connect(lambda: self.load(()))

    def load(self, occurrences: tuple[OccurrenceView, ...]) -> None:
        self._occurrences = tuple(occurrences)
        self._generation += 1
        self._key = None

    def occurrences(self) -> tuple[OccurrenceView, ...]:
        return self._occurrences

    def rows(self, view: BoardView) -> list[_RowBands]:
        """Per row, its bands laid out for the view's grid (computed once per layout)."""
        grid, rows = view.grid, view.rows
        key = (id(view), self._generation, grid.start, grid.end, grid.px_per_minute,
               rows.row_height, rows.count)
        if key != self._key:
            self._rows = self._layout(view)
            self._key = key
        return self._rows

    def _layout(self, view: BoardView) -> list[_RowBands]:
        model = view.model()
        per_row: list[list[Band]] = [[] for _ in range(view.rows.count)]
        if model is None:
            return []
        grid, height = view.grid, view.rows.row_height
        for occ in self._occurrences:
            row = model.room_row(occ.room_id)
            if row is None or row >= len(per_row):
                continue
            x0 = max(0.0, grid.x_for(occ.start))
            x1 = min(grid.width, grid.x_for(occ.end))
            if x1 <= x0:
                continue
            rect = QRectF(x0, view.rows.top(row), x1 - x0, height)
            per_row[row].append(Band(occ, rect, colour_for(occ.colour_key)))
        out = []
        for bands in per_row:
            bands.sort(key=lambda b: b.rect.left())
            out.append(_RowBands(tuple(bands), tuple(b.rect.right() for b in bands)))
        return out

    def band_at(self, view: BoardView, scene_pos: QPointF) -> Band | None:
        row = view.rows.row_at(scene_pos.y())
        rows = self.rows(view)
        if row is None or row >= len(rows):
            return None
        x = scene_pos.x()
        return next((b for b in rows[row].between(x, x + 1e-6)
                     if b.rect.left() <= x < b.rect.right()), None)


def block_bands(model: QAbstractItemModel) -> BlockBands:
    """The model's band store (made on first use; it lives as long as the model)."""
    found = model.findChild(BlockBands, "blockBands")
    return found if isinstance(found, BlockBands) else BlockBands(model)


def draw_bands(view: BoardView, painter: QPainter, rect: QRectF | QRect, *,
               faint: bool = False) -> None:
    """Paint the bands intersecting ``rect`` (scene coordinates), under the cases."""
    model = view.model()
    if model is None or view.rows.count == 0:
        return
    store = block_bands(model)
    if not store.occurrences():
        return
    area = QRectF(rect)
    rows = store.rows(view)
    first = view.rows.clamp_row(area.top())
    last = min(view.rows.clamp_row(area.bottom()), len(rows) - 1)
    painter.save()
    painter.setFont(store.font)
    for row in range(first, last + 1):
        shown = rows[row].between(area.left(), area.right())
        if not shown:
            continue
        taken = None if faint else _occupied(view, row)
        for band in shown:
            _paint_band(painter, band, faint)
            if taken is not None:
                _paint_label(painter, band, store.metrics, taken)
    painter.restore()


def _occupied(view: BoardView, row: int) -> list[tuple[float, float]]:
    """The x stretches of a row its cases cover (turnover included), by start: a label
    goes where the block is still free, not half under a bar. (The background is cached:
    a case moved later covers a label, or leaves a gap without one, until the next
    layout; the hover always names the block.)"""
    model = view.model()
    room = model.room_at(row) if model is not None else None
    if model is None or room is None:
        return []
    turnover = timedelta(minutes=room.turnover_minutes)
    spans = [(view.grid.x_for(c.scheduled_start), view.grid.x_for(c.scheduled_end + turnover))
             for c in model.cases_in_room(room.id)
             if c.scheduled_start is not None and c.scheduled_end is not None]
    return sorted(spans)


def free_stretches(left: float, right: float,
                   taken: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """[left, right) less the ``taken`` stretches (sorted by start)."""
    out: list[tuple[float, float]] = []
    cursor = left
    for lo, hi in taken:
        if hi <= cursor:
            continue
        if lo >= right:
            break
        if lo > cursor:
            out.append((cursor, lo))
        cursor = max(cursor, hi)
        if cursor >= right:
            return out
    if cursor < right:
        out.append((cursor, right))
    return out


def _paint_band(painter: QPainter, band: Band, faint: bool) -> None:
    occ, r, colour = band.occurrence, band.rect, band.colour
    inner = r.adjusted(0, 1, 0, -1)
    tint = QColor(colour)
    tint.setAlpha(FAINT_ALPHA if faint else FILL_ALPHA)
    painter.fillRect(inner, tint)
    edge = colour.darker(135)
    if occ.released:
        painter.fillRect(inner, RELEASED_WASH)
        hatch = QColor(edge)
        hatch.setAlpha(110)
        painter.fillRect(inner, QBrush(hatch, Qt.BrushStyle.FDiagPattern))
    ribbon = QColor(colour)
    ribbon.setAlpha(90 if occ.released or faint else 255)
    painter.fillRect(QRectF(r.left(), r.bottom() - RIBBON - 0.5, r.width(), RIBBON), ribbon)
    if faint:
        return
    painter.setPen(QPen(edge, 1, Qt.PenStyle.DashLine if occ.released else Qt.PenStyle.SolidLine))
    painter.drawLine(QPointF(r.left() + 0.5, inner.top()), QPointF(r.left() + 0.5, inner.bottom()))
    painter.drawLine(QPointF(r.right() - 0.5, inner.top()),
                     QPointF(r.right() - 0.5, inner.bottom()))


def _paint_label(painter: QPainter, band: Band, metrics: QFontMetricsF,
                 taken: list[tuple[float, float]]) -> None:
    """The owner in the widest free stretch of the band, if a label fits there."""
    r = band.rect
    stretches = free_stretches(r.left(), r.right(), taken)
    if not stretches:
        return
    left, right = max(stretches, key=lambda s: s[1] - s[0])
    text = label_for(band.occurrence, right - left, metrics)
    if text:
        painter.setPen(LABEL_TEXT)
        painter.drawText(QRectF(left + LABEL_PAD, r.top() + BAR_PAD,
                                right - left - 2 * LABEL_PAD, r.height() - 2 * BAR_PAD),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)


def tooltip_at(view: BoardView, viewport_pos: QPointF) -> str | None:
    """The hover text of the band under a viewport point (None: no band there)."""
    model = view.model()
    if model is None or viewport_pos.x() < LABEL_WIDTH or viewport_pos.y() < HEADER_HEIGHT:
        return None
    band = block_bands(model).band_at(view, view.mapToScene(viewport_pos.toPoint()))
    return tooltip_text(band.occurrence, view.tz) if band is not None else None

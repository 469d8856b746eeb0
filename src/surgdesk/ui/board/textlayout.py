"""How a bar's text is laid out in the room the bar has: procedure first, then the lead
surgeon, then the times (with the patient and checklist progress where they fit whole).

A layout is worked out once per bar content and size (``BarTextLayouts`` keeps them) and
painted many times, so the board never measures text for every bar on every paint. The
rules, in order:

- the procedure comes first; on a wide bar it is one bold line beside the status glyph,
  the soft-conflict mark and the priority badge; where that leaves too little of it, the
  badge goes first (the vermillion band and border still say EMERG/URG), then the glyph
  and the mark move down a line, then the procedure wraps over the bar's lines;
- the lines the procedure leaves free take the surgeon, then the times;
- a lone glyph only when not even a few letters fit;
- the equipment marks (a letter per unit the case needs: R robot, C C-arm…) sit at the
  right like the warning mark, and are the first to leave the procedure's line (after
  the badge) for the next one;
- in lanes other than rooms the room code leads the procedure's line, in bold; short of
  room it moves to the start of the next line (before the surgeon), after the glyph.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetricsF

ELLIPSIS = "…"
BREAK_HYPHEN = "\u2010"  # marks a word cut at a line's end (not the procedure's own "-")
GLYPH_W = 14.0  # the status glyph and the warning mark are squares this wide
MARK_GAP = 4.0
EQUIP_W = 12.0  # one equipment mark (a letter in a small box)
TITLE_LINE_H = 16.0
BODY_LINE_H = 15.0
# A procedure showing this many characters reads as itself (issue 13: "Laparoscopic c…").
READABLE_CHARS = 12
MIN_TEXT_PX = 22.0  # narrower than this, text would be a letter or two: glyph only
RIGHT_TEXT_MIN_W = 110.0  # the checklist progress needs a bar this wide to sit beside text
LAYOUT_CACHE_SIZE = 4096  # entries; a week of 60 rooms at one zoom is ~3,000 bars


class Font(Enum):
    TITLE = "title"  # bold, the procedure on one line
    WRAP = "wrap"  # the procedure wrapped over narrow lines (same size as the body)
    BODY = "body"


@dataclass(frozen=True, slots=True)
class TextLine:
    """One line of a bar: its text, font and what sits at its ends."""

    text: str
    font: Font
    glyph: bool = False  # the status glyph at the left of this line
    warning: bool = False  # the soft-conflict mark at the right
    badge: str = ""  # "EMERG" / "URG" at the right
    right_text: str = ""  # checklist progress, right-aligned
    # Equipment marks at the right, before the warning: (letter, allocated) per unit.
    equipment: tuple[tuple[str, bool], ...] = ()
    room: str = ""  # the room code at the left, bold (lanes other than rooms)


@dataclass(frozen=True, slots=True)
class BarText:
    """What a bar shows, line by line, and how much of its procedure that is."""

    lines: tuple[TextLine, ...]
    procedure_shown: str  # the procedure's characters on the bar (no ellipsis, no breaks)

    @property
    def glyph_only(self) -> bool:
        return not self.procedure_shown


@dataclass(frozen=True, slots=True)
class BarContent:
    """The texts and marks of a case, as the layout needs them (hashable: a cache key)."""

    procedure: str
    surgeon: str
    times: str
    patient: str
    progress: str
    badge: str  # "" for elective
    warning: bool
    equipment: tuple[tuple[str, bool], ...] = ()
    room: str = ""  # lanes other than rooms: the row no longer names the room


def equipment_width(marks: tuple[tuple[str, bool], ...]) -> float:
    return len(marks) * (EQUIP_W + 1) + MARK_GAP - 1 if marks else 0.0


class Metrics:
    """The three fonts' metrics, with the few measurements the layout makes."""

    def __init__(self, title: QFontMetricsF, body: QFontMetricsF, badge: QFontMetricsF) -> None:
        self.title, self.body, self.badge = title, body, badge

    def of(self, font: Font) -> QFontMetricsF:
        return self.title if font is Font.TITLE else self.body

    def width(self, text: str, font: Font) -> float:
        return self.of(font).horizontalAdvance(text)

    def elide(self, text: str, width: float, font: Font) -> str:
        return self.of(font).elidedText(text, Qt.TextElideMode.ElideRight, int(width))

    def badge_width(self, text: str) -> float:
        return self.badge.horizontalAdvance(text) + 8 if text else 0.0


def line_count(height: float) -> int:
    """How many text lines a content area of ``height`` px holds (a title and body lines)."""
    if height < TITLE_LINE_H - 4:
        return 0
    return 1 + max(0, int((height + 2 - TITLE_LINE_H) // BODY_LINE_H))


def shown(text: str) -> str:
    return text.removesuffix(ELLIPSIS)


def lay_out(content: BarContent, width: float, height: float, metrics: Metrics) -> BarText:
    """The bar's text in a content area of ``width`` x ``height`` px."""
    lines = line_count(height)
    if lines == 0 or width < GLYPH_W:
        return BarText((), "")
    if width < MIN_TEXT_PX:
        return BarText((TextLine("", Font.BODY, glyph=True),), "")
    first = _one_line_title(content, width, metrics, free_lines=lines - 1)
    if first is not None:
        title, moved = first
        rest = _body_lines(content, width, lines - 1, metrics, moved)
        return BarText((title, *rest), shown(title.text))
    return _wrapped(content, width, lines, metrics)


def _one_line_title(content: BarContent, width: float, metrics: Metrics,
                    free_lines: int) -> tuple[TextLine, set[str]] | None:
    """The procedure on one bold line, with as many marks as leave it readable; the marks
    left off go to the next line when there is one (returned as ``moved``). None when no
    arrangement shows the whole procedure or ``READABLE_CHARS`` of it."""
    marks = ["badge", "equipment", "glyph", "room", "warning"]  # dropped in this order
    present = {"glyph"} | ({"badge"} if content.badge else set()) | (
        {"warning"} if content.warning else set()) | (
        {"equipment"} if content.equipment else set()) | ({"room"} if content.room else set())
    for keep_from in range(len(marks) + 1):
        kept = present & set(marks[keep_from:])
        room = width - _marks_width(content, kept, metrics)
        text = metrics.elide(content.procedure, room, Font.TITLE) if room > 0 else ""
        if shown(text) == content.procedure or len(shown(text)) >= READABLE_CHARS:
            moved = (present - kept) - {"badge"} if free_lines else set()
            line = TextLine(text, Font.TITLE, glyph="glyph" in kept,
                            warning="warning" in kept,
                            badge=content.badge if "badge" in kept else "",
                            equipment=content.equipment if "equipment" in kept else (),
                            room=content.room if "room" in kept else "")
            return line, moved
    return None


def _marks_width(content: BarContent, kept: set[str], metrics: Metrics) -> float:
    total = 0.0
    if "glyph" in kept:
        total += GLYPH_W + MARK_GAP
    if "warning" in kept:
        total += GLYPH_W + MARK_GAP - 1
    if "badge" in kept:
        total += metrics.badge_width(content.badge) + MARK_GAP
    if "equipment" in kept:
        total += equipment_width(content.equipment)
    if "room" in kept:
        total += room_width(content.room, metrics)
    return total


def room_width(room: str, metrics: Metrics) -> float:
    return metrics.width(room, Font.TITLE) + MARK_GAP + 2 if room else 0.0


def _body_lines(content: BarContent, width: float, count: int, metrics: Metrics,
                moved: set[str]) -> list[TextLine]:
    """Surgeon, then times (each with what else fits whole), on the lines left."""
    out: list[TextLine] = []
    wide = width > RIGHT_TEXT_MIN_W
    candidates = [
        (content.surgeon, content.progress if wide else ""),
        (_join_fitting(content.times, content.patient, width, metrics), ""),
    ]
    for i, (text, right) in enumerate(candidates[:count]):
        glyph = i == 0 and "glyph" in moved
        warning = i == 0 and "warning" in moved
        room = width - (GLYPH_W + MARK_GAP if glyph else 0) - (GLYPH_W + MARK_GAP if warning
                                                                else 0)
        equipment = content.equipment if i == 0 and "equipment" in moved else ()
        if equipment and room - equipment_width(equipment) < MIN_TEXT_PX:
            equipment = ()  # the surgeon's name before the marks (the tooltip lists units)
        room -= equipment_width(equipment)
        if right and equipment:
            right = ""  # the marks before the checklist progress
        lead = f"{content.room} · " if i == 0 and "room" in moved else ""
        if right and room - metrics.width(right, Font.BODY) - 8 < metrics.width(
                lead, Font.BODY) + MIN_TEXT_PX:
            right = ""  # the room whole before the checklist progress
        if right:
            room -= metrics.width(right, Font.BODY) + 8
        # The room before the surgeon, whole: the surgeon's name is what gets elided.
        rest = room - metrics.width(lead, Font.BODY)
        shown_text = lead + metrics.elide(text, rest, Font.BODY) if lead and rest >= \
            MIN_TEXT_PX else metrics.elide(lead.removesuffix(" · ") or text, room, Font.BODY)
        out.append(TextLine(shown_text, Font.BODY, glyph=glyph, warning=warning,
                            right_text=right, equipment=equipment))
    return out


def _join_fitting(first: str, second: str, width: float, metrics: Metrics) -> str:
    """``first · second`` when the whole of it fits, else ``first``."""
    joined = f"{first} · {second}" if second else first
    return joined if metrics.width(joined, Font.BODY) <= width else first


def _wrapped(content: BarContent, width: float, lines: int, metrics: Metrics) -> BarText:
    """The procedure over several lines in the body-sized font, the glyph and the warning
    on a line of their own at the bottom when one is left (kept for the room, when the
    bar has one to show, once the procedure reads)."""
    for used in range(1, lines + 1):
        parts = wrap(content.procedure, width, used, metrics)
        if _prefix_shown(content.procedure, parts) == content.procedure or used == lines:
            break
        if content.room and used == lines - 1 and len(
                _prefix_shown(content.procedure, parts)) >= READABLE_CHARS:
            break  # readable already: the last line is the room's (lanes other than rooms)
    out = [TextLine(p, Font.WRAP) for p in parts]
    if len(out) < lines:
        warning = content.warning and width >= 2 * GLYPH_W + MARK_GAP
        marks_room = width - GLYPH_W - MARK_GAP - (GLYPH_W + MARK_GAP if warning else 0)
        equipment = content.equipment \
            if equipment_width(content.equipment) <= marks_room else ()
        # The room, where the lane is not one (the row names the surgeon or the unit).
        surgeon = metrics.elide(content.room or content.surgeon,
                                marks_room - equipment_width(equipment)
                                - (0 if warning else GLYPH_W + MARK_GAP), Font.BODY)
        glyph = True
        if content.room and shown(surgeon) != content.room and metrics.width(
                content.room, Font.BODY) <= marks_room - equipment_width(equipment) + GLYPH_W:
            surgeon, glyph = content.room, False  # the room before the status glyph
        out.append(TextLine(surgeon if shown(surgeon) else "", Font.BODY, glyph=glyph,
                            warning=warning, equipment=equipment))
    return BarText(tuple(out), _prefix_shown(content.procedure, parts))


def _prefix_shown(procedure: str, parts: list[str]) -> str:
    """The start of ``procedure`` that the wrapped ``parts`` show (spaces at the breaks
    are the procedure's own)."""
    letters = "".join(shown(p).removesuffix(BREAK_HYPHEN) for p in parts).replace(" ", "")
    matched = 0
    end = 0
    for end, char in enumerate(procedure, start=1):
        if char == " ":
            continue
        if matched >= len(letters) or letters[matched] != char:
            end -= 1
            break
        matched += 1
    return procedure[:end].rstrip()


def wrap(text: str, width: float, lines: int, metrics: Metrics) -> list[str]:
    """Greedy word wrap into at most ``lines`` lines of ``width`` px; a word longer than a
    line is cut where the line ends; the last line is elided."""
    words = text.split()
    out: list[str] = []
    current = ""
    i = 0
    while i < len(words) and len(out) < lines - 1:
        candidate = f"{current} {words[i]}".strip()
        if metrics.width(candidate, Font.WRAP) <= width:
            current, i = candidate, i + 1
            continue
        if current:
            out.append(current)
            current = ""
            continue
        head = _longest_prefix(words[i], width, metrics)  # one word wider than the line
        out.append(head + BREAK_HYPHEN)
        words[i] = words[i][len(head):]
    rest = " ".join([current, *words[i:]]).strip()
    last = metrics.elide(rest, width, Font.WRAP) if rest else ""
    if shown(last):  # a line holding only "…" says nothing
        out.append(last)
    elif out:
        out[-1] = out[-1] + ELLIPSIS if rest else out[-1]
    return out


def _longest_prefix(word: str, width: float, metrics: Metrics) -> str:
    """The longest start of ``word`` that fits with a hyphen (at least one letter)."""
    # Leave at least three letters for the next line ("appendec-tomy", not "appendectom-y").
    lo, hi = 1, len(word) - 3 if len(word) > 6 else len(word) - 1
    while lo < hi:  # widths grow with length: bisect rather than measure every prefix
        mid = (lo + hi + 1) // 2
        if metrics.width(word[:mid] + BREAK_HYPHEN, Font.WRAP) <= width:
            lo = mid
        else:
            hi = mid - 1
    return word[:max(1, lo)]


class BarTextLayouts:
    """Layouts kept per bar content and size: computed on a bar's first paint at a zoom,
    reused by every later paint (and the pixmap cache spares most of those anyway)."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics
        self._cache: dict[tuple[BarContent, int, int], BarText] = {}

    def get(self, content: BarContent, width: float, height: float) -> BarText:
        key = (content, int(width), int(height))
        found = self._cache.get(key)
        if found is None:
            found = lay_out(content, key[1], key[2], self.metrics)
            if len(self._cache) >= LAYOUT_CACHE_SIZE:
                del self._cache[next(iter(self._cache))]  # oldest first out
            self._cache[key] = found
        return found

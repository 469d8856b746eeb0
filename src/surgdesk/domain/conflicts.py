"""The soft-conflict rules as pure functions over plain values: outside the room's hours,
specialty not in the room's tags, a person or a patient in two cases at once, a case in
another owner's block that is not released.

No database and no wording here: ``services.conflicts`` asks the repository for the cases
concerned and words the warnings; the board computes every case's marks in memory with
``window_conflicts``. People and patients compare the cases' own times (turnover belongs to
the room, not to the people); rooms compare with turnover (``domain.intervals``).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from itertools import accumulate
from zoneinfo import ZoneInfo

from surgdesk.domain.blocks import BlockSpan
from surgdesk.domain.intervals import intervals_overlap
from surgdesk.domain.room_hours import outside_hours

# Warning codes (SoftConflict.code): stable identifiers the UI and the CLI key on.
OUTSIDE_HOURS = "outside_hours"
SPECIALTY = "specialty"
SURGEON_DOUBLE_BOOKED = "surgeon_double_booked"
ANESTHETIST_DOUBLE_BOOKED = "anesthetist_double_booked"
TEAM_DOUBLE_BOOKED = "team_double_booked"
PATIENT_DOUBLE_BOOKED = "patient_double_booked"
OTHER_BLOCK = "other_block"
# A placed case with a needed unit not allocated (lost to maintenance or a closure, no
# other unit free): a mark on the bar, never a refusal of the write that caused it.
EQUIPMENT_MISSING = "equipment_missing"


def specialty_mismatch(specialty: str, tags: Sequence[str]) -> bool:
    """A room with no tags takes any specialty; otherwise the case's must be listed."""
    if not tags:
        return False
    return specialty.casefold() not in {tag.casefold() for tag in tags}


@dataclass(frozen=True, slots=True)
class PlacedCase:
    """What the board's conflict marks need to know of one case."""

    case_id: int
    room_id: int | None
    start: datetime
    end: datetime
    specialty: str
    patient_id: str
    lead_user_id: int
    anesthetist_user_id: int | None
    team_user_ids: tuple[int, ...] = ()

    def people(self) -> set[int]:
        """Everyone working on the case (the lead and the anesthetist are on its team)."""
        people = {self.lead_user_id, *self.team_user_ids}
        if self.anesthetist_user_id is not None:
            people.add(self.anesthetist_user_id)
        return people

    def person_code(self, user_id: int) -> str:
        """The warning a double booking of ``user_id`` carries on this case."""
        if user_id == self.lead_user_id:
            return SURGEON_DOUBLE_BOOKED
        if user_id == self.anesthetist_user_id:
            return ANESTHETIST_DOUBLE_BOOKED
        return TEAM_DOUBLE_BOOKED


@dataclass(frozen=True, slots=True)
class RoomRules:
    tags: tuple[str, ...]
    opens_at: time
    closes_at: time
    weekdays: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Booked:
    """Another case a person works on, as a double-booking warning names it."""

    case_number: str
    room_code: str | None
    start: datetime
    end: datetime


def double_bookings(
    start: datetime,
    end: datetime,
    people: Iterable[int],
    others: Iterable[tuple[Booked, int]],
) -> dict[int, list[Booked]]:
    """For each of ``people``, the other cases (``(case, user id)`` pairs) that overlap
    [start, end) by their own times, in start order. People with none are left out."""
    wanted = set(people)
    found: dict[int, dict[str, Booked]] = defaultdict(dict)
    for other, user_id in others:
        if user_id in wanted and intervals_overlap(start, end, other.start, other.end):
            found[user_id][other.case_number] = other
    return {uid: sorted(cases.values(), key=lambda b: (b.start, b.case_number))
            for uid, cases in found.items()}


_Mark = Callable[[Hashable, PlacedCase, PlacedCase], None]


def _sweep(groups: Mapping[Hashable, list[PlacedCase]], mark: _Mark) -> None:
    """Mark every pair of overlapping cases inside each group (cases' own times)."""
    for key, members in groups.items():
        members.sort(key=lambda c: c.start)
        for i, first in enumerate(members):
            for second in members[i + 1 :]:
                if second.start >= first.end:
                    break  # sorted by start: no later one overlaps ``first`` either
                if second.case_id != first.case_id and intervals_overlap(
                        first.start, first.end, second.start, second.end):
                    mark(key, first, second)


def _foreign(span: BlockSpan, lead_user_id: int, specialty: str | None) -> bool:
    """A span a placement is warned about: not released and not the case's owner's."""
    return not span.released and not span.owner.owns(lead_user_id, specialty)


def blocks_hit(room_id: int, start: datetime, end: datetime, lead_user_id: int,
               specialty: str | None, spans: Iterable[BlockSpan]) -> list[BlockSpan]:
    """The unreleased spans of other owners in ``room_id`` that [start, end) overlaps (the
    case's own times, no turnover), in start order; for the services to word the warning."""
    hit = [span for span in spans
           if span.room_id == room_id and intervals_overlap(start, end, span.start, span.end)
           and _foreign(span, lead_user_id, specialty)]
    return sorted(hit, key=lambda span: (span.start, span.block_id))


class _RoomBlocks:
    """One room's unreleased spans sorted by start, with the latest end so far, so that
    the spans a case overlaps are found by bisection instead of a scan of the window."""

    def __init__(self, spans: list[BlockSpan]) -> None:
        self.spans = sorted(spans, key=lambda span: span.start)
        self.starts = [span.start for span in self.spans]
        self.ends_so_far = list(accumulate((span.end for span in self.spans), max))

    def overlapping(self, start: datetime, end: datetime) -> Iterable[BlockSpan]:
        index = bisect_left(self.starts, end) - 1  # the last span starting before ``end``
        while index >= 0 and self.ends_so_far[index] > start:
            if self.spans[index].end > start:
                yield self.spans[index]
            index -= 1


def _block_codes(cases: Sequence[PlacedCase], blocks: Sequence[BlockSpan],
                 codes: dict[int, set[str]]) -> None:
    by_room: dict[int, list[BlockSpan]] = defaultdict(list)
    for span in blocks:
        if not span.released:
            by_room[span.room_id].append(span)
    rooms = {room_id: _RoomBlocks(spans) for room_id, spans in by_room.items()}
    for case in cases:
        room = rooms.get(case.room_id) if case.room_id is not None else None
        if room is not None and any(
                _foreign(span, case.lead_user_id, case.specialty)
                for span in room.overlapping(case.start, case.end)):
            codes[case.case_id].add(OTHER_BLOCK)


def window_conflicts(
    cases: Sequence[PlacedCase], rooms: Mapping[int, RoomRules], tz: ZoneInfo,
    blocks: Sequence[BlockSpan] = (),
) -> dict[int, tuple[str, ...]]:
    """Soft-conflict codes per case id, among the given (occupying) cases only; with
    ``blocks`` (the window's occurrences), a case overlapping an unreleased block of its
    room that its owner does not own is marked ``OTHER_BLOCK``."""
    codes: dict[int, set[str]] = defaultdict(set)
    _block_codes(cases, blocks, codes)
    for case in cases:
        rules = rooms.get(case.room_id) if case.room_id is not None else None
        if rules is None:
            continue
        if outside_hours(case.start, case.end, opens_at=rules.opens_at,
                         closes_at=rules.closes_at, weekdays=rules.weekdays, tz=tz):
            codes[case.case_id].add(OUTSIDE_HOURS)
        if specialty_mismatch(case.specialty, rules.tags):
            codes[case.case_id].add(SPECIALTY)

    by_person: dict[Hashable, list[PlacedCase]] = defaultdict(list)
    by_patient: dict[Hashable, list[PlacedCase]] = defaultdict(list)
    for case in cases:
        for uid in case.people():
            by_person[uid].append(case)
        by_patient[case.patient_id].append(case)

    def person(uid: Hashable, a: PlacedCase, b: PlacedCase) -> None:
        assert isinstance(uid, int)
        codes[a.case_id].add(a.person_code(uid))
        codes[b.case_id].add(b.person_code(uid))

    def patient(_key: Hashable, a: PlacedCase, b: PlacedCase) -> None:
        codes[a.case_id].add(PATIENT_DOUBLE_BOOKED)
        codes[b.case_id].add(PATIENT_DOUBLE_BOOKED)

    _sweep(by_person, person)
    _sweep(by_patient, patient)
    return {cid: tuple(sorted(found)) for cid, found in codes.items()}

"""Reading cases: one case in full (opening it is audited when it shows the patient),
lists, the board and the live board's re-reads, rights for another actor, the history,
and the day list and board exports (audited: printing and exporting disclose)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from surgdesk.domain import models as m
from surgdesk.domain.blocks import BlockSpan
from surgdesk.domain.enums import OCCUPYING_STATUSES, CaseStatus
from surgdesk.domain.limits import NAME_MAX
from surgdesk.domain.permissions import Action
from surgdesk.domain.timezones import day_bounds
from surgdesk.errors import BadInput, FieldProblem
from surgdesk.repository.blocks import BLOCK_CASE_STATUSES, CaseSpan, counted_times
from surgdesk.repository.holds import HoldRow
from surgdesk.repository.repos import CaseRow
from surgdesk.repository.uow import UnitOfWork
from surgdesk.services.block_spans import (
    Occurrence,
    block_infos,
    read_occurrences,
    utc_days,
)
from surgdesk.services.case_common import (
    MAX_BOARD_WINDOW,
    QUEUE_STATUSES,
    CaseJob,
    check_date,
    date_range,
    enum_value,
    instant,
)
from surgdesk.services.case_rights import (
    case_rights,
    grants,
    is_placed,
    on_team,
    rights_of_rows,
)
from surgdesk.services.case_views import (
    board_closures,
    board_units,
    case_card,
    case_row,
    case_summary,
    checklist_view,
    note_view,
    row_summary,
    team_member_view,
    with_equipment_mark,
)
from surgdesk.services.checklists import find_case, in_phase_order
from surgdesk.services.conflicts import PlacedCase, RoomRules, soft_conflicts, window_conflicts
from surgdesk.services.context import Actor
from surgdesk.services.dto import AuditEntry, BoardSnapshot, CaseDetail, CaseRights, CaseSummary
from surgdesk.services.rooms import closure_view, room_view


class CaseQueries(CaseJob):
    """Reads of cases, and the audit of what is printed or exported."""

    def get_case(self, actor: Actor, case_number: str) -> CaseDetail:
        """Everything about one case; patient fields None when the actor may not see them."""
        self.require(actor, Action.SEE_BOARD, what="see cases")
        with self.uow(read_only=True) as uow:
            case = find_case(uow, case_number)
            return self._detail(uow, actor, case)

    def open_case(self, actor: Actor, case_number: str) -> CaseDetail:
        """``get_case`` for a person opening the case: seeing the patient is audited."""
        self.require(actor, Action.SEE_BOARD, what="see cases")
        with self.uow() as uow:
            case = find_case(uow, case_number)
            detail = self._detail(uow, actor, case)
            if not detail.case.patient_masked:
                self.audit(uow, actor, "view_case", case, {"case_number": case.case_number})
                uow.commit()
            return detail

    def _detail(self, uow: UnitOfWork, actor: Actor, case: m.SurgeryCase) -> CaseDetail:
        full = uow.cases.with_details(case.id)
        assert full is not None
        tz = self.department_zone(uow)
        row = case_row(full)
        team_ids = {full.id} if actor.user_id is not None and any(
            t.user_id == actor.user_id for t in full.team) else set()
        # One computation: the role's grants on this case, and the rights they give now.
        granted = grants(actor, on_team=on_team(actor, row, team_ids))
        rights = case_rights(granted, row.status, placed=is_placed(row))
        see = rights.see_patient
        progress = uow.cases.checklist_progress([case.id]).get(case.id, (0, 0))
        codes = sorted({w.code for w in soft_conflicts(uow, full, tz, self.now())})
        holds = uow.holds.of_cases([case.id]).get(case.id, [])
        summary = case_summary(full, rights=rights, progress=progress,
                               conflicts=with_equipment_mark(codes, full.status, holds),
                               equipment=holds)
        return CaseDetail(
            case=summary,
            team=tuple(team_member_view(t) for t in sorted(full.team, key=lambda t: t.id)),
            checklists=tuple(checklist_view(c, see_notes=see)
                             for c in in_phase_order(uow.checklists.for_case(case.id))),
            # Notes are free text about the patient: masked callers get none.
            notes=tuple(note_view(n) for n in full.notes) if see else (),
            can_edit_schedule=granted.schedule,
            can_update_checklist=granted.tick,
            can_sign_off=granted.sign_off,
            can_add_note=granted.add_note,
            card=case_card(uow, actor, full),
        )

    def list_cases(
        self,
        actor: Actor,
        *,
        date_from: date | None = None,
        date_to: date | None = None,
        room: str | None = None,
        status: CaseStatus | None = None,
    ) -> list[CaseSummary]:
        """Cases by department dates (inclusive; any part in the range counts; only cases
        with times), room and status. Without dates every case, requested ones included."""
        self.require(actor, Action.SEE_BOARD, what="list cases")
        wanted = enum_value(CaseStatus, status, "status") if status is not None else None
        with self.uow(read_only=True) as uow:
            tz = self.department_zone(uow)
            start, end = date_range(date_from, date_to, tz)
            room_ids = [self._room(uow, room).id] if room is not None else None
            cases = uow.cases.search(start=start, end=end, room_ids=room_ids,
                                     statuses=[wanted] if wanted else None)
            return self._summaries(uow, actor, [case_row(c) for c in cases], tz)

    def my_cases(
        self, actor: Actor, *, date_from: date | None = None, date_to: date | None = None
    ) -> list[CaseSummary]:
        """Cases whose care team the actor is on, by department dates (inclusive)."""
        self.require(actor, Action.SEE_BOARD, what="list cases")
        if actor.user_id is None:
            return []
        with self.uow(read_only=True) as uow:
            tz = self.department_zone(uow)
            start, end = date_range(date_from, date_to, tz)
            cases = uow.cases.search(start=start, end=end, member_user_id=actor.user_id)
            return self._summaries(uow, actor, [case_row(c) for c in cases], tz)

    def board(self, actor: Actor, start: datetime, end: datetime) -> BoardSnapshot:
        """Rooms, closures and cases of a window in one read, and the queue. Cancelled
        cases are left out; conflict marks are computed among the window's cases."""
        self.require(actor, Action.SEE_BOARD, what="see the board")
        with self.uow(read_only=True) as uow:
            settings = uow.settings.get()
            tz = self.department_zone(uow)
            lo, hi = instant(start, tz, "start"), instant(end, tz, "end")
            if hi <= lo:
                raise BadInput(FieldProblem("end", "must be after the start"))
            if hi - lo > MAX_BOARD_WINDOW:
                raise BadInput(FieldProblem("end", "the board shows at most 62 days"))
            rooms = uow.rooms.all()
            units = uow.equipment.lane_units()
            shown = [s for s in CaseStatus if s is not CaseStatus.CANCELLED]
            cases = uow.cases.rows_in_window(lo, hi, statuses=shown)
            queue = [case_row(c) for c in uow.cases.with_status(QUEUE_STATUSES)]
            # Every case's equipment, the window's and the queue's, in one query.
            holds = uow.holds.of_cases([r.id for r in (*cases, *queue)])
            blocks = self._board_blocks(uow, tz, lo, hi, cases, settings=settings)
            spans = [o.span() for o in blocks]
            return BoardSnapshot(
                window_start=lo, window_end=hi, time_zone=settings.time_zone,
                day_start=settings.day_start, day_end=settings.day_end,
                snap_minutes=settings.snap_minutes,
                rooms=tuple(room_view(r) for r in rooms),
                closures=tuple(closure_view(c)
                               for c in uow.rooms.closures_overlapping(None, lo, hi)),
                cases=tuple(self._summaries(uow, actor, cases, tz, rooms=rooms,
                                            blocks=spans, holds=holds)),
                queue=tuple(self._summaries(uow, actor, queue, tz, rooms=rooms,
                                            holds=holds)),
                blocks=tuple(o.view() for o in blocks),
                equipment_units=board_units(units, rooms),
                equipment_closures=board_closures(uow, units, lo, hi),
            )

    def _board_blocks(self, uow: UnitOfWork, tz: ZoneInfo, lo: datetime, hi: datetime,
                      rows: Sequence[CaseRow] | None, *,
                      settings: m.DepartmentSettings | None = None) -> list[Occurrence]:
        """The block occurrences meeting [lo, hi): the days it covers, expanded with the
        window's own case rows (plus, for a window not on day bounds, the cases of the
        rest of those days, so each occurrence's use and rule release are whole); rows
        None: the days' cases are read."""
        first = lo.astimezone(tz).date()
        last = (hi - timedelta(microseconds=1)).astimezone(tz).date()
        found = block_infos(uow, first, last, default_release_days=(
            settings.block_release_days if settings is not None else None))
        if not found:
            return []
        if rows is None:
            return [o for o in read_occurrences(uow, tz, first, last, found, self.now())
                    if o.start < hi and o.end > lo]
        spans = {r.id: CaseSpan(r.id, r.room_id, r.lead_surgeon_user_id, r.specialty,
                                *counted_times(r.status, r.scheduled_start, r.scheduled_end,
                                               r.actual_start, r.actual_end))
                 for r in rows if r.room_id is not None and r.scheduled_start is not None
                 and r.scheduled_end is not None and r.status in BLOCK_CASE_STATUSES}
        day_lo, day_hi = utc_days(first, last, tz)
        for edge_lo, edge_hi in ((day_lo, lo), (hi, day_hi)):
            if edge_lo < edge_hi:
                spans.update((c.id, c) for c in uow.blocks.case_spans(edge_lo, edge_hi))
        return [o for o in read_occurrences(uow, tz, first, last, found, self.now(),
                                            cases=spans.values())
                if o.start < hi and o.end > lo]

    def summaries_by_ids(self, actor: Actor, case_ids: Iterable[int]) -> list[CaseSummary]:
        """These cases as the board shows them, masked for the actor like ``board()``;
        ids that no longer exist are left out. Conflict marks are computed against every
        case overlapping them (not only among themselves), so they are the marks the case
        has now. Cancelled cases are included: the caller drops them from its board."""
        self.require(actor, Action.SEE_BOARD, what="see the board")
        with self.uow(read_only=True) as uow:
            tz = self.department_zone(uow)
            rows = uow.cases.rows_by_ids(set(case_ids))
            spans = [(r.scheduled_start, r.scheduled_end) for r in rows
                     if r.status in OCCUPYING_STATUSES]
            context: list[CaseRow] = list(rows)
            times = [(s, e) for s, e in spans if s is not None and e is not None]
            blocks: list[BlockSpan] = []
            if times:
                lo, hi = min(s for s, _ in times), max(e for _, e in times)
                mine = {r.id for r in rows}
                context += [r for r in uow.cases.rows_in_window(
                    lo, hi, statuses=OCCUPYING_STATUSES) if r.id not in mine]
                # The other_block mark as the board's load gives it.
                blocks = [o.span() for o in self._board_blocks(uow, tz, lo, hi, None)]
            ids = [r.id for r in rows]
            rights = rights_of_rows(uow, actor, rows)
            progress = uow.cases.checklist_progress(ids) if ids else {}
            marks = self._marks(uow, context, tz, None, blocks)
            holds = uow.holds.of_cases(ids)
            return [
                row_summary(r, rights=rights[r.id], progress=progress.get(r.id, (0, 0)),
                            conflicts=with_equipment_mark(marks.get(r.id, ()), r.status,
                                                          holds.get(r.id, ())),
                            equipment=holds.get(r.id, ()))
                for r in rows
            ]

    def _summaries(
        self, uow: UnitOfWork, actor: Actor, rows: Sequence[CaseRow], tz: ZoneInfo,
        *, rooms: Sequence[m.OperatingRoom] | None = None, blocks: Sequence[BlockSpan] = (),
        holds: Mapping[int, Sequence[HoldRow]] | None = None,
    ) -> list[CaseSummary]:
        """Summaries of many cases in a fixed number of queries (no query per case);
        ``blocks``: the window's block occurrences, for the ``other_block`` mark;
        ``holds``: the cases' equipment when already read (else one query)."""
        ids = [r.id for r in rows]
        rights = rights_of_rows(uow, actor, rows)
        progress = uow.cases.checklist_progress(ids) if ids else {}
        marks = self._marks(uow, rows, tz, rooms, blocks)
        if holds is None:
            holds = uow.holds.of_cases(ids)  # one query for every case's equipment
        return [
            row_summary(r, rights=rights[r.id], progress=progress.get(r.id, (0, 0)),
                        conflicts=with_equipment_mark(marks.get(r.id, ()), r.status,
                                                      holds.get(r.id, ())),
                        equipment=holds.get(r.id, ()))
            for r in rows
        ]

    def rights_for(self, actor: Actor, case_numbers: Iterable[str]) -> dict[str, CaseRights]:
        """What ``actor`` may do now with each of these cases, by case number (numbers
        that name no case are left out). For a wall display unlocked by a scheduler: its
        summaries were read as the device, the scheduler's rights are asked here."""
        self.require(actor, Action.SEE_BOARD, what="see the board")
        numbers = {n.strip() for n in case_numbers if n and n.strip()}
        if not numbers:
            return {}
        with self.uow(read_only=True) as uow:
            rows = uow.cases.rows_by_ids(c.id for c in uow.cases.by_numbers(numbers))
            rights = rights_of_rows(uow, actor, rows)
            return {r.case_number: rights[r.id] for r in rows}

    @staticmethod
    def _marks(
        uow: UnitOfWork, rows: Sequence[CaseRow], tz: ZoneInfo,
        rooms: Sequence[m.OperatingRoom] | None, blocks: Sequence[BlockSpan] = (),
    ) -> dict[int, tuple[str, ...]]:
        timed = [(r, r.scheduled_start, r.scheduled_end) for r in rows
                 if r.status in OCCUPYING_STATUSES]
        if not timed:
            return {}
        teams = uow.cases.team_user_ids(r.id for r, _, _ in timed)
        placed = [
            PlacedCase(
                case_id=r.id, room_id=r.room_id, start=start, end=end,
                specialty=r.specialty, patient_id=r.patient_id,
                lead_user_id=r.lead_surgeon_user_id, anesthetist_user_id=r.anesthetist_user_id,
                team_user_ids=tuple(teams[r.id]),
            )
            for r, start, end in timed
            if start is not None and end is not None
        ]
        rules = {
            r.id: RoomRules(tuple(r.specialty_tags), r.opens_at, r.closes_at, tuple(r.weekdays))
            for r in (rooms if rooms is not None else uow.rooms.all())
        }
        return window_conflicts(placed, rules, tz, blocks)

    def history(self, actor: Actor, case_number: str) -> list[AuditEntry]:
        """The case's audit trail, newest first (admin and scheduler)."""
        self.require(actor, Action.READ_AUDIT, what="read the audit log")
        with self.uow(read_only=True) as uow:
            case = find_case(uow, case_number)
            return [
                AuditEntry(
                    id=e.id, event_time=e.event_time,
                    actor=e.actor.username if e.actor else None,
                    actor_name=e.actor.display_name if e.actor else None,
                    action=e.action, target_class=e.target_class, target_id=e.target_id,
                    details=dict(e.details),
                )
                for e in uow.audit.for_target("SurgeryCase", case.id)
            ]

    def day_sheet(self, actor: Actor, day: date) -> list[CaseDetail]:
        """Every case of a department day that holds a room or ran (not cancelled, not
        requested), in full, as the printed day list shows them. A sheet that shows any
        patient is audited once (``print_day_list``): printing discloses like opening."""
        self.require(actor, Action.SEE_BOARD, what="see cases")
        with self.uow() as uow:
            tz = self.department_zone(uow)
            start, end = date_range(day, day, tz, ("day", "day"))
            cases = uow.cases.search(start=start, end=end)
            details = [self._detail(uow, actor, c) for c in cases
                       if c.status not in (CaseStatus.CANCELLED, CaseStatus.REQUESTED)
                       and c.operating_room_id is not None]
            shown = [d.case.case_number for d in details if not d.case.patient_masked]
            if shown:
                uow.audit.record(actor_id=actor.user_id, action="print_day_list",
                                 target_class="DayList", target_id=None,
                                 details={"day": day.isoformat(), "case_numbers": shown},
                                 at=self.now())
                uow.commit()
            return details

    def record_downtime_print(
        self,
        actor: Actor,
        day: date,
        printed_at: datetime,
        shows_patients: bool,
        case_count: int,
        *,
        case_numbers: Sequence[str] = (),
        op_id: str | None = None,
    ) -> bool:
        """Audit a day list printed (or saved as PDF) during an outage from what an open
        board held — no database call was possible then, so the window keeps this and
        writes it once the database is back.

        The same action as a live print (``print_day_list``), with ``downtime: true``,
        when it was printed, whether it showed patients, how many cases it listed and
        the numbers of those whose patient it showed (case numbers only, never a patient
        name or id). Recorded even when every patient was masked: a paper copy of stale
        data went round. Idempotent by ``op_id``: True when recorded now, False when that
        operation was already recorded."""
        self.require(actor, Action.SEE_BOARD, what="print day lists")
        if not isinstance(day, date) or isinstance(day, datetime):
            raise BadInput(FieldProblem("day", "must be a date"))
        check_date(day, "day")
        if printed_at.tzinfo is None or printed_at.utcoffset() is None:
            raise BadInput(FieldProblem("printed_at", "needs a time zone (an instant)"))
        check_date(printed_at.date(), "printed_at")
        if case_count < 0:
            raise BadInput(FieldProblem("case_count", "may not be negative"))
        shown = [number.strip() for number in case_numbers]
        if any(not number or len(number) > NAME_MAX for number in shown):
            raise BadInput(FieldProblem("case_numbers", "holds an empty or too long number"))
        if len(shown) > case_count:
            raise BadInput(FieldProblem("case_numbers", "more than case_count"))
        details = {"day": day.isoformat(), "downtime": True,
                   "printed_at": printed_at.astimezone(UTC).isoformat(),
                   "shows_patients": bool(shows_patients), "case_count": case_count,
                   "case_numbers": shown}
        with self.uow() as uow, self.operation(uow, op_id, "print_day_list") as claim:
            if not claim.replay:
                self._record_print(uow, actor, "print_day_list", "DayList", details)
        return not claim.replay

    def _record_print(self, uow: UnitOfWork, actor: Actor, action: str, target_class: str,
                      details: dict[str, Any]) -> None:
        """An audit event of its own (a print or an export: no case is its target), with
        the unit's operation, committed."""
        event = uow.audit.record(actor_id=actor.user_id, action=action,
                                 target_class=target_class, target_id=None, at=self.now(),
                                 details=details)
        uow.flush()
        self.remember_operation(uow, actor, event)
        uow.commit()

    def record_board_export(
        self, actor: Actor, first_day: date, days: int, shows_patients: bool, *,
        op_id: str | None = None,
    ) -> bool:
        """Audit a board written to a file (``surgdesk board --out``): an export that can
        show patients discloses like a printed day list, so it leaves an ``export_board``
        event — the window (first department day, number of days), whether it showed
        patients, how many cases it held and the numbers of those whose patient the actor
        sees (case numbers only, never a patient name or id). Idempotent by ``op_id``:
        True when recorded now, False when that operation was already recorded."""
        self.require(actor, Action.SEE_BOARD, what="export the board")
        if not isinstance(first_day, date) or isinstance(first_day, datetime):
            raise BadInput(FieldProblem("first_day", "must be a date"))
        check_date(first_day, "first_day")
        if isinstance(days, bool) or not isinstance(days, int) \
                or not 1 <= days <= MAX_BOARD_WINDOW.days:
            raise BadInput(FieldProblem("days", f"must be 1 to {MAX_BOARD_WINDOW.days}"))
        with self.uow() as uow, self.operation(uow, op_id, "export_board") as claim:
            if not claim.replay:
                tz = self.department_zone(uow)
                lo = day_bounds(first_day, tz)[0]
                hi = day_bounds(first_day + timedelta(days=days - 1), tz)[1]
                shown = [s for s in CaseStatus if s is not CaseStatus.CANCELLED]
                rows = uow.cases.rows_in_window(lo, hi, statuses=shown)
                rights = rights_of_rows(uow, actor, rows)
                numbers = [r.case_number for r in rows
                           if shows_patients and rights[r.id].see_patient]
                self._record_print(uow, actor, "export_board", "Board", {
                    "first_day": first_day.isoformat(), "days": days,
                    "shows_patients": bool(shows_patients), "case_count": len(rows),
                    "case_numbers": numbers})
        return not claim.replay

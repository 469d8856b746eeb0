"""Queries, one small repository per aggregate. Services call these; they never build SQL."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased, joinedload, selectinload

from surgdesk.domain import models as m
from surgdesk.domain.enums import (
    OCCUPYING_STATUSES,
    CaseStatus,
    ItemStatus,
    Laterality,
    Phase,
    Priority,
    Role,
)
from surgdesk.domain.intervals import MAX_CASE_DURATION


class _Repo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, obj: Any) -> None:
        self.session.add(obj)

    def delete(self, obj: Any) -> None:
        self.session.delete(obj)


def _overlapping(start: datetime, end: datetime) -> Any:
    """Cases whose [start, occupied_until) meets [start, end).

    The lower bound on scheduled_start keeps the query on the (room, start) index: no case
    is longer than MAX_CASE_DURATION, and turnover is at most four hours.
    """
    from datetime import timedelta

    c = m.SurgeryCase
    return and_(
        c.scheduled_start < end,
        c.scheduled_start > start - MAX_CASE_DURATION - timedelta(hours=4),
        func.coalesce(c.occupied_until, c.scheduled_end) > start,
    )


def _visible(start: datetime, end: datetime) -> Any:
    """Cases whose own [scheduled_start, scheduled_end) meets [start, end)."""
    c = m.SurgeryCase
    return and_(
        c.scheduled_start < end,
        c.scheduled_start > start - MAX_CASE_DURATION,
        c.scheduled_end > start,
    )


_CASE_LOAD = (
    joinedload(m.SurgeryCase.operating_room),
    joinedload(m.SurgeryCase.lead_surgeon).joinedload(m.SurgeonProfile.user),
    joinedload(m.SurgeryCase.anesthetist),
)


class CaseRow(NamedTuple):
    """One case as lists and the board show it, read without ORM objects (fast)."""

    id: int
    case_number: str
    version: int
    status: CaseStatus
    priority: Priority
    procedure_name: str
    laterality: Laterality
    specialty: str
    room_id: int | None
    room_code: str | None
    scheduled_start: datetime | None
    scheduled_end: datetime | None
    estimated_duration_min: int
    lead_surgeon_user_id: int
    lead_surgeon_username: str
    lead_surgeon_name: str
    anesthetist_user_id: int | None
    anesthetist_name: str | None
    patient_name: str
    patient_id: str
    patient_dob: date | None
    pre_op_complete: bool
    post_op_complete: bool
    actual_start: datetime | None
    actual_end: datetime | None


def case_row_select() -> Any:
    c, p, room = m.SurgeryCase, m.SurgeonProfile, m.OperatingRoom
    lead, anesthetist = aliased(m.User), aliased(m.User)
    return (
        select(
            c.id, c.case_number, c.version, c.status, c.priority, c.procedure_name,
            c.laterality, c.specialty, c.operating_room_id, room.code, c.scheduled_start,
            c.scheduled_end, c.estimated_duration_min, lead.id, lead.username,
            lead.display_name, c.anesthetist_id, anesthetist.display_name, c.patient_name,
            c.patient_id, c.patient_dob, c.pre_op_complete, c.post_op_complete,
            c.actual_start, c.actual_end,
        )
        .join(p, p.id == c.lead_surgeon_id)
        .join(lead, lead.id == p.user_id)
        .outerjoin(room, room.id == c.operating_room_id)
        .outerjoin(anesthetist, anesthetist.id == c.anesthetist_id)
    )


class CaseRepo(_Repo):
    def rows_in_window(
        self, start: datetime, end: datetime, *, statuses: Iterable[CaseStatus]
    ) -> list[CaseRow]:
        """``in_window`` as plain rows, for the board: one query, no identity map."""
        c = m.SurgeryCase
        stmt = (
            case_row_select()
            .where(_visible(start, end), c.status.in_(list(statuses)))
            .order_by(c.scheduled_start, c.id)
        )
        return [CaseRow(*row) for row in self.session.execute(stmt)]

    def get(self, case_id: int) -> m.SurgeryCase | None:
        return self.session.get(m.SurgeryCase, case_id)

    def by_number(self, case_number: str, *, for_update: bool = False) -> m.SurgeryCase | None:
        """``for_update`` locks the row until commit (Postgres; SQLite's writers are
        serialised anyway), so changes derived from the case's children — a tick turning
        it preop_ready — never work from a state another writer is changing."""
        stmt = select(m.SurgeryCase).where(m.SurgeryCase.case_number == case_number)
        if for_update:
            stmt = stmt.with_for_update()
        return self.session.scalars(stmt).one_or_none()

    def by_numbers(self, numbers: Iterable[str]) -> list[m.SurgeryCase]:
        stmt = select(m.SurgeryCase).where(m.SurgeryCase.case_number.in_(list(numbers)))
        return list(self.session.scalars(stmt))

    def by_ids(self, ids: Iterable[int]) -> list[m.SurgeryCase]:
        stmt = select(m.SurgeryCase).options(*_CASE_LOAD).where(m.SurgeryCase.id.in_(list(ids)))
        return list(self.session.scalars(stmt).unique())

    def with_details(self, case_id: int) -> m.SurgeryCase | None:
        stmt = (
            select(m.SurgeryCase)
            .options(
                *_CASE_LOAD,
                selectinload(m.SurgeryCase.team).joinedload(m.CareTeamMember.user),
                selectinload(m.SurgeryCase.checklists)
                .selectinload(m.Checklist.items)
                .joinedload(m.ChecklistItem.completed_by),
                selectinload(m.SurgeryCase.notes).joinedload(m.CaseNote.author),
            )
            .where(m.SurgeryCase.id == case_id)
        )
        return self.session.scalars(stmt).unique().one_or_none()

    def in_window(
        self,
        start: datetime,
        end: datetime,
        *,
        room_ids: Sequence[int] | None = None,
        statuses: Iterable[CaseStatus] | None = None,
    ) -> list[m.SurgeryCase]:
        """Cases with times that show in [start, end), any status unless narrowed."""
        stmt = select(m.SurgeryCase).options(*_CASE_LOAD).where(_visible(start, end))
        if room_ids is not None:
            stmt = stmt.where(m.SurgeryCase.operating_room_id.in_(list(room_ids)))
        if statuses is not None:
            stmt = stmt.where(m.SurgeryCase.status.in_(list(statuses)))
        stmt = stmt.order_by(m.SurgeryCase.scheduled_start, m.SurgeryCase.id)
        return list(self.session.scalars(stmt).unique())

    def with_status(self, statuses: Iterable[CaseStatus]) -> list[m.SurgeryCase]:
        stmt = (
            select(m.SurgeryCase)
            .options(*_CASE_LOAD)
            .where(m.SurgeryCase.status.in_(list(statuses)))
            .order_by(m.SurgeryCase.created_at, m.SurgeryCase.id)
        )
        return list(self.session.scalars(stmt).unique())

    def room_bookings(
        self, room_id: int, start: datetime, end: datetime, *, exclude_case_id: int | None = None
    ) -> list[m.SurgeryCase]:
        """Cases holding ``room_id`` (turnover included) anywhere in [start, end)."""
        c = m.SurgeryCase
        stmt = select(c).where(
            c.operating_room_id == room_id,
            c.status.in_(list(OCCUPYING_STATUSES)),
            _overlapping(start, end),
        )
        if exclude_case_id is not None:
            stmt = stmt.where(c.id != exclude_case_id)
        return list(self.session.scalars(stmt))

    def people_overlaps(
        self, user_ids: Sequence[int], start: datetime, end: datetime, exclude_case_id: int | None
    ) -> list[tuple[m.SurgeryCase, int]]:
        """(case, user id) for each occupying case overlapping [start, end) that one of
        ``user_ids`` works on — as lead surgeon, anesthetist or team member."""
        if not user_ids:
            return []
        c, t, p = m.SurgeryCase, m.CareTeamMember, m.SurgeonProfile
        window = and_(c.status.in_(list(OCCUPYING_STATUSES)), _visible(start, end))
        if exclude_case_id is not None:
            window = and_(window, c.id != exclude_case_id)
        ids = list(user_ids)
        by_team = select(c, t.user_id).join(t, t.surgery_case_id == c.id).where(
            window, t.user_id.in_(ids)
        )
        by_lead = select(c, p.user_id).join(p, p.id == c.lead_surgeon_id).where(
            window, p.user_id.in_(ids)
        )
        by_anesth = select(c, c.anesthetist_id).where(window, c.anesthetist_id.in_(ids))
        seen: set[tuple[int, int]] = set()
        out: list[tuple[m.SurgeryCase, int]] = []
        for stmt in (by_lead, by_anesth, by_team):
            for case_, uid in self.session.execute(stmt):
                if uid is not None and (case_.id, uid) not in seen:
                    seen.add((case_.id, uid))
                    out.append((case_, uid))
        return out

    def patient_overlaps(
        self, patient_id: str, start: datetime, end: datetime, exclude_case_id: int | None
    ) -> list[m.SurgeryCase]:
        c = m.SurgeryCase
        stmt = select(c).where(
            c.patient_id == patient_id,
            c.status.in_(list(OCCUPYING_STATUSES)),
            _visible(start, end),
        )
        if exclude_case_id is not None:
            stmt = stmt.where(c.id != exclude_case_id)
        return list(self.session.scalars(stmt))

    def on_care_team(self, case_id: int, user_id: int) -> bool:
        stmt = select(m.CareTeamMember.id).where(
            m.CareTeamMember.surgery_case_id == case_id, m.CareTeamMember.user_id == user_id
        )
        return self.session.scalars(stmt).first() is not None

    def care_team_case_ids(self, user_id: int, case_ids: Iterable[int]) -> set[int]:
        stmt = select(m.CareTeamMember.surgery_case_id).where(
            m.CareTeamMember.user_id == user_id,
            m.CareTeamMember.surgery_case_id.in_(list(case_ids)),
        )
        return set(self.session.scalars(stmt))

    def checklist_progress(self, case_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
        """case id -> (required items done, required items), over both phases."""
        ch, it = m.Checklist, m.ChecklistItem
        stmt = (
            select(
                ch.surgery_case_id,
                func.sum(case((it.status == ItemStatus.DONE, 1), else_=0)),
                func.count(it.id),
            )
            .join(it, it.checklist_id == ch.id)
            .where(ch.surgery_case_id.in_(list(case_ids)), it.is_required.is_(True))
            .group_by(ch.surgery_case_id)
        )
        rows = self.session.execute(stmt)
        return {cid: (int(done or 0), int(total)) for cid, done, total in rows}

    def next_case_number(self, year: int) -> str:
        """Hand out the next number of ``year``; the counter row is locked until commit."""
        counter = m.CaseNumberCounter
        # The year's row may not exist yet, and two PCs may create the year's first case
        # at once: insert it if missing (a loser of that race simply finds it), then bump.
        dialect = self.session.get_bind().dialect.name
        make_insert: Any = sqlite_insert
        if dialect == "postgresql":
            # Imported here: the Postgres dialect costs a SQLite command line ~35 ms.
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            make_insert = pg_insert
        now = datetime.now(UTC)
        self.session.execute(
            make_insert(counter)
            .values(year=year, last_number=0, created_at=now, updated_at=now)
            .on_conflict_do_nothing(index_elements=["year"])
        )
        stmt = (
            update(counter)
            .where(counter.year == year)
            .values(last_number=counter.last_number + 1)
            .returning(counter.last_number)
        )
        number = self.session.execute(stmt).scalar_one()
        return f"{year}-{number:06d}"

    def count(self) -> int:
        return int(self.session.scalar(select(func.count(m.SurgeryCase.id))) or 0)

    def search(
        self,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        room_ids: Sequence[int] | None = None,
        statuses: Iterable[CaseStatus] | None = None,
        member_user_id: int | None = None,
    ) -> list[m.SurgeryCase]:
        """Cases for lists: with a bound, only cases whose own times meet [start, end)
        (open ends unbounded); ordered by start (unplaced last), then number."""
        c = m.SurgeryCase
        stmt = select(c).options(*_CASE_LOAD)
        if start is not None or end is not None:
            stmt = stmt.where(c.scheduled_start.is_not(None), c.scheduled_end.is_not(None))
        if end is not None:
            stmt = stmt.where(c.scheduled_start < end)
        if start is not None:
            stmt = stmt.where(c.scheduled_end > start)
        if room_ids is not None:
            stmt = stmt.where(c.operating_room_id.in_(list(room_ids)))
        if statuses is not None:
            stmt = stmt.where(c.status.in_(list(statuses)))
        if member_user_id is not None:
            members = select(m.CareTeamMember.surgery_case_id).where(
                m.CareTeamMember.user_id == member_user_id
            )
            stmt = stmt.where(c.id.in_(members))
        stmt = stmt.order_by(c.scheduled_start.is_(None), c.scheduled_start, c.case_number)
        return list(self.session.scalars(stmt).unique())

    def team_user_ids(self, case_ids: Iterable[int]) -> dict[int, list[int]]:
        """case id -> user ids of its care team, in one query (board conflict marks)."""
        t = m.CareTeamMember
        ids = list(case_ids)
        out: dict[int, list[int]] = {cid: [] for cid in ids}
        if not ids:
            return out
        stmt = select(t.surgery_case_id, t.user_id).where(t.surgery_case_id.in_(ids))
        for cid, uid in self.session.execute(stmt):
            out[cid].append(uid)
        return out

    def rows_by_ids(self, ids: Iterable[int]) -> list[CaseRow]:
        """Cases by id as plain rows (the live board re-reads what others changed)."""
        wanted = list(ids)
        if not wanted:
            return []
        stmt = case_row_select().where(m.SurgeryCase.id.in_(wanted)).order_by(m.SurgeryCase.id)
        return [CaseRow(*row) for row in self.session.execute(stmt)]

    def owning_case_ids(
        self, *, checklist_ids: Iterable[int] = (), item_ids: Iterable[int] = (),
        member_ids: Iterable[int] = (),
    ) -> set[int]:
        """The cases that checklists, checklist items and care-team rows belong to (rows
        that no longer exist name no case)."""
        ch, it, t = m.Checklist, m.ChecklistItem, m.CareTeamMember
        found: set[int] = set()
        if checklists := list(checklist_ids):
            found |= set(self.session.scalars(
                select(ch.surgery_case_id).where(ch.id.in_(checklists))))
        if items := list(item_ids):
            found |= set(self.session.scalars(
                select(ch.surgery_case_id).join(it, it.checklist_id == ch.id)
                .where(it.id.in_(items))))
        if members := list(member_ids):
            found |= set(self.session.scalars(
                select(t.surgery_case_id).where(t.id.in_(members))))
        return found

    def team_member(self, case_id: int, user_id: int) -> m.CareTeamMember | None:
        t = m.CareTeamMember
        stmt = (
            select(t)
            .options(joinedload(t.user))
            .where(t.surgery_case_id == case_id, t.user_id == user_id)
        )
        return self.session.scalars(stmt).one_or_none()


class RoomRepo(_Repo):
    def get(self, room_id: int) -> m.OperatingRoom | None:
        return self.session.get(m.OperatingRoom, room_id)

    def by_code(self, code: str) -> m.OperatingRoom | None:
        stmt = select(m.OperatingRoom).where(func.upper(m.OperatingRoom.code) == code.upper())
        return self.session.scalars(stmt).one_or_none()

    def lock(self, room: m.OperatingRoom) -> None:
        """Lock the room's row until commit and re-read it (Postgres; SQLite serialises
        writers anyway): a booking then sees the turnover a concurrent edit committed,
        and an edit waits for the booking."""
        self.session.refresh(room, with_for_update=True)

    def all(self) -> list[m.OperatingRoom]:
        stmt = select(m.OperatingRoom).order_by(m.OperatingRoom.code)
        return list(self.session.scalars(stmt))

    def closures_overlapping(
        self, room_id: int | None, start: datetime, end: datetime
    ) -> list[m.RoomClosure]:
        rc = m.RoomClosure
        stmt = select(rc).where(rc.starts_at < end, rc.ends_at > start)
        if room_id is not None:
            stmt = stmt.where(rc.room_id == room_id)
        return list(self.session.scalars(stmt.order_by(rc.starts_at)))

    def closure(self, closure_id: int) -> m.RoomClosure | None:
        return self.session.get(m.RoomClosure, closure_id)

    def closures(
        self, room_id: int | None, start: datetime | None, end: datetime | None
    ) -> list[m.RoomClosure]:
        """Closures of a room (or all rooms) meeting [start, end); open ends unbounded."""
        rc = m.RoomClosure
        stmt = select(rc)
        if room_id is not None:
            stmt = stmt.where(rc.room_id == room_id)
        if end is not None:
            stmt = stmt.where(rc.starts_at < end)
        if start is not None:
            stmt = stmt.where(rc.ends_at > start)
        return list(self.session.scalars(stmt.order_by(rc.starts_at, rc.id)))

    def occupying_cases(
        self, room_id: int, start: datetime | None = None, end: datetime | None = None
    ) -> list[m.SurgeryCase]:
        """Cases holding this room (scheduled, pre-op ready, in progress), by start;
        with a window, only those whose own times meet [start, end)."""
        c = m.SurgeryCase
        stmt = select(c).where(
            c.operating_room_id == room_id,
            c.status.in_(list(OCCUPYING_STATUSES)),
            c.scheduled_start.is_not(None),
            c.scheduled_end.is_not(None),
        )
        if start is not None and end is not None:
            stmt = stmt.where(_visible(start, end))
        return list(self.session.scalars(stmt.order_by(c.scheduled_start, c.id)))


class UserRepo(_Repo):
    def get(self, user_id: int) -> m.User | None:
        return self.session.get(m.User, user_id)

    def by_username(self, username: str) -> m.User | None:
        stmt = select(m.User).where(func.lower(m.User.username) == username.lower())
        return self.session.scalars(stmt).one_or_none()

    def by_email(self, email: str) -> m.User | None:
        stmt = select(m.User).where(func.lower(m.User.email) == email.lower())
        return self.session.scalars(stmt).one_or_none()

    def count(self) -> int:
        return int(self.session.scalar(select(func.count(m.User.id))) or 0)

    def all(self) -> list[m.User]:
        return list(self.session.scalars(select(m.User).order_by(m.User.username)))

    def active_with_roles(self, roles: Iterable[Role]) -> list[m.User]:
        stmt = (
            select(m.User)
            .where(m.User.active.is_(True), m.User.role.in_(list(roles)))
            .order_by(m.User.display_name)
        )
        return list(self.session.scalars(stmt))

    def surgeon_profile(self, user_id: int) -> m.SurgeonProfile | None:
        stmt = select(m.SurgeonProfile).where(m.SurgeonProfile.user_id == user_id)
        return self.session.scalars(stmt).one_or_none()

    def session_by_token_hash(self, token_hash: str) -> m.UserSession | None:
        stmt = (
            select(m.UserSession)
            .options(joinedload(m.UserSession.user))
            .where(m.UserSession.token_hash == token_hash)
        )
        return self.session.scalars(stmt).one_or_none()

    def revoke_sessions(
        self, user_id: int, at: datetime, *, keep_token_hash: str | None = None
    ) -> None:
        stmt = (
            update(m.UserSession)
            .where(m.UserSession.user_id == user_id, m.UserSession.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        if keep_token_hash is not None:
            stmt = stmt.where(m.UserSession.token_hash != keep_token_hash)
        self.session.execute(stmt, execution_options={"synchronize_session": False})

    # Login bookkeeping is written straight to the row, without bumping ``version``: an
    # admin editing the user must not be told "changed meanwhile" because they logged in.

    def count_failed_login(self, user_id: int) -> int:
        """Add one failure atomically (two PCs failing at once both count); the new count."""
        stmt = (
            update(m.User)
            .where(m.User.id == user_id)
            .values(failed_logins=m.User.failed_logins + 1)
            .returning(m.User.failed_logins)
        )
        result = self.session.execute(stmt, execution_options={"synchronize_session": False})
        return int(result.scalar_one())

    def set_login_state(
        self, user_id: int, *, failed_logins: int, locked_until: datetime | None
    ) -> None:
        stmt = (
            update(m.User)
            .where(m.User.id == user_id)
            .values(failed_logins=failed_logins, locked_until=locked_until)
        )
        self.session.execute(stmt, execution_options={"synchronize_session": False})

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        stmt = update(m.User).where(m.User.id == user_id).values(password_hash=password_hash)
        self.session.execute(stmt, execution_options={"synchronize_session": False})

    def pending_requests(self) -> list[m.User]:
        """Access requests: accounts without a role yet."""
        stmt = select(m.User).where(m.User.role.is_(None)).order_by(m.User.created_at)
        return list(self.session.scalars(stmt))

    def active_admin_count(self) -> int:
        stmt = select(func.count(m.User.id)).where(
            m.User.active.is_(True), m.User.role == Role.ADMIN
        )
        return int(self.session.scalar(stmt) or 0)


class ChecklistRepo(_Repo):
    def templates_for(self, phase: Phase, specialty: str | None) -> m.ChecklistTemplate | None:
        """The active template of a phase: the specialty's own, else the general one."""
        t = m.ChecklistTemplate
        stmt = (
            select(t)
            .options(selectinload(t.items))
            .where(t.phase == phase, t.active.is_(True))
            .where(or_(t.specialty.is_(None), func.lower(t.specialty) == (specialty or "").lower()))
            .order_by(t.specialty.is_(None), t.id)
        )
        return self.session.scalars(stmt).first()

    def all_templates(self) -> list[m.ChecklistTemplate]:
        t = m.ChecklistTemplate
        stmt = select(t).options(selectinload(t.items)).order_by(t.phase, t.specialty, t.id)
        return list(self.session.scalars(stmt))

    def template(self, template_id: int) -> m.ChecklistTemplate | None:
        t = m.ChecklistTemplate
        stmt = select(t).options(selectinload(t.items)).where(t.id == template_id)
        return self.session.scalars(stmt).one_or_none()

    def template_item(self, item_id: int) -> m.TemplateItem | None:
        stmt = (
            select(m.TemplateItem)
            .options(joinedload(m.TemplateItem.template).selectinload(m.ChecklistTemplate.items))
            .where(m.TemplateItem.id == item_id)
        )
        return self.session.scalars(stmt).unique().one_or_none()

    def active_template(self, phase: Phase, specialty: str | None) -> m.ChecklistTemplate | None:
        """The active template of exactly this phase and specialty (None: the general one)."""
        t = m.ChecklistTemplate
        stmt = select(t).where(t.phase == phase, t.active.is_(True))
        if specialty is None:
            stmt = stmt.where(t.specialty.is_(None))
        else:
            stmt = stmt.where(func.lower(t.specialty) == specialty.lower())
        return self.session.scalars(stmt.order_by(t.id)).first()

    def for_case(self, case_id: int) -> list[m.Checklist]:
        ch = m.Checklist
        stmt = (
            select(ch)
            .options(
                selectinload(ch.items).joinedload(m.ChecklistItem.completed_by),
                selectinload(ch.items).joinedload(m.ChecklistItem.assigned_to),
                joinedload(ch.signed_off_by),
            )
            .where(ch.surgery_case_id == case_id)
            .order_by(ch.phase)
        )
        return list(self.session.scalars(stmt).unique())


class AuditRepo(_Repo):
    def record(
        self,
        *,
        actor_id: int | None,
        action: str,
        target_class: str,
        target_id: int | None,
        details: dict[str, Any],
        at: datetime,
    ) -> m.AuditEvent:
        event = m.AuditEvent(
            actor_id=actor_id,
            action=action,
            target_class=target_class,
            target_id=target_id,
            details=details,
            event_time=at,
            created_at=at,
            updated_at=at,
        )
        self.session.add(event)
        return event

    def for_target(self, target_class: str, target_id: int) -> list[m.AuditEvent]:
        a = m.AuditEvent
        stmt = (
            select(a)
            .options(joinedload(a.actor))
            .where(a.target_class == target_class, a.target_id == target_id)
            .order_by(a.event_time.desc(), a.id.desc())
        )
        return list(self.session.scalars(stmt))

    def recent(self, limit: int = 200, action: str | None = None) -> list[m.AuditEvent]:
        a = m.AuditEvent
        stmt = select(a).options(joinedload(a.actor)).order_by(a.id.desc()).limit(limit)
        if action is not None:
            stmt = stmt.where(a.action == action)
        return list(self.session.scalars(stmt))


class OperationRepo(_Repo):
    def find(self, op_id: str) -> m.AppliedOperation | None:
        stmt = select(m.AppliedOperation).where(m.AppliedOperation.op_id == op_id)
        return self.session.scalars(stmt).one_or_none()

    def record(self, *, op_id: str, actor_id: int | None, action: str, target_class: str,
               target_id: int | None) -> None:
        self.session.add(m.AppliedOperation(op_id=op_id, actor_id=actor_id, action=action,
                                            target_class=target_class, target_id=target_id))


class SettingsRepo(_Repo):
    def get(self) -> m.DepartmentSettings:
        settings = self.session.get(m.DepartmentSettings, 1)
        if settings is None:
            raise LookupError("department settings row missing: run `surgdesk db upgrade`")
        return settings

"""Rooms, turnover and dated closures — on SQLite and on Postgres."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from surgdesk.domain import models as m
from surgdesk.domain.enums import CaseStatus, Role, RoomStatus
from surgdesk.errors import BadInput, Duplicate, NotFound, RoomConflict, StaleVersion
from surgdesk.repository.database import Database
from surgdesk.services.context import Actor
from surgdesk.services.rooms import RoomService
from tests.services.staff import add_staff, bootstrap_admin

# Department zone of the test databases: Europe/Berlin (CET in winter, CEST in summer).
MONDAY = datetime(2026, 1, 12, tzinfo=UTC)


@pytest.fixture
def admin(db: Database) -> Actor:
    return bootstrap_admin(db)


@pytest.fixture
def rooms(db: Database) -> RoomService:
    return RoomService(db)


def _audit(db: Database, action: str) -> list[m.AuditEvent]:
    with db.new_session() as s:
        stmt = select(m.AuditEvent).where(m.AuditEvent.action == action).order_by(m.AuditEvent.id)
        return list(s.scalars(stmt))


def _case(db: Database, room_code: str, number: str, start: datetime, minutes: int, *,
          status: CaseStatus = CaseStatus.SCHEDULED) -> None:
    """A case straight through the ORM (the case service is not under test here)."""
    with db.new_session() as s:
        room = s.scalars(select(m.OperatingRoom).where(m.OperatingRoom.code == room_code)).one()
        surgeon = s.scalars(select(m.SurgeonProfile)).first()
        assert surgeon is not None
        end = start + timedelta(minutes=minutes)
        s.add(m.SurgeryCase(
            case_number=number, patient_name="Test Patient", patient_id=f"MRN-{number}",
            procedure_name="Knee arthroscopy", specialty="orthopedics", status=status,
            scheduled_start=start, scheduled_end=end,
            occupied_until=end + timedelta(minutes=room.turnover_minutes),
            estimated_duration_min=minutes, operating_room_id=room.id,
            lead_surgeon_id=surgeon.id,
        ))
        s.commit()


def _occupied_until(db: Database, number: str) -> datetime | None:
    with db.new_session() as s:
        stmt = select(m.SurgeryCase.occupied_until).where(m.SurgeryCase.case_number == number)
        return s.scalars(stmt).one()


# -- adding and changing rooms ------------------------------------------------------------


def test_add_room_with_defaults_and_audit(db, admin, rooms):
    view = rooms.add_room(admin, code="OR1", name="Theatre 1", specialty_tags=["Ortho", "ortho "])
    assert view.turnover_minutes == 30
    assert view.opens_at == time(7)
    assert view.closes_at == time(19)
    assert view.weekdays == (0, 1, 2, 3, 4)
    assert view.specialty_tags == ("Ortho",)
    assert view.status is RoomStatus.ACTIVE
    assert [r.code for r in rooms.list_rooms(admin)] == ["OR1"]
    (event,) = _audit(db, "add_room")
    assert event.details["code"] == {"before": None, "after": "OR1"}
    assert event.details["opens_at"]["after"] == "07:00:00"


def test_one_tag_given_as_text_is_one_tag(db, admin, rooms):
    assert rooms.add_room(admin, code="OR1", name="T1", specialty_tags="Cardiac").specialty_tags \
        == ("Cardiac",)
    assert rooms.update_room(admin, "OR1", specialty_tags="Ortho").specialty_tags == ("Ortho",)
    assert rooms.update_room(admin, "OR1", specialty_tags=[]).specialty_tags == ()


def test_room_code_is_unique_whatever_the_case(db, admin, rooms):
    rooms.add_room(admin, code="OR1", name="Theatre 1")
    with pytest.raises(Duplicate) as err:
        rooms.add_room(admin, code="or1", name="Another")
    assert err.value.field == "code"
    rooms.add_room(admin, code="OR2", name="Theatre 2")
    with pytest.raises(Duplicate):
        rooms.update_room(admin, "OR2", code="Or1")


BAD_ROOMS = [
    ("code", {"code": ""}),
    ("code", {"code": "X" * 33}),
    ("code", {"code": "OR#1"}),
    ("name", {"name": "  "}),
    ("name", {"name": "tab\there"}),
    ("turnover_minutes", {"turnover_minutes": -1}),
    ("turnover_minutes", {"turnover_minutes": 241}),
    ("closes_at", {"opens_at": time(19), "closes_at": time(7)}),
    ("weekdays", {"weekdays": (7,)}),
    ("weekdays", {"weekdays": ()}),
    ("specialty_tags", {"specialty_tags": ("",)}),
    ("status", {"status": "demolished"}),
]


def test_bad_room_fields_are_named_and_nothing_is_written(db, admin, rooms):
    for field, changes in BAD_ROOMS:
        fields = {"code": "OR1", "name": "Theatre 1", **changes}
        with pytest.raises(BadInput) as err:
            rooms.add_room(admin, **fields)
        assert err.value.field == field, f"{changes}: {err.value}"
    assert rooms.list_rooms(admin) == []


def test_equal_hours_are_a_room_open_round_the_clock(db, admin, rooms):
    # The demo writes emergency rooms open 00:00-00:00; editing one used to be refused
    # ("closes_at must be after opens_at"), so a room that never closes was not expressible.
    rooms.add_room(admin, code="ER1", name="Emergency 1", opens_at=time(0), closes_at=time(0),
                   weekdays=range(7))
    edited = rooms.update_room(admin, "ER1", name="Emergency theatre 1")
    assert (edited.opens_at, edited.closes_at) == (time(0), time(0))
    assert rooms.update_room(admin, "ER1", opens_at=time(8), closes_at=time(8)).opens_at \
        == time(8)


def test_update_room_changes_only_what_is_given(db, admin, rooms):
    view = rooms.add_room(admin, code="OR1", name="Theatre 1", location="Level 2")
    updated = rooms.update_room(admin, "or1", status=RoomStatus.MAINTENANCE,
                                opens_at=time(6, 30), expected_version=view.version)
    assert updated.status is RoomStatus.MAINTENANCE
    assert updated.opens_at == time(6, 30)
    assert updated.name == "Theatre 1"
    assert updated.location == "Level 2"
    assert updated.version == view.version + 1
    (event,) = _audit(db, "update_room")
    assert set(event.details) == {"status", "opens_at"}
    with pytest.raises(StaleVersion):
        rooms.update_room(admin, "OR1", name="Stale", expected_version=view.version)


def test_update_room_names_unknown_fields(db, admin, rooms):
    rooms.add_room(admin, code="OR1", name="Theatre 1")
    with pytest.raises(BadInput) as err:
        rooms.update_room(admin, "OR1", colour="blue")
    assert err.value.field == "colour"


def test_unknown_room_is_not_found(db, admin, rooms):
    with pytest.raises(NotFound) as err:
        rooms.update_room(admin, "OR9", name="Nope")
    assert err.value.field == "room"


# -- turnover ---------------------------------------------------------------------------


@pytest.fixture
def two_cases(db: Database, admin: Actor, rooms: RoomService) -> None:
    """OR1 (turnover 30): A 08:00-10:00 holds it to 10:30; B starts 10:45."""
    add_staff(db, admin, Role.SURGEON)
    rooms.add_room(admin, code="OR1", name="Theatre 1")
    day = MONDAY + timedelta(hours=7)  # 08:00 in Berlin
    _case(db, "OR1", "A", day, 120)
    _case(db, "OR1", "B", day + timedelta(minutes=165), 60)


def test_turnover_change_retimes_the_occupying_cases(db, admin, rooms, two_cases):
    rooms.update_room(admin, "OR1", turnover_minutes=45)
    a_end = MONDAY + timedelta(hours=9)
    assert _occupied_until(db, "A") == a_end + timedelta(minutes=45)
    assert _occupied_until(db, "B") == a_end + timedelta(minutes=105 + 45)


def test_turnover_change_that_makes_cases_overlap_is_refused(db, admin, rooms, two_cases):
    with pytest.raises(RoomConflict, match="A and B"):
        rooms.update_room(admin, "OR1", turnover_minutes=60)
    assert rooms.get_room(admin, "OR1").turnover_minutes == 30
    assert _occupied_until(db, "A") == MONDAY + timedelta(hours=9, minutes=30)
    assert _audit(db, "update_room") == []


def test_turnover_change_leaves_finished_and_unbooked_cases_alone(db, admin, rooms, two_cases):
    _case(db, "OR1", "DONE", MONDAY - timedelta(days=1), 60, status=CaseStatus.COMPLETED)
    before = _occupied_until(db, "DONE")
    # A completed case right before A would clash with a long turnover: it does not count.
    rooms.update_room(admin, "OR1", turnover_minutes=45)
    assert _occupied_until(db, "DONE") == before


# -- closures ----------------------------------------------------------------------------


def test_closure_times_without_offset_are_department_time(db, admin, rooms):
    rooms.add_room(admin, code="OR1", name="Theatre 1")
    closure = rooms.add_closure(admin, "OR1", starts_at=datetime(2026, 7, 1, 8),
                                ends_at=datetime(2026, 7, 1, 12), reason="deep clean")
    assert closure.starts_at == datetime(2026, 7, 1, 6, tzinfo=UTC)  # CEST = UTC+2
    assert closure.ends_at == datetime(2026, 7, 1, 10, tzinfo=UTC)
    (event,) = _audit(db, "add_closure")
    assert event.details["room"] == "OR1"
    assert event.details["reason"]["after"] == "deep clean"


@pytest.mark.parametrize(
    ("field", "start", "end"),
    [
        ("starts_at", datetime(2026, 3, 29, 2, 30), datetime(2026, 3, 29, 6)),  # gap
        ("ends_at", datetime(2026, 3, 29, 0, 0), datetime(2026, 3, 29, 2, 15)),  # gap
        ("starts_at", datetime(2026, 10, 25, 2, 30), datetime(2026, 10, 25, 6)),  # fold
        ("ends_at", datetime(2026, 7, 1, 12), datetime(2026, 7, 1, 8)),  # backwards
        ("ends_at", datetime(2026, 7, 1, 8), datetime(2026, 7, 1, 8)),  # empty
    ],
)
def test_closure_with_impossible_times_is_bad_input(db, admin, rooms, field, start, end):
    rooms.add_room(admin, code="OR1", name="Theatre 1")
    with pytest.raises(BadInput) as err:
        rooms.add_closure(admin, "OR1", starts_at=start, ends_at=end, reason="works")
    assert err.value.field == field, str(err.value)
    assert rooms.closures(admin) == []


def test_closure_needs_a_reason(db, admin, rooms):
    rooms.add_room(admin, code="OR1", name="Theatre 1")
    with pytest.raises(BadInput) as err:
        rooms.add_closure(admin, "OR1", starts_at=datetime(2026, 7, 1, 8),
                          ends_at=datetime(2026, 7, 1, 9), reason=" ")
    assert err.value.field == "reason"


def test_closures_are_listed_by_room_and_window_and_removed(db, admin, rooms):
    rooms.add_room(admin, code="OR1", name="Theatre 1")
    rooms.add_room(admin, code="OR2", name="Theatre 2")
    first = rooms.add_closure(admin, "OR1", starts_at=datetime(2026, 7, 1, 8),
                              ends_at=datetime(2026, 7, 1, 12), reason="deep clean")
    rooms.add_closure(admin, "OR1", starts_at=datetime(2026, 7, 3, 8),
                      ends_at=datetime(2026, 7, 3, 12), reason="staffing")
    rooms.add_closure(admin, "OR2", starts_at=datetime(2026, 7, 1, 8),
                      ends_at=datetime(2026, 7, 1, 12), reason="laminar flow service")
    assert len(rooms.closures(admin)) == 3
    assert len(rooms.closures(admin, "or1")) == 2
    window = rooms.closures(admin, "OR1", datetime(2026, 7, 1, 11), datetime(2026, 7, 2))
    assert [c.reason for c in window] == ["deep clean"]
    rooms.remove_closure(admin, first.id)
    assert [c.reason for c in rooms.closures(admin, "OR1")] == ["staffing"]
    (event,) = _audit(db, "remove_closure")
    assert event.details["reason"] == {"before": "deep clean", "after": None}
    with pytest.raises(NotFound):
        rooms.remove_closure(admin, first.id)


def test_cases_clashing_with_a_closure_are_listed_before_saving(db, admin, rooms, two_cases):
    # 09:30-10:40 Berlin: inside A, and in A's turnover but before B starts.
    clash = rooms.cases_clashing_with_closure(
        admin, "OR1", datetime(2026, 1, 12, 9, 30), datetime(2026, 1, 12, 10, 40))
    assert clash == ["A"]
    both = rooms.cases_clashing_with_closure(
        admin, "OR1", datetime(2026, 1, 12, 6), datetime(2026, 1, 12, 18))
    assert both == ["A", "B"]
    none = rooms.cases_clashing_with_closure(
        admin, "OR1", datetime(2026, 1, 12, 10), datetime(2026, 1, 12, 10, 45))
    assert none == []  # only turnover: cleaning may run into a closure
    with pytest.raises(BadInput):
        rooms.cases_clashing_with_closure(
            admin, "OR1", datetime(2026, 3, 29, 2, 30), datetime(2026, 3, 29, 4))

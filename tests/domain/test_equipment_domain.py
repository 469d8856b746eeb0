"""Equipment allocation, pure: worked examples and a property test against a brute-force
minute-by-minute scan."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import permutations

from hypothesis import given, settings
from hypothesis import strategies as st

from surgdesk.domain import equipment as eq
from surgdesk.domain.enums import EquipmentStatus

T0 = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)
CARM, ROBOT = 1, 2
OR1, OR2 = 10, 20


def t(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def unit(uid: int, name: str, kind: int = CARM, *, turnaround: int = 0,
         rooms: frozenset[int] = frozenset(), status: EquipmentStatus = EquipmentStatus.AVAILABLE,
         closures: tuple[tuple[datetime, datetime], ...] = ()) -> eq.Unit:
    return eq.Unit(uid, name, kind, status, turnaround, rooms, closures)


def hold(uid: int, start: int, until: int, case: int = 99, number: str = "2026-000099",
         room: str | None = "OR-04") -> eq.Hold:
    return eq.Hold(uid, case, number, room, t(start), t(until))


C1, C2 = unit(1, "C-arm 1"), unit(2, "C-arm 2")


def test_a_free_unit_is_given_first_by_name() -> None:
    assert eq.allocate([eq.Need(CARM)], [C2, C1], OR1, t(60), t(120), []) == {0: 1}


def test_a_busy_unit_is_skipped() -> None:
    holds = [hold(1, 30, 90)]
    assert eq.allocate([eq.Need(CARM)], [C1, C2], OR1, t(60), t(120), holds) == {0: 2}


def test_both_busy_is_a_shortage_naming_both_holds() -> None:
    holds = [hold(1, 30, 90, 7, "2026-000123"), hold(2, 100, 200, 8, "2026-000131")]
    short = eq.allocate([eq.Need(CARM)], [C1, C2], OR1, t(60), t(120), holds)
    assert isinstance(short, eq.Shortage)
    assert [h.case_number for h in short.blocked_by] == ["2026-000123", "2026-000131"]
    assert short.unavailable == ()


def test_turnaround_extends_the_new_hold_into_a_later_one() -> None:
    slow = unit(1, "C-arm 1", turnaround=30)
    holds = [hold(1, 140, 200)]
    # The case ends at 120; with 30 min turnaround the unit is busy until 150.
    assert isinstance(eq.allocate([eq.Need(CARM)], [slow], OR1, t(60), t(120), holds),
                      eq.Shortage)
    # Ending at 110 frees it at 140, exactly when the next hold starts: allowed.
    assert eq.allocate([eq.Need(CARM)], [slow], OR1, t(60), t(110), holds) == {0: 1}


def test_an_earlier_hold_with_its_turnaround_blocks() -> None:
    holds = [hold(1, 0, 75)]  # a case 0-45 plus 30 min turnaround
    assert isinstance(eq.allocate([eq.Need(CARM)], [C1], OR1, t(60), t(90), holds),
                      eq.Shortage)
    assert eq.allocate([eq.Need(CARM)], [C1], OR1, t(75), t(90), holds) == {0: 1}


def test_maintenance_retired_closed_and_room_limits() -> None:
    units = [
        unit(1, "C-arm 1", status=EquipmentStatus.MAINTENANCE),
        unit(2, "C-arm 2", status=EquipmentStatus.RETIRED),
        unit(3, "C-arm 3", rooms=frozenset({OR2})),
        unit(4, "C-arm 4", closures=((t(100), t(300)),)),
    ]
    short = eq.allocate([eq.Need(CARM)], units, OR1, t(60), t(120), [])
    assert isinstance(short, eq.Shortage)
    assert short.unavailable == (("C-arm 1", eq.MAINTENANCE), ("C-arm 3", eq.ROOM),
                                 ("C-arm 4", eq.CLOSED))
    assert eq.allocate([eq.Need(CARM)], units, OR2, t(60), t(120), []) == {0: 3}
    assert eq.allocate([eq.Need(CARM)], units, OR1, t(300), t(360), []) == {0: 4}


def test_a_closure_during_the_turnaround_blocks() -> None:
    closing = unit(1, "C-arm 1", turnaround=30, closures=((t(130), t(200)),))
    assert isinstance(eq.allocate([eq.Need(CARM)], [closing], OR1, t(60), t(120), []),
                      eq.Shortage)


def test_a_kept_unit_stays_when_still_free() -> None:
    assert eq.allocate([eq.Need(CARM)], [C1, C2], OR1, t(60), t(120), [], keep={0: 2}) == {0: 2}
    holds = [hold(2, 100, 130)]
    assert eq.allocate([eq.Need(CARM)], [C1, C2], OR1, t(60), t(120), holds,
                       keep={0: 2}) == {0: 1}


def test_a_pinned_need_gets_its_unit_or_a_shortage() -> None:
    assert eq.allocate([eq.Need(CARM, 2)], [C1, C2], OR1, t(60), t(120), []) == {0: 2}
    short = eq.allocate([eq.Need(CARM, 2)], [C1, C2], OR1, t(60), t(120), [hold(2, 0, 90)])
    assert isinstance(short, eq.Shortage)
    assert short.unit_id == 2
    assert [h.unit_id for h in short.blocked_by] == [2]


def test_a_pin_is_served_before_an_unpinned_need_of_the_kind() -> None:
    needs = [eq.Need(CARM), eq.Need(CARM, 1)]
    assert eq.allocate(needs, [C1, C2], OR1, t(60), t(120), []) == {0: 2, 1: 1}


def test_two_of_a_kind() -> None:
    needs = [eq.Need(CARM), eq.Need(CARM)]
    assert eq.allocate(needs, [C1, C2], OR1, t(60), t(120), []) == {0: 1, 1: 2}
    short = eq.allocate(needs, [C1, C2], OR1, t(60), t(120), [hold(2, 0, 90)])
    assert isinstance(short, eq.Shortage)
    assert short.own == 1


def test_kinds_are_separate() -> None:
    robot = unit(5, "Robot", ROBOT)
    needs = [eq.Need(ROBOT), eq.Need(CARM)]
    assert eq.allocate(needs, [C1, robot], OR1, t(60), t(120), [hold(1, 0, 30)]) == {0: 5, 1: 1}
    short = eq.allocate(needs, [C1, robot], OR1, t(60), t(120), [hold(5, 0, 70)])
    assert isinstance(short, eq.Shortage)
    assert short.kind_id == ROBOT


def test_no_unit_of_the_kind() -> None:
    short = eq.allocate([eq.Need(ROBOT)], [C1], OR1, t(60), t(120), [])
    assert short == eq.Shortage(ROBOT, (), (), None, 0)


# ---- property: against a brute-force scan -----------------------------------------------

SPAN = 24 * 60  # minutes after T0 the generated times stay within


def _busy_minutes(u: eq.Unit, holds: list[eq.Hold]) -> set[int]:
    out: set[int] = set()
    for h in holds:
        if h.unit_id == u.id:
            out |= set(range(_m(h.start), _m(h.held_until)))
    for c_start, c_end in u.closures:
        out |= set(range(_m(c_start), _m(c_end)))
    return out


def _m(when: datetime) -> int:
    return int((when - T0).total_seconds() // 60)


def _free_by_scan(u: eq.Unit, room: int, start: int, end: int, holds: list[eq.Hold]) -> bool:
    if u.status is not EquipmentStatus.AVAILABLE or (u.room_ids and room not in u.room_ids):
        return False
    return not set(range(start, end + u.turnaround_minutes)) & _busy_minutes(u, holds)


def _some_assignment(needs: list[eq.Need], free: list[eq.Unit]) -> bool:
    """Does any assignment of distinct free units meet every need? (tiny inputs)"""
    for order in permutations(free, min(len(needs), len(free))):
        if len(order) == len(needs) and all(
                u.kind_id == n.kind_id and (n.unit_id is None or n.unit_id == u.id)
                for n, u in zip(needs, order, strict=True)):
            return True
    return not needs


units_st = st.lists(
    st.builds(
        lambda kind, ta, rooms, status, closure: (kind, ta, rooms, status, closure),
        st.sampled_from([CARM, ROBOT]), st.sampled_from([0, 15, 30, 60]),
        st.sampled_from([frozenset(), frozenset({OR1}), frozenset({OR2})]),
        st.sampled_from(list(EquipmentStatus)),
        st.none() | st.tuples(st.integers(0, SPAN), st.integers(1, 240)),
    ),
    min_size=1, max_size=5,
)


@settings(max_examples=150, deadline=None)
@given(
    raw_units=units_st,
    raw_holds=st.lists(st.tuples(st.integers(0, 4), st.integers(0, SPAN),
                                 st.integers(1, 300)), max_size=8),
    raw_needs=st.lists(st.tuples(st.sampled_from([CARM, ROBOT]),
                                 st.none() | st.integers(0, 4)), min_size=1, max_size=3),
    room=st.sampled_from([OR1, OR2]),
    start=st.integers(0, SPAN),
    length=st.integers(1, 300),
    keep_raw=st.dictionaries(st.integers(0, 2), st.integers(0, 4), max_size=2),
)
def test_allocate_matches_a_brute_force_scan(
    raw_units: list[tuple[int, int, frozenset[int], EquipmentStatus, tuple[int, int] | None]],
    raw_holds: list[tuple[int, int, int]], raw_needs: list[tuple[int, int | None]],
    room: int, start: int, length: int, keep_raw: dict[int, int],
) -> None:
    units = [unit(i + 1, f"U{i + 1}", kind, turnaround=ta, rooms=rooms, status=status,
                  closures=((t(c[0]), t(c[0] + c[1])),) if c else ())
             for i, (kind, ta, rooms, status, c) in enumerate(raw_units)]
    holds = [hold(u % len(units) + 1, s, s + n, case=100 + k)
             for k, (u, s, n) in enumerate(raw_holds)]
    needs = [eq.Need(kind, (p % len(units)) + 1 if p is not None else None)
             for kind, p in raw_needs]
    keep = {i: (u % len(units)) + 1 for i, u in keep_raw.items() if i < len(needs)}
    end = start + length
    answer = eq.allocate(needs, units, room, t(start), t(end), holds, keep=keep)
    free = [u for u in units if _free_by_scan(u, room, start, end, holds)]
    if isinstance(answer, eq.Shortage):
        assert not _some_assignment(needs, free)
        return
    assert sorted(answer) == list(range(len(needs)))
    assert len(set(answer.values())) == len(needs)  # never one unit for two needs
    by_id = {u.id: u for u in units}
    for i, uid in answer.items():
        assert by_id[uid].kind_id == needs[i].kind_id
        assert needs[i].unit_id in (None, uid)
        assert by_id[uid] in free
        # A kept unit that is still free and not pinned elsewhere stays.
        kept = keep.get(i)
        pinned_elsewhere = {n.unit_id for n in needs if n.unit_id is not None}
        if (needs[i].unit_id is None and kept is not None and by_id[kept] in free
                and by_id[kept].kind_id == needs[i].kind_id and kept not in pinned_elsewhere
                and list(keep.values()).count(kept) == 1):
            assert uid == kept

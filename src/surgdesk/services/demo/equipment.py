"""The demo's shared equipment: the fleet, which procedures need which kinds, units given
to cases as the lists are packed (never two cases on one unit at once, turnaround
included), and a few cases contending for the robot.

The fleet of a 12-room suite: one surgical robot usable in two rooms (the urology and the
gynecology theatre), two C-arms (15 min turnaround: wheeled out, cleaned, wheeled in), a
third C-arm in maintenance, two neuro microscopes kept in the neurosurgery rooms, one
laser (20 min turnaround: fibre change and safety check) with a morning's service booked.
A larger suite gets more C-arms, microscopes and lasers (one C-arm per five elective
rooms, a microscope per neuro room), still one robot.

Units are chosen with the domain's own rule (``domain.equipment.allocate``) while each
room's day is packed: a procedure whose kind has no free unit then is swapped for one of
the same specialty that needs nothing, as a scheduler would. On two "robot days" (the
next weekdays) each of the robot's rooms books a robot case as soon as the robot is free
(the room waits up to an hour for it): the first room has it in the morning, the second
straight after, back to back; robot cases also wait in the queue with nothing free for
them on those days.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from surgdesk.domain import equipment as eq
from surgdesk.domain.demo_catalog import PROCEDURES, Procedure
from surgdesk.domain.enums import CaseStatus, EquipmentStatus, Laterality, Priority, RoomStatus
from surgdesk.services.demo.plan import DAY, Case, Plan, Room, local, round5

ROBOT, C_ARM, MICROSCOPE, LASER = "Robot", "C-arm", "Microscope", "Laser"
KINDS = (ROBOT, C_ARM, MICROSCOPE, LASER)
TURNAROUND = {ROBOT: 30, C_ARM: 15, MICROSCOPE: 10, LASER: 20}

# What each procedure needs, one entry per unit (procedures not named need nothing).
NEEDS: dict[str, tuple[str, ...]] = {
    "Robotic radical prostatectomy": (ROBOT,),
    "Robotic hysterectomy": (ROBOT,),
    "Robotic right hemicolectomy": (ROBOT,),
    "Ureteroscopy with laser lithotripsy": (C_ARM, LASER),
    "Varicose vein ablation": (LASER,),
    "ORIF distal radius": (C_ARM,),
    "Hemiarthroplasty for hip fracture": (C_ARM,),
    "Open fracture debridement and fixation": (C_ARM,),
    "Anterior cervical discectomy and fusion": (MICROSCOPE, C_ARM),
    "Lumbar microdiscectomy": (MICROSCOPE,),
    "Craniotomy for tumour resection": (MICROSCOPE,),
    "Endovascular aneurysm repair": (C_ARM,),
    "Pacemaker implantation": (C_ARM,),
}
# The robot's cases by specialty: the catalogue's prostatectomy and two more of the same
# kind of list (robot-assisted, so named: the bar says why the robot is there).
ROBOT_PROCEDURES: dict[str, Procedure] = {
    "urology": next(p for p in PROCEDURES["urology"] if ROBOT in NEEDS.get(p.name, ())),
    "gynecology": Procedure("Robotic hysterectomy", 150, False),
    "general": Procedure("Robotic right hemicolectomy", 180, False),
}
ROBOT_DAYS = 5  # the weekdays ahead on which the robot's rooms open with robot cases
ROBOT_WAIT = 60  # minutes a robot room waits for the robot rather than start another case
PLACED = frozenset({CaseStatus.SCHEDULED, CaseStatus.PREOP_READY, CaseStatus.IN_PROGRESS,
                    CaseStatus.COMPLETED})

Allocation = list[tuple[int, int]]  # (kind id, unit id), one per need


@dataclass(slots=True)
class DemoUnit:
    id: int
    name: str
    kind: str
    turnaround: int
    rooms: list[Room]
    status: EquipmentStatus = EquipmentStatus.AVAILABLE
    notes: str | None = None
    closures: list[tuple[datetime, datetime, str]] = field(default_factory=list)


class Fleet:
    """The demo's units and who holds them when (bucketed by UTC day, so a check looks at
    a few holds, not all of them)."""

    def __init__(self, plan: Plan) -> None:
        # Its own stream: the rest of the demo draws as it would without equipment.
        self.rng = random.Random(f"equipment-{plan.seed}")
        self.tz = plan.tz
        self.kinds = {name: plan.new_id("equipment_kind") for name in KINDS}
        self.units: list[DemoUnit] = []
        self.robot_rooms: list[Room] = []
        self.robot_days: set[date] = set()
        self._domain: dict[str, list[eq.Unit]] = {}  # kind name -> units
        self._turnaround: dict[int, int] = {}  # unit id -> minutes
        self._holds: dict[int, list[eq.Hold]] = {}
        self._robot_used: set[tuple[int, date]] = set()  # (room id, day) with a robot case
        self._next_case = 1  # stand-in case ids while planning (real ids come later)

    # --- building ------------------------------------------------------------------------

    def add(self, plan: Plan, name: str, kind: str, rooms: list[Room], *,
            status: EquipmentStatus = EquipmentStatus.AVAILABLE,
            notes: str | None = None) -> DemoUnit:
        unit = DemoUnit(plan.new_id("equipment_unit"), name, kind, TURNAROUND[kind], rooms,
                        status, notes)
        self.units.append(unit)
        return unit

    def freeze(self) -> None:
        """The domain's view of every unit, once the fleet is complete."""
        for u in self.units:
            self._turnaround[u.id] = u.turnaround
            self._domain.setdefault(u.kind, []).append(eq.Unit(
                id=u.id, name=u.name, kind_id=self.kinds[u.kind], status=u.status,
                turnaround_minutes=u.turnaround, room_ids=frozenset(r.id for r in u.rooms),
                closures=tuple((s, e) for s, e, _ in u.closures)))

    # --- allocating ----------------------------------------------------------------------

    def allocation(self, procedure: Procedure, room: Room, start: datetime,
                   end: datetime) -> Allocation | None:
        """A unit for each need of the procedure in the room over [start, end), or None
        when one cannot be met ([] for a procedure that needs nothing)."""
        kinds = NEEDS.get(procedure.name, ())
        if not kinds:
            return []
        units = [u for k in dict.fromkeys(kinds) for u in self._domain.get(k, ())]
        needs = [eq.Need(self.kinds[k]) for k in kinds]
        found = eq.allocate(needs, units, room.id, start, end, self._near(start, end))
        if isinstance(found, eq.Shortage):
            return None
        return [(needs[i].kind_id, unit_id) for i, unit_id in sorted(found.items())]

    def hold(self, case: Case, allocation: Allocation) -> None:
        """The booked case holds its units until its end plus each unit's turnaround."""
        assert case.start is not None
        assert case.end is not None
        assert case.room is not None
        case.equipment = [(kind_id, unit_id) for kind_id, unit_id in allocation]
        for _, unit_id in allocation:
            until = eq.held_until(case.end, self._turnaround[unit_id])
            h = eq.Hold(unit_id, self._next_case, "", case.room.code, case.start, until)
            for day in range(case.start.toordinal(), until.toordinal() + 1):
                self._holds.setdefault(day, []).append(h)
        self._next_case += 1
        if any(kind_id == self.kinds[ROBOT] for kind_id, _ in allocation):
            self._robot_used.add((case.room.id, case.start.astimezone(self.tz).date()))

    def needs_of(self, procedure: Procedure) -> list[tuple[int, int | None]]:
        """A queued case's needs: kinds, no units."""
        return [(self.kinds[k], None) for k in NEEDS.get(procedure.name, ())]

    def _near(self, start: datetime, end: datetime) -> list[eq.Hold]:
        """Holds that may meet [start, end + a turnaround): each hold is filed under
        every day it touches, and a turnaround is shorter than a day."""
        found: list[eq.Hold] = []
        for day in range(start.toordinal(), end.toordinal() + 2):
            found.extend(self._holds.get(day, ()))
        return found

    # --- choosing what to book -------------------------------------------------------------

    def choose(self, room: Room, spec: str, t: datetime, closes: datetime,
               procedure: Procedure, minutes: int) -> Choice | None:
        """What the list books at ``t``: a robot case on a robot day where the robot is
        free then or soon (the room waits for it), else ``procedure`` when its equipment
        is free, else a procedure of the specialty that needs nothing; None when nothing
        fits before ``closes``."""
        robot = self._robot_case(room, spec, t, closes)
        if robot is not None:
            return robot
        # One robot case a room a day: the robot's other room gets its turn.
        again = ROBOT in NEEDS.get(procedure.name, ()) \
            and (room.id, t.astimezone(self.tz).date()) in self._robot_used
        found = None if again else self.allocation(procedure, room, t,
                                                   t + timedelta(minutes=minutes))
        if found is not None:
            return Choice(procedure, minutes, found, t)
        plain = [p for p in PROCEDURES[spec] if p.name not in NEEDS]
        while plain:
            other = self.rng.choices(plain, weights=[p.weight for p in plain])[0]
            length = round5(other.minutes * self.rng.uniform(0.85, 1.25))
            if t + timedelta(minutes=length) <= closes:
                return Choice(other, length, [], t)
            plain.remove(other)
        return None

    def _robot_case(self, room: Room, spec: str, t: datetime, closes: datetime
                    ) -> Choice | None:
        day = t.astimezone(self.tz).date()
        procedure = ROBOT_PROCEDURES.get(spec)
        if (procedure is None or day not in self.robot_days
                or all(r is not room for r in self.robot_rooms)
                or (room.id, day) in self._robot_used):
            return None
        minutes = round5(procedure.minutes * self.rng.uniform(0.95, 1.1))
        for wait in range(0, ROBOT_WAIT + 1, 5):
            start = t + timedelta(minutes=wait)
            end = start + timedelta(minutes=minutes)
            if end > closes:
                return None
            found = self.allocation(procedure, room, start, end)
            if found:
                return Choice(procedure, minutes, found, start)
        return None


@dataclass(frozen=True, slots=True)
class Choice:
    """What a list books next: the procedure, its minutes, the units it gets, and when
    it starts (later than asked when the room waits for the robot)."""

    procedure: Procedure
    minutes: int
    allocation: Allocation
    start: datetime


# --- the fleet ---------------------------------------------------------------------------

def build_fleet(plan: Plan) -> Fleet:
    """The units, the robot's rooms and days, and a unit closure; kept on the plan."""
    fleet = Fleet(plan)
    plan.fleet = fleet
    regular = [r for r in plan.rooms if not r.emergency]
    active = [r for r in regular if r.status is RoomStatus.ACTIVE]
    fleet.robot_rooms = _robot_rooms(active)
    fleet.add(plan, "Robot (da Vinci Xi)", ROBOT, fleet.robot_rooms,
              notes="Moves between its two theatres; 30 min to undock, move and drape")
    c_arms = max(2, round(len(regular) / 5))
    for k in range(1, c_arms + 1):
        fleet.add(plan, f"C-arm {k}", C_ARM, [])
    fleet.add(plan, f"C-arm {c_arms + 1}", C_ARM, [], status=EquipmentStatus.MAINTENANCE,
              notes="Image intensifier fault; the manufacturer's engineer is booked")
    neuro = [r for r in regular if r.home == "neuro"]
    for k in range(1, max(2, len(neuro)) + 1):
        fleet.add(plan, f"Neuro microscope {k}", MICROSCOPE, neuro)
    for k in range(1, max(1, len(regular) // 20) + 1):
        laser = fleet.add(plan, f"Holmium laser {k}", LASER, [],
                          notes="Laser safety officer checks the room before each case")
        if k == 1:
            day = _weekday_from(plan.start + timedelta(days=1), plan)
            laser.closures.append((local(day, time(7, 0), plan.tz),
                                   local(day, time(12, 0), plan.tz),
                                   "Annual service by the manufacturer"))
    fleet.robot_days = _robot_days(plan)
    fleet.freeze()
    return fleet


def _robot_rooms(active: list[Room]) -> list[Room]:
    """Two elective theatres: the first urology and the first gynecology one, else those
    of another specialty with robot cases."""
    chosen: list[Room] = []
    for spec in ("urology", "gynecology", "general"):
        room = next((r for r in active if r.home == spec), None)
        if room is not None and len(chosen) < 2:
            chosen.append(room)
    return chosen


def _weekday_from(day: date, plan: Plan) -> date:
    last = plan.start + timedelta(days=plan.days - 1)
    while day.weekday() >= 5 and day < last:
        day += DAY
    return day


def _robot_days(plan: Plan) -> set[date]:
    """The next weekdays after today inside the demo (its last ones when it is all past)."""
    weekdays = [plan.start + timedelta(days=k) for k in range(plan.days)
                if (plan.start + timedelta(days=k)).weekday() < 5]
    ahead = [d for d in weekdays if d > plan.today]
    return set((ahead or weekdays[-ROBOT_DAYS:])[:ROBOT_DAYS])


def queue_robot_cases(plan: Plan) -> int:
    """Robot cases in the queue: their surgeons want the robot days, which it has none
    free on. Returns how many."""
    fleet = plan.fleet
    added = 0
    if fleet is None or len(fleet.robot_rooms) < 2:
        return added  # a suite too small for the robot to be contended for
    for room in fleet.robot_rooms:
        assert room.home is not None
        procedure = ROBOT_PROCEDURES.get(room.home)
        pool = plan.surgeons.get(room.home)
        if procedure is None or not pool:
            continue
        for k in range(2):  # two of its surgeon's patients wait for the robot
            case = Case(procedure, room.home, Priority.ELECTIVE,
                        round5(procedure.minutes * fleet.rng.uniform(0.95, 1.15)),
                        Laterality.NOT_APPLICABLE, pool[k % len(pool)])
            case.equipment = fleet.needs_of(procedure)
            plan.cases.append(case)
            added += 1
    return added


# --- rows --------------------------------------------------------------------------------

def equipment_rows(plan: Plan, created: datetime) -> dict[str, list[dict[str, Any]]]:
    """Rows of equipment_kind, equipment_unit, equipment_closure and case_equipment."""
    fleet = plan.fleet
    tables: dict[str, list[dict[str, Any]]] = {
        "kinds": [], "units": [], "closures": [], "holds": []}
    if fleet is None:
        return tables
    stamp = {"created_at": created, "updated_at": created, "version": 1}
    for name, kind_id in fleet.kinds.items():
        tables["kinds"].append({"id": kind_id, **stamp, "name": name, "active": True})
    turnaround: dict[int, int] = {}
    for u in fleet.units:
        turnaround[u.id] = u.turnaround
        tables["units"].append({
            "id": u.id, **stamp, "name": u.name, "kind_id": fleet.kinds[u.kind],
            "status": u.status.value, "turnaround_minutes": u.turnaround,
            "room_ids": sorted(r.id for r in u.rooms), "notes": u.notes})
        for starts, ends, reason in u.closures:
            tables["closures"].append({
                "id": plan.new_id("equipment_closure"), **stamp, "unit_id": u.id,
                "starts_at": starts, "ends_at": ends, "reason": reason})
    for case in plan.cases:
        tables["holds"].extend(_case_holds(plan, case, turnaround))
    return tables


def _case_holds(plan: Plan, case: Case, turnaround: dict[int, int]
                ) -> list[dict[str, Any]]:
    """A placed case holds its units; a queued, cancelled or postponed one keeps its
    needs without units."""
    placed = case.status in PLACED and case.start is not None and case.end is not None
    rows = []
    for kind_id, unit_id in case.equipment:
        held = unit_id if placed else None
        assert case.created_at is not None
        rows.append({
            "id": plan.new_id("case_equipment"), "created_at": case.created_at,
            "updated_at": case.created_at, "version": 1, "case_id": case.id,
            "kind_id": kind_id, "unit_id": held, "pinned": False,
            "starts_at": case.start if held is not None else None,
            "held_until": (eq.held_until(case.end, turnaround[held])  # type: ignore[arg-type]
                           if held is not None else None),
        })
    return rows

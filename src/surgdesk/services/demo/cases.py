"""The demo's schedule: every regular room's elective lists (around its blocks, see
``demo.blocks``), the emergency rooms round the clock (with a case running now, one at
night and one over midnight), and the queue."""

from __future__ import annotations

from bisect import insort
from datetime import date, datetime, time, timedelta

from surgdesk.domain.demo_catalog import EMERGENCY_PROCEDURES, PROCEDURES, SPECIALTIES, Procedure
from surgdesk.domain.enums import Laterality, Priority, RoomStatus
from surgdesk.services.demo.blocks import DemoBlock, Session, day_sessions
from surgdesk.services.demo.catalogue import LIST_CLOSES, LIST_OPENS
from surgdesk.services.demo.equipment import Allocation, queue_robot_cases
from surgdesk.services.demo.people import free_person
from surgdesk.services.demo.plan import DAY, Case, Person, Plan, Room, floor5, local, round5
from surgdesk.services.demo.rooms import room_free


def pick(plan: Plan, specialty: str) -> Procedure:
    options = PROCEDURES[specialty]
    return plan.rng.choices(options, weights=[p.weight for p in options])[0]


def laterality(plan: Plan, procedure: Procedure) -> Laterality:
    """Every case gets one explicitly, as the case service requires (the wrong-site guard):
    not_applicable only for a procedure without sides."""
    if not procedure.lateral:
        return Laterality.NOT_APPLICABLE
    roll = plan.rng.random()
    if roll < 0.46:
        return Laterality.LEFT
    return Laterality.RIGHT if roll < 0.92 else Laterality.BILATERAL


def book(plan: Plan, case: Case, room: Room, start: datetime) -> None:
    case.room = room
    case.start = start
    case.end = start + timedelta(minutes=case.minutes)
    occupied = case.occupied_until
    assert occupied is not None
    insort(room.bookings, (start, occupied))
    for p in (case.surgeon, case.anesthetist, case.circulator, case.scrub):
        if p is not None:
            plan.busy.add(p, start, case.end)
    plan.cases.append(case)


def plan_lists(plan: Plan) -> None:
    """Every regular room's elective list, day by day, packed with turnover. On a date of
    a block the list follows the block's plan (``demo.blocks.Session``); a block's
    surgeon works in their block that day, nowhere else."""
    regular = [r for r in plan.rooms if not r.emergency and r.status is RoomStatus.ACTIVE]
    for offset in range(plan.days):
        day = plan.start + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        closed = plan.closure[0] if plan.closure and plan.closure[3] == day else None
        sessions = day_sessions(plan, day, [r for r in regular if r is not closed])
        owners = {s.block.surgeon.id for s in sessions.values() if s.block.surgeon}
        anesth = plan.list_anesth[:]
        nurses = plan.list_nurses[:]
        plan.rng.shuffle(anesth)
        plan.rng.shuffle(nurses)
        by_specialty: dict[str, list[Person]] = {}
        for spec, pool in plan.surgeons.items():
            shuffled = [p for p in pool if p.id not in owners]
            plan.rng.shuffle(shuffled)
            by_specialty[spec] = shuffled
        for room in regular:
            assert room.home is not None
            session = sessions.get(room.id)
            pool = by_specialty[room.home]
            if room is closed or not anesth or len(nurses) < 2:
                continue
            if session is not None:
                team = (anesth.pop(), nurses.pop(), nurses.pop())
                plan_block_day(plan, room, session, by_specialty, *team)
                continue
            if not pool:
                continue
            surgeon, anesthetist = pool.pop(), anesth.pop()
            circulator, scrub = nurses.pop(), nurses.pop()
            plan_room_day(plan, room, day, surgeon, anesthetist, circulator, scrub)


def plan_room_day(plan: Plan, room: Room, day: date, surgeon: Person, anesthetist: Person,
                  circulator: Person, scrub: Person) -> None:
    """A day without a block: one surgeon's list from opening to closing."""
    t = local(day, LIST_OPENS, plan.tz) + timedelta(minutes=plan.rng.choice((0, 0, 15, 30)))
    pack(plan, room, t, local(day, LIST_CLOSES, plan.tz),
         (surgeon, anesthetist, circulator, scrub))


def plan_block_day(plan: Plan, room: Room, session: Session,
                   pools: dict[str, list[Person]], anesthetist: Person, circulator: Person,
                   scrub: Person) -> None:
    """A date of a block: its owner books the planned share of it, or (released) someone
    else may book part of it; then the list runs on in open time until closing."""
    block = session.block
    staff = (anesthetist, circulator, scrub)
    owner = block.surgeon or _take(pools, block.specialty)
    t = session.start + timedelta(minutes=plan.rng.choice((0, 0, 5, 10)))
    if session.fill > 0 and owner is not None:
        t = pack(plan, room, t, session.fill_until, (owner, *staff),
                 fixed=block.surgeon is not None)
    elif session.refill and (guest := _guest(plan, room, block, pools)) is not None:
        share = session.start + (session.end - session.start) * plan.rng.uniform(0.3, 0.8)
        t = pack(plan, room, t, share, (guest, *staff), fixed=True)
    # Open time after the block (a surgeon who released their date is away that day).
    # After an unused date the list starts well clear of it: an owner's case starting
    # early would count as booked in it (the rule's test).
    away = session.released and block.surgeon is not None
    after = owner if owner is not None and owner.specialty == room.home and not away \
        else None
    gap = timedelta(minutes=15 if session.released else 0)
    if after is not None:
        closes = local(session.start.astimezone(plan.tz).date(), LIST_CLOSES, plan.tz)
        pack(plan, room, max(t, session.end + gap), closes, (after, *staff))


def _take(pools: dict[str, list[Person]], specialty: str) -> Person | None:
    pool = pools.get(specialty)
    return pool.pop() if pool else None


def _guest(plan: Plan, room: Room, block: DemoBlock,
           pools: dict[str, list[Person]]) -> Person | None:
    """Who books released time: a spare surgeon (``BlockPlan.spare``) of the room's tag (a
    colleague of a surgeon's block), or in a room without a tag of any other service (a
    tagged room would warn of the specialty)."""
    assert plan.blocks is not None
    if room.tags:
        specs = [s for s in room.tags if s in plan.blocks.spare and pools.get(s)]
    else:
        specs = [s for s in sorted(plan.blocks.spare)
                 if pools.get(s) and (s != block.specialty or block.surgeon is not None)]
    return _take(pools, plan.rng.choice(specs)) if specs else None


def pack(plan: Plan, room: Room, t: datetime, closes: datetime,
         team: tuple[Person, Person, Person, Person], *, fixed: bool = False) -> datetime:
    """Cases of the team's surgeon one after another from ``t``, each ending by ``closes``,
    with the room's turnover and a little slack between; returns when the room is next
    free."""
    surgeon, anesthetist, circulator, scrub = team
    spec = surgeon.specialty
    assert spec is not None
    while True:
        chosen: tuple[Procedure, int] | None = None
        for _ in range(4):
            procedure = pick(plan, spec)
            minutes = round5(procedure.minutes * plan.rng.uniform(0.85, 1.25))
            if t + timedelta(minutes=minutes) <= closes:
                chosen = (procedure, minutes)
                break
        if chosen is None:
            return t
        procedure, minutes = chosen
        allocation: Allocation = []
        if plan.fleet is not None:
            # The equipment it needs must be free then (or another case is booked).
            picked = plan.fleet.choose(room, spec, t, closes, procedure, minutes)
            if picked is None:
                return t
            procedure, minutes, allocation, t = picked.procedure, picked.minutes, \
                picked.allocation, picked.start
        roll = plan.rng.random()
        priority = (Priority.ELECTIVE if roll < 0.88
                    else Priority.URGENT if roll < 0.985 else Priority.EMERGENCY)
        case = Case(procedure, spec, priority, minutes, laterality(plan, procedure),
                    surgeon, anesthetist=anesthetist, circulator=circulator, scrub=scrub,
                    fixed_surgeon=fixed)
        book(plan, case, room, t)
        if plan.fleet is not None:
            plan.fleet.hold(case, allocation)
        assert case.occupied_until is not None
        t = case.occupied_until + timedelta(minutes=plan.rng.choice((0, 0, 0, 5, 10, 15, 30)))


def emergency_case(plan: Plan, room: Room, start: datetime,
                   fixed: tuple[str, Procedure] | None = None,
                   minutes: int | None = None) -> Case | None:
    """An unplanned case in a 24/7 room, staffed by whoever is free then."""
    options = [fixed] if fixed else plan.rng.sample(EMERGENCY_PROCEDURES, 3)
    for spec, procedure in options:
        length = minutes or round5(procedure.minutes * plan.rng.uniform(0.8, 1.3))
        end = start + timedelta(minutes=length)
        if not room_free(plan, room, start, end + timedelta(minutes=room.turnover)):
            return None
        surgeon = free_person(plan, [plan.surgeons.get(spec, [])], start, end)
        anesthetist = free_person(plan, [plan.call_anesth, plan.list_anesth], start, end)
        circulator = free_person(plan, [plan.call_nurses, plan.list_nurses], start, end)
        scrub = (free_person(plan, [plan.call_nurses, plan.list_nurses], start, end,
                             exclude=circulator) if circulator else None)
        if surgeon is None or anesthetist is None or circulator is None or scrub is None:
            continue
        allocation = plan.fleet.allocation(procedure, room, start, end) \
            if plan.fleet is not None else []
        if allocation is None:
            continue  # its equipment is busy: another of the options, or no case now
        priority = Priority.EMERGENCY if plan.rng.random() < 0.6 else Priority.URGENT
        case = Case(procedure, spec, priority, length, laterality(plan, procedure),
                     surgeon, anesthetist=anesthetist, circulator=circulator, scrub=scrub)
        book(plan, case, room, start)
        if plan.fleet is not None:
            plan.fleet.hold(case, allocation)
        return case
    return None


def plan_emergency_rooms(plan: Plan) -> None:
    rooms = [r for r in plan.rooms if r.emergency]
    if not rooms:
        return
    first = local(plan.start, time(0, 0), plan.tz)
    last = local(plan.start + timedelta(days=plan.days), time(0, 0), plan.tz)
    pin_cases(plan, rooms[0], first, last)
    for room in rooms:
        t = local(plan.start, time(7, 0), plan.tz)
        while t < last:
            hour = t.astimezone(plan.tz).hour
            gap = plan.rng.randint(30, 150) if 7 <= hour < 19 else plan.rng.randint(90, 360)
            t = floor5(t + timedelta(minutes=gap))
            if t >= last:
                break
            case = emergency_case(plan, room, t)
            if case is None:
                t += timedelta(minutes=30)
                continue
            assert case.occupied_until is not None
            t = case.occupied_until


def pin_cases(plan: Plan, room: Room, first: datetime, last: datetime) -> None:
    """Make sure the board has a case running now, a night case and one over midnight."""
    laparotomy = EMERGENCY_PROCEDURES[0]
    if first <= plan.now < last:
        running = any(c.start is not None and c.end is not None
                      and c.start <= plan.now < c.end for c in plan.cases)
        if not running:
            start = floor5(plan.now - timedelta(minutes=40))
            emergency_case(plan, room, start, laparotomy, 120)
    day = plan.today if plan.start <= plan.today < plan.start + timedelta(plan.days) \
        else plan.start
    for candidate in (day, day - DAY, day + DAY):
        if 0 <= (candidate - plan.start).days < plan.days:
            late = local(candidate, time(23, 10), plan.tz)
            if emergency_case(plan, room, late, EMERGENCY_PROCEDURES[4], 150):
                break
    night_day = day + DAY if (day + DAY - plan.start).days < plan.days else day
    for candidate in (night_day, night_day - DAY):
        if 0 <= (candidate - plan.start).days < plan.days:
            night = local(candidate, time(3, 0), plan.tz)
            if emergency_case(plan, room, night, EMERGENCY_PROCEDURES[3], 90):
                break


def plan_queue(plan: Plan) -> None:
    """Requested cases waiting for a slot: no room, no time; robot cases among them
    (``demo.equipment.queue_robot_cases``)."""
    count = plan.rng.randint(10, 20)
    for _ in range(count - queue_robot_cases(plan)):
        spec = plan.rng.choice(SPECIALTIES)
        procedure = pick(plan, spec)
        surgeon = plan.rng.choice(plan.surgeons[spec])
        priority = Priority.URGENT if plan.rng.random() < 0.2 else Priority.ELECTIVE
        case = Case(procedure, spec, priority,
                    round5(procedure.minutes * plan.rng.uniform(0.9, 1.2)),
                    laterality(plan, procedure), surgeon)
        if plan.fleet is not None:
            case.equipment = plan.fleet.needs_of(procedure)
        plan.cases.append(case)

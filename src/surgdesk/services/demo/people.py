"""The demo's staff: who works there, who is free when, the deliberate double bookings,
and their rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta

from surgdesk.domain.demo_catalog import SPECIALTIES, STAFF_FIRST_NAMES, STAFF_LAST_NAMES
from surgdesk.domain.enums import Role, RoomStatus
from surgdesk.domain.intervals import intervals_overlap
from surgdesk.services.demo.catalogue import EMAIL_DOMAIN
from surgdesk.services.demo.plan import Case, Person, Plan, local
from surgdesk.services.demo.rows import Rows


def build_staff(plan: Plan) -> None:
    """The admin, schedulers, a viewer and the wall; surgeons for every room's specialty,
    and anesthetists and nurses enough that only the deliberate double bookings happen."""
    names = [(f, last) for last in STAFF_LAST_NAMES for f in STAFF_FIRST_NAMES]
    plan.rng.shuffle(names)
    name_iter = iter(names)
    taken: set[str] = set()

    def username(base: str) -> str:
        candidate, k = base, 1
        while candidate in taken:
            k += 1
            candidate = f"{base}{k}"
        taken.add(candidate)
        return candidate

    def person(role: Role, user: str | None, display: str | None = None,
               prefix: str = "", specialty: str | None = None) -> Person:
        first, last = next(name_iter)
        name = display or f"{prefix}{first} {last}"
        login = username(user or f"{'dr' if prefix else 'rn'}.{last.lower()}")
        p = Person(plan.new_id("user_account"), login, role, name, specialty)
        if role is Role.SURGEON:
            p.profile_id = plan.new_id("surgeon_profile")
        plan.people.append(p)
        return p

    person(Role.ADMIN, "admin")
    plan.schedulers = [person(Role.SCHEDULER, f"scheduler{k}") for k in (1, 2)]
    person(Role.VIEWER, "viewer")
    device = person(Role.VIEWER, "wall.display", "OR wall display")
    device.is_device = True

    staffed = [r for r in plan.rooms if r.status is RoomStatus.ACTIVE]
    regular = [r for r in staffed if not r.emergency]
    n_emergency = len(staffed) - len(regular)
    specialties = [r.home for r in regular if r.home is not None]
    specialties += [s for s in SPECIALTIES if s not in specialties]
    if n_emergency:
        specialties += ["general", "orthopedics"]
    for spec in specialties:
        plan.surgeons.setdefault(spec, []).append(
            person(Role.SURGEON, None, prefix="Dr. ", specialty=spec))
    # One anesthesia team and two nurses per staffed room, a few more on call: every
    # case gets its own people, so the only double bookings are the deliberate ones.
    plan.list_anesth = [person(Role.ANESTHESIOLOGIST, None, prefix="Dr. ")
                        for _ in regular]
    plan.call_anesth = [person(Role.ANESTHESIOLOGIST, None, prefix="Dr. ")
                        for _ in range(n_emergency + (1 if n_emergency else 0))]
    plan.list_nurses = [person(Role.NURSE, None) for _ in range(2 * len(regular))]
    plan.call_nurses = [person(Role.NURSE, None) for _ in range(2 * n_emergency + 2)]


def free_person(plan: Plan, pools: Sequence[Sequence[Person]], start: datetime, end: datetime,
                exclude: Person | None = None) -> Person | None:
    """Someone from the first pool that has anyone free over [start, end) (cases' own times:
    turnover is the room's, not the people's)."""
    for pool in pools:
        order = list(pool)
        plan.rng.shuffle(order)
        for p in order:
            if p is not exclude and plan.busy.free(p, start, end):
                return p
    return None


def double_book_surgeons(plan: Plan) -> None:
    """The deliberate soft conflicts: a surgeon in two rooms at once, once or twice.

    A case coming up soon is handed to a surgeon of its specialty who is operating
    in another room at that very time — against exactly one of their cases, so the
    board shows one clear pair per conflict.
    """
    horizon = local(plan.today + timedelta(days=2), time(0, 0), plan.tz)
    timed = [c for c in plan.cases if c.start is not None]
    upcoming = [c for c in timed if plan.now < c.start < horizon]  # type: ignore[operator]
    by_specialty: dict[str, list[Case]] = {}
    for c in timed:
        by_specialty.setdefault(c.specialty, []).append(c)

    def overlap(a: Case, b: Case) -> bool:
        assert a.start is not None
        assert a.end is not None
        assert b.start is not None
        assert b.end is not None
        return intervals_overlap(a.start, a.end, b.start, b.end)

    used: set[int] = set()
    candidates = (upcoming or timed)[:]
    plan.rng.shuffle(candidates)
    for b in candidates[:500]:
        if plan.conflicts >= 2:
            break
        if id(b) in used or b.fixed_surgeon:
            continue
        for a in by_specialty[b.specialty]:
            if a is b or a.room is b.room or a.surgeon is b.surgeon or id(a) in used:
                continue
            if not overlap(a, b):
                continue
            theirs = [c for c in by_specialty[b.specialty]
                      if c.surgeon is a.surgeon and overlap(c, b)]
            if theirs != [a]:
                continue
            b.surgeon = a.surgeon
            used.update({id(a), id(b)})
            plan.conflicts += 1
            break


def people_rows(plan: Plan, rows: Rows, password_hash: str, created: datetime) -> None:
    for p in plan.people:
        rows.users.append({
            "id": p.id, "created_at": created, "updated_at": created, "version": 1,
            "username": p.username, "email": f"{p.username}@{EMAIL_DOMAIN}",
            "password_hash": password_hash, "role": p.role.value, "display_name": p.display_name,
            "phone": f"+49 30 5550{p.id % 10000:04d}" if not p.is_device else None,
            "active": True, "is_device": p.is_device, "failed_logins": 0, "locked_until": None,
        })
        if p.profile_id is not None:
            rows.profiles.append({
                "id": p.profile_id, "created_at": created, "updated_at": created, "version": 1,
                "user_id": p.id, "specialty": p.specialty,
                "license_number": f"LIC-{100000 + p.id}", "pager": f"{4000 + p.id}",
                "active": True,
            })

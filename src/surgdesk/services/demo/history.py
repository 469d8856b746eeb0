"""The demo's past and present: each case's status from the clock, its patient, when it
was created and its number."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from surgdesk.domain.demo_catalog import (
    CANCEL_REASONS,
    PATIENT_FIRST_NAMES,
    PATIENT_LAST_NAMES,
    POSTPONE_REASONS,
)
from surgdesk.domain.enums import NoteType, Priority
from surgdesk.services.demo.plan import DAY, MINUTE, Plan, S, local


def assign_statuses(plan: Plan) -> None:
    now = plan.now
    tomorrow = local(plan.today + DAY, time(0, 0), plan.tz)
    later = local(plan.today + 2 * DAY, time(0, 0), plan.tz)
    timed = [c for c in plan.cases if c.start is not None]
    timed.sort(key=lambda c: (c.room.index if c.room else -1, c.start))
    previous_end: dict[int, datetime] = {}
    for case in timed:
        assert case.start is not None
        assert case.end is not None
        assert case.room is not None
        if case.end <= now:
            roll = plan.rng.random()
            if roll < 0.02 and case.priority is Priority.ELECTIVE:
                case.status = S.CANCELLED
            elif roll < 0.035 and case.priority is Priority.ELECTIVE:
                case.status = S.POSTPONED
            else:
                case.status = S.COMPLETED
        elif case.start <= now:
            case.status = S.IN_PROGRESS
        else:
            share = 0.65 if case.start < tomorrow else 0.5 if case.start < later else 0.2
            if case.priority is Priority.EMERGENCY:
                share = 0.9
            case.status = S.PREOP_READY if plan.rng.random() < share else S.SCHEDULED
        if case.status in (S.COMPLETED, S.IN_PROGRESS):
            begin = case.start + timedelta(minutes=plan.rng.randint(-5, 20))
            prior = previous_end.get(case.room.id)
            if prior is not None:
                begin = max(begin, prior + timedelta(minutes=10))
            begin = min(begin, now - MINUTE)
            case.actual_start = begin.replace(second=0, microsecond=0)
            if case.status is S.COMPLETED:
                length = timedelta(minutes=case.minutes * plan.rng.uniform(0.85, 1.2))
                finish = min(case.actual_start + length, now)
                case.actual_end = max(finish, case.actual_start + MINUTE).replace(
                    second=0, microsecond=0)
                previous_end[case.room.id] = case.actual_end
        if case.status in (S.CANCELLED, S.POSTPONED):
            reasons = CANCEL_REASONS if case.status is S.CANCELLED else POSTPONE_REASONS
            kind = NoteType.CANCELLATION if case.status is S.CANCELLED else NoteType.DELAY
            at = min(case.start - timedelta(minutes=plan.rng.randint(30, 600)), now)
            case.note = (kind, plan.rng.choice(reasons), at)
    # A past day with no cancellation or postponement at all would hide both colours.
    midnight = local(plan.today, time(0), plan.tz)
    completed = [c for c in timed if c.status is S.COMPLETED]
    past = [c for c in completed if c.priority is Priority.ELECTIVE
            and c.start is not None and c.start < midnight] or completed
    for status in (S.CANCELLED, S.POSTPONED):
        if past and not any(c.status is status for c in timed):
            case = past.pop(plan.rng.randrange(len(past)))
            assert case.start is not None
            case.status = status
            case.actual_start = case.actual_end = None
            reasons = CANCEL_REASONS if status is S.CANCELLED else POSTPONE_REASONS
            kind = NoteType.CANCELLATION if status is S.CANCELLED else NoteType.DELAY
            case.note = (kind, reasons[0], min(case.start - timedelta(hours=2), now))


def assign_patients_and_numbers(plan: Plan) -> None:
    rng = plan.rng
    mrns = rng.sample(range(1_000_000, 9_999_999), len(plan.cases) + 1)
    timed = sorted((c for c in plan.cases if c.start is not None),
                   key=lambda c: (c.start, c.room.index if c.room else 0))
    seen: list[tuple[tuple[str, str, date], datetime]] = []
    k = 0

    def fresh() -> tuple[str, str, date]:
        nonlocal k
        k += 1
        name = f"{rng.choice(PATIENT_FIRST_NAMES)} {rng.choice(PATIENT_LAST_NAMES)}"
        dob = date(1938, 1, 1) + timedelta(days=rng.randint(0, 365 * 80))
        return (name, f"MRN{mrns[k]:07d}", dob)

    for case in timed:
        assert case.start is not None
        assert case.end is not None
        patient = None
        if seen and rng.random() < 0.05:
            # The same patient again, for a second stage or the other side — days apart.
            earlier = [p for p, end in seen[-400:] if end <= case.start - 2 * DAY]
            if earlier:
                patient = rng.choice(earlier)
        case.patient = patient or fresh()
        seen.append((case.patient, case.end))
    for case in plan.cases:
        if case.patient is None:
            if seen and rng.random() < 0.15:
                case.patient = rng.choice(seen)[0]
            else:
                case.patient = fresh()

    # Created some days before the case (or before now, for the queue); numbered in
    # the order they were created, per year, as the case service would have.
    for case in plan.cases:
        cap = min(plan.now, case.start - timedelta(hours=12)) if case.start else plan.now
        case.created_at = (cap - timedelta(days=rng.randint(3, 21),
                                           minutes=rng.randint(0, 600))).replace(
            second=0, microsecond=0)
        case.created_by = (case.surgeon if case.status is S.REQUESTED
                           else rng.choice(plan.schedulers))
    plan.cases.sort(key=lambda c: (c.created_at, c.start or plan.now))
    counters: dict[int, int] = {}
    for case in plan.cases:
        assert case.created_at is not None
        year = case.created_at.astimezone(plan.tz).year
        counters[year] = counters.get(year, 0) + 1
        case.id = plan.new_id("surgery_case")
        case.number = f"{year}-{counters[year]:06d}"
    plan.counters = counters

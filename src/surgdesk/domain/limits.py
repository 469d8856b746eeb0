"""Field limits, declared once: the services validate with them, the CLI parses with them,
the forms set their widgets' ranges from them, and the schema sizes its columns by them.

A limit that lives in two places drifts (``settings set`` once took an idle lock of 1,440
minutes that the service refused at 480). Add a limit here, never a literal elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# Text lengths (characters).
NAME_MAX = 200  # people's and rooms' names, procedures, closure reasons
CODE_MAX = 32  # room codes, checklist item codes
IDENT_MAX = 64  # usernames, patient ids (MRN), specialties, sections
TEXT_MAX = 4000  # notes, reasons


@dataclass(frozen=True)
class IntRange:
    """An inclusive range of whole numbers with the unit a message names."""

    low: int
    high: int
    unit: str = "minutes"

    def __contains__(self, value: object) -> bool:
        return isinstance(value, int) and self.low <= value <= self.high

    def problem(self, value: int) -> str | None:
        """Why ``value`` is out of range, worded for a message naming the field; None if fine."""
        if value < self.low:
            return f"must be at least {self.low} {self.unit}"
        if value > self.high:
            return f"must be at most {self.high} {self.unit}"
        return None


# Case durations: a case is booked for at least a minute and at most a day.
CASE_DURATION = IntRange(1, 24 * 60)
DEFAULT_CASE_DURATION_MIN = 60
# A room's turnover after each case.
TURNOVER = IntRange(0, 240)
# An equipment unit's turnaround (reprocessing, moving): held this long after each case.
TURNAROUND = IntRange(0, 480)
# Department settings.
IDLE_LOCK = IntRange(1, 480)  # the screen locks after this many idle minutes
ON_TIME_GRACE = IntRange(0, 120)  # a first start this late still counts as on time
SNAP = IntRange(1, 60)  # drags on the board snap to this step
# A client operation id (a write's idempotency key, kept in applied_operation.op_id).
OP_ID_LEN = IntRange(8, 64, "characters")

# Dates a person may type. Before 1900 no patient is alive; the far bound keeps every date
# (and a day or a week added to it) inside what Python's datetime and both backends hold,
# so an absurd date is bad input naming its field rather than an overflow.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2999, 12, 31)
EARLIEST_DOB = EARLIEST_DATE


def date_problem(value: date, *, earliest: date = EARLIEST_DATE,
                 latest: date = LATEST_DATE) -> str | None:
    """Why ``value`` is outside the dates SurgDesk takes; None if fine."""
    if value < earliest:
        return f"must be on or after {earliest.isoformat()}"
    if value > latest:
        return f"must be on or before {latest.isoformat()}"
    return None


def dob_problem(value: date, today: date) -> str | None:
    """A date of birth: not before 1900, not after ``today`` (the department's today,
    from the injected clock — never the PC's own)."""
    if value > today:
        return "is in the future"
    return date_problem(value, earliest=EARLIEST_DOB)

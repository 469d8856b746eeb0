"""Turning command-line text into values, with messages that name the option.

Ranges come from ``domain.limits`` (declared once): a limit typed here would drift from
the service's, as ``settings set`` once took an idle lock the service refused.
"""

from __future__ import annotations

from datetime import date, datetime, time

from surgdesk.domain.limits import IntRange, date_problem
from surgdesk.errors import BadInput, FieldProblem


def _check_date(value: date, option: str) -> None:
    """A date outside what SurgDesk takes is bad input naming the option, before any
    arithmetic on it (a day added to 9999-12-31 overflows)."""
    if (problem := date_problem(value)) is not None:
        raise BadInput(FieldProblem(option, problem))


def parse_datetime(text: str, option: str) -> datetime:
    """ISO 8601; without an offset it is department wall-clock time (services convert)."""
    try:
        value = datetime.fromisoformat(text.strip())
    except (ValueError, OverflowError):
        raise BadInput(
            FieldProblem(option, f"{text!r} is not an ISO date-time (e.g. 2026-03-02T08:30)")
        ) from None
    _check_date(value.date(), option)
    return value


def parse_date(text: str, option: str) -> date:
    try:
        value = date.fromisoformat(text.strip())
    except (ValueError, OverflowError):
        raise BadInput(FieldProblem(option, f"{text!r} is not a date (YYYY-MM-DD)")) from None
    _check_date(value, option)
    return value


def parse_clock(text: str, option: str) -> time:
    try:
        value = time.fromisoformat(text.strip())
    except ValueError:
        raise BadInput(FieldProblem(option, f"{text!r} is not a time of day (HH:MM)")) from None
    if value.tzinfo is not None:
        raise BadInput(FieldProblem(option, "a time of day takes no offset"))
    return value


def parse_whole(text: str, option: str, *, low: int, high: int, unit: str = "") -> int:
    """A whole number in ``low..high``; the message names ``option`` and the bounds."""
    what = f"a whole number of {unit}" if unit else "a whole number"
    try:
        value = int(text)
    except ValueError:
        raise BadInput(FieldProblem(option, f"{text!r} is not {what}")) from None
    if not low <= value <= high:
        suffix = f" {unit}" if unit else ""
        raise BadInput(FieldProblem(option, f"must be between {low} and {high}{suffix}"))
    return value


def parse_in_range(text: str, option: str, limits: IntRange) -> int:
    """A whole number within one of ``domain.limits``' ranges."""
    return parse_whole(text, option, low=limits.low, high=limits.high, unit=limits.unit)

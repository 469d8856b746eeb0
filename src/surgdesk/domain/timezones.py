"""Department wall-clock time: naive local times are read in the department's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class LocalTimeError(ValueError):
    """A wall-clock time that does not exist or is ambiguous in the zone."""


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise LocalTimeError(f"unknown time zone {name!r}") from exc


def localize(naive: datetime, tz: ZoneInfo) -> datetime:
    """Attach ``tz`` to a wall-clock time, refusing DST gaps and folds.

    A time in a gap (clocks jump forward) does not round-trip through UTC; a time in a fold
    (clocks go back) maps to two instants depending on ``fold``. Both are refused rather
    than guessed, because an OR booking an hour off is worse than a question.
    """
    if naive.tzinfo is not None:
        raise ValueError("localize expects a naive datetime")
    first = naive.replace(tzinfo=tz, fold=0)
    second = naive.replace(tzinfo=tz, fold=1)
    if first.utcoffset() != second.utcoffset():
        back = first.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
        if back != naive:
            raise LocalTimeError(
                f"{naive:%Y-%m-%d %H:%M} does not exist in {tz.key} (daylight-saving change)"
            )
        raise LocalTimeError(
            f"{naive:%Y-%m-%d %H:%M} is ambiguous in {tz.key} (daylight-saving change)"
        )
    return first


def to_utc(value: datetime, tz: ZoneInfo) -> datetime:
    """An aware datetime as UTC; a naive one is read as department wall-clock time."""
    if value.tzinfo is None:
        value = localize(value, tz)
    return value.astimezone(UTC)


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants at which a department day starts and ends (23 or 25 h on DST days)."""
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def machine_zone_name() -> str:
    """The IANA name of this machine's zone, for a new database's default; UTC if unknown."""
    local = datetime.now().astimezone().tzinfo
    key = getattr(local, "key", None)
    if isinstance(key, str):
        return key
    try:
        from pathlib import Path

        link = Path("/etc/localtime").resolve()
        parts = link.parts
        if "zoneinfo" in parts:
            name = "/".join(parts[parts.index("zoneinfo") + 1 :])
            ZoneInfo(name)
            return name
    except (OSError, ValueError, ZoneInfoNotFoundError):
        pass
    return "UTC"

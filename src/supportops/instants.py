"""The one reader of instants, days, periods and durations a person types, and the clock.

Every CLI option, API parameter, page filter and YAML value naming a moment or a length of time
is read here, with one meaning everywhere:

- **An instant** is ISO 8601 (``2026-11-23T09:00``, ``2026-11-23T09:00:00Z``,
  ``2026-11-23T09:00+01:00``), a day (its local midnight), ``now``, ``today`` / ``yesterday``
  (local midnight), ``-7d`` / ``+2h`` / ``-1h30m`` (now moved by a duration), or a period
  (``last week``, ``this month``, ``2026-W46``, ``2026-11``, ``2026-Q4``, ``2026``: its start).
  **A naive instant is read in the report time zone**, never in UTC or the server's zone.
  The result is an aware UTC :class:`~datetime.datetime`.
- **A period** is a run of whole local days, **both ends included** (:class:`Period`); as
  instants it is the half-open ``[local midnight of first, local midnight after last)``.
  Forms: a day, ``today``, ``yesterday``, ``this|last week|month|quarter|year``, ``-7d`` (the
  7 days ending today, today included), ``-2w``, ``2026-W46``, ``2026-11``, ``2026-Q4``,
  ``2026``, and ``FROM..TO`` with a day form on each side.
- **A day bound** (``--from``/``--to``, ``start=``/``end=``) is any period form: ``--from``
  takes its first day, ``--to`` its last (``--from 2026-10 --to 2026-11`` is Oct 1 – Nov 30).
- **A duration** is ``30m``, ``4h``, ``3d``, ``1h30m`` or a number of seconds.

Instants and days lie in :data:`EARLIEST`..:data:`LATEST` (inside the range every engine and
pandas can hold); outside, and for anything unreadable, :class:`~supportops.errors.InstantError`
names the option and lists the accepted forms in one line.

The current instant comes from a :class:`Clock`: :class:`SystemClock` in production,
:class:`FrozenClock` in tests (``SUPPORTOPS_NOW`` freezes the default clock, for reproducible
runs). Nothing else in the package reads the wall clock.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from supportops.errors import InstantConflict, InstantError

__all__ = [
    "DAY_FORMS",
    "EARLIEST",
    "INSTANT_FORMS",
    "LATEST",
    "NOW_ENV",
    "Clock",
    "FrozenClock",
    "Period",
    "SystemClock",
    "default_clock",
    "format_duration",
    "local_midnight",
    "parse_day",
    "parse_duration",
    "parse_instant",
    "parse_period",
    "resolve_range",
]

EARLIEST, LATEST = date(1900, 1, 1), date(2200, 12, 31)
NOW_ENV = "SUPPORTOPS_NOW"
INSTANT_FORMS = (
    "2026-11-23T09:00 (report time zone), 2026-11-23T09:00Z, 2026-11-23, now, today, "
    "yesterday, -7d, -2h, last week, this month, 2026-W46, 2026-11, 2026-Q4"
)
DAY_FORMS = (
    "2026-11-23, today, yesterday, -7d, this week, last month, 2026-W46, 2026-11, 2026-Q4, "
    "2026, FROM..TO"
)
DURATION_FORMS = "30m, 4h, 3d, 1h30m or seconds"


class Clock(Protocol):
    """Where the current instant comes from."""

    def now(self) -> datetime:
        """The current instant, aware, in UTC."""
        ...


@dataclass(frozen=True)
class SystemClock:
    """The computer's clock."""

    def now(self) -> datetime:
        """The current instant, aware, in UTC."""
        return datetime.now(UTC)


@dataclass(frozen=True)
class FrozenClock:
    """A clock that always says ``at`` (tests, reproducible runs)."""

    at: datetime

    def now(self) -> datetime:
        """``at``, aware, in UTC (a naive ``at`` is UTC)."""
        moment = self.at if self.at.tzinfo else self.at.replace(tzinfo=UTC)
        return moment.astimezone(UTC)


def default_clock() -> Clock:
    """The system clock, or a frozen one at the instant in ``SUPPORTOPS_NOW`` (naive: UTC)."""
    moment = parse_instant(os.environ.get(NOW_ENV), "UTC", SystemClock(), key=NOW_ENV)
    return SystemClock() if moment is None else FrozenClock(moment)


# --- periods ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A run of whole local days, ``first`` and ``last`` both included."""

    first: date
    last: date

    def start(self, zone: str) -> datetime:
        """The period's first instant (local midnight of ``first``), in UTC."""
        return local_midnight(self.first, zone)

    def end(self, zone: str) -> datetime:
        """The first instant after the period (local midnight after ``last``), in UTC."""
        return local_midnight(self.last + timedelta(days=1), zone)

    @property
    def days(self) -> int:
        """How many days the period holds."""
        return (self.last - self.first).days + 1


def local_midnight(day: date, zone: str) -> datetime:
    """The instant a ``day`` starts in ``zone``, in UTC (the day after :data:`LATEST` too)."""
    return datetime.combine(day, time(), ZoneInfo(zone)).astimezone(UTC)


_GRAINS = ("week", "month", "quarter", "year")
_ISO_WEEK = re.compile(r"(\d{4})-?W(\d{2})", re.ASCII | re.IGNORECASE)
_QUARTER = re.compile(r"(\d{4})-?Q([1-4])", re.ASCII | re.IGNORECASE)
_MONTH = re.compile(r"(\d{4})-(\d{2})", re.ASCII)
_YEAR = re.compile(r"(\d{4})", re.ASCII)
_DAYS_BACK = re.compile(r"-(\d{1,5})([dw])", re.ASCII)
_RELATIVE = re.compile(r"([+-])((?:\d+(?:\.\d+)?[dhms])+)", re.ASCII)


def _grain_of(grain: str, day: date) -> Period:
    if grain == "week":
        first = day - timedelta(days=day.weekday())
        return Period(first, first + timedelta(days=6))
    months = {"month": 1, "quarter": 3, "year": 12}[grain]
    index = (day.year * 12 + day.month - 1) // months * months
    first = date(index // 12, index % 12 + 1, 1)
    after = index + months
    return Period(first, date(after // 12, after % 12 + 1, 1) - timedelta(days=1))


def _named(text: str, today: date) -> Period | None:
    """``today``, ``yesterday``, ``this|last GRAIN``, ``-7d``, ``-2w``."""
    if text in ("today", "yesterday"):
        day = today - timedelta(days=text == "yesterday")
        return Period(day, day)
    words = text.split()
    if len(words) == 2 and words[0] in ("this", "last") and words[1] in _GRAINS:
        current = _grain_of(words[1], today)
        return current if words[0] == "this" else _grain_of(words[1], current.first - timedelta(1))
    back = _DAYS_BACK.fullmatch(text)
    if back:
        count = int(back[1]) * (7 if back[2] == "w" else 1)
        return Period(today - timedelta(days=max(count, 1) - 1), today)
    return None


def _calendar(text: str) -> Period | None:
    """``2026-11-23``, ``2026-W46``, ``2026-Q4``, ``2026-11``, ``2026``; ValueError if invalid."""
    if match := _ISO_WEEK.fullmatch(text):
        first = date.fromisocalendar(int(match[1]), int(match[2]), 1)
        return Period(first, first + timedelta(days=6))
    if match := _QUARTER.fullmatch(text):
        return _grain_of("quarter", date(int(match[1]), int(match[2]) * 3 - 2, 1))
    if match := _MONTH.fullmatch(text):
        return _grain_of("month", date(int(match[1]), int(match[2]), 1))
    if match := _YEAR.fullmatch(text):
        return _grain_of("year", date(int(match[1]), 1, 1))
    if len(text) == 10 and text.isascii():
        day = date.fromisoformat(text)
        return Period(day, day)
    return None


def _single(text: str, today: date) -> Period | None:
    try:
        return _named(text, today) or _calendar(text)
    except (ValueError, OverflowError):
        return None


def _find(text: str, today: date) -> Period | None:
    """The period ``text`` (already cleaned) names, None when it names none."""
    if ".." not in text:
        return _single(text, today)
    low, _, high = text.partition("..")
    first, last = _single(low.strip(), today), _single(high.strip(), today)
    return Period(first.first, last.last) if first and last else None


def _in_range(period: Period, text: str, key: str) -> Period:
    if period.first > period.last:
        raise InstantError(f"{key}: {text!r} starts after it ends", key=key, value=text)
    if period.first < EARLIEST or period.last > LATEST:
        raise InstantError(f"{key}: {text!r} is outside {EARLIEST}..{LATEST}", key=key, value=text)
    return period


def _refuse(text: str, key: str, what: str, forms: str) -> InstantError:
    return InstantError(
        f"{key}: not {what}: {text!r} (accepted: {forms})", key=key, value=text, expected=forms
    )


def _clean(text: str) -> str:
    return " ".join(str(text).strip().lower().split())


def _today(clock: Clock, zone: str) -> date:
    return clock.now().astimezone(ZoneInfo(zone)).date()


def parse_period(text: str, zone: str, clock: Clock, key: str = "period") -> Period:
    """The :class:`Period` ``text`` names, ``today`` being the clock's day in ``zone``."""
    found = _find(_clean(text), _today(clock, zone))
    if found is None:
        raise _refuse(str(text), key, "a period", DAY_FORMS)
    return _in_range(found, str(text), key)


def parse_day(
    value: date | str | None, zone: str, clock: Clock, key: str, last: bool = False
) -> date | None:
    """A day bound: the first day of the period ``value`` names (its last with ``last``);
    an instant's local day in ``zone``. None stays None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return _checked_day(_aware(value, zone).astimezone(ZoneInfo(zone)).date(), key)
    if isinstance(value, date):
        return _checked_day(value, key)
    found = _find(_clean(value), _today(clock, zone))
    if found is None:
        moment = _iso(value.strip())
        if moment is None:
            raise _refuse(value, key, "a day", DAY_FORMS)
        return _checked_day(_aware(moment, zone).astimezone(ZoneInfo(zone)).date(), key)
    period = _in_range(found, value, key)
    return period.last if last else period.first


def _checked_day(day: date, key: str) -> date:
    if not EARLIEST <= day <= LATEST:
        raise InstantError(f"{key}: {day} is outside {EARLIEST}..{LATEST}", key=key, value=str(day))
    return day


def resolve_range(
    start: date | str | None,
    end: date | str | None,
    period: str | None,
    zone: str,
    clock: Clock,
    keys: tuple[str, str, str] = ("start", "end", "period"),
) -> tuple[date | None, date | None]:
    """The inclusive day range of ``start``/``end`` or ``period`` (not both); a start after
    the end is refused."""
    if period is not None and str(period).strip():
        if start is not None or end is not None:
            raise InstantConflict(
                f"{keys[2]}: give either {keys[2]} or {keys[0]}/{keys[1]}, not both", key=keys[2]
            )
        found = parse_period(period, zone, clock, keys[2])
        return found.first, found.last
    first = parse_day(start, zone, clock, keys[0])
    last = parse_day(end, zone, clock, keys[1], last=True)
    if first is not None and last is not None and first > last:
        raise InstantConflict(
            f"{keys[0]}: {first} is after {keys[1]} {last}", key=keys[0], value=str(first)
        )
    return first, last


# --- instants ---------------------------------------------------------------------------------


def _iso(text: str) -> datetime | None:
    if not text.isascii() or len(text) < 16 or text[4:5] != "-":
        return None
    try:
        return datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        return None


def _aware(moment: datetime, zone: str) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=ZoneInfo(zone))


def parse_instant(
    value: datetime | date | str | None, zone: str, clock: Clock, key: str = "as_of"
) -> datetime | None:
    """The aware UTC instant ``value`` names (see the module docstring); None stays None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return _checked(_aware(value, zone).astimezone(UTC), str(value), key)
    if isinstance(value, date):
        return _checked(local_midnight(value, zone), str(value), key)
    text = " ".join(value.strip().split())
    lowered = text.lower()
    now = clock.now()
    if lowered == "now":
        return now
    if match := _RELATIVE.fullmatch(lowered):
        step = timedelta(seconds=parse_duration(match[2], key))
        return _checked(now - step if match[1] == "-" else now + step, text, key)
    moment = _iso(text)
    if moment is not None:
        return _checked(_aware(moment, zone).astimezone(UTC), text, key)
    found = _find(lowered, _today(clock, zone))
    if found is None:
        raise _refuse(text, key, "an instant", INSTANT_FORMS)
    return _in_range(found, text, key).start(zone)


def _checked(moment: datetime, text: str, key: str) -> datetime:
    if not local_midnight(EARLIEST, "UTC") <= moment < local_midnight(LATEST, "UTC"):
        raise InstantError(f"{key}: {text!r} is outside {EARLIEST}..{LATEST}", key=key, value=text)
    return moment


# --- durations --------------------------------------------------------------------------------

_UNITS = {"d": 86_400, "h": 3_600, "m": 60, "s": 1}
_PART = re.compile(r"(\d+(?:\.\d+)?)([dhms])", re.ASCII)
_NUMBER = re.compile(r"\d+(?:\.\d+)?", re.ASCII)
_LONGEST = 100 * 366 * 86_400


def parse_duration(text: str | int | float, key: str | None = None) -> int:
    """Whole seconds for ``text``; a bare number is seconds (at most a century). ``key``
    names the option or setting in the error.

    >>> parse_duration("1h30m")
    5400
    >>> parse_duration("3d")
    259200
    """
    where = f"{key}: " if key else ""
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        raise InstantError(f"{where}not a duration: {text!r}", key=key, expected=DURATION_FORMS)
    if isinstance(text, int | float):
        if not 0 <= text <= _LONGEST:
            raise InstantError(f"{where}a duration lies between 0 and 100 years: {text!r}", key=key)
        return round(text)
    cleaned = text.strip().lower().replace(" ", "")
    if _NUMBER.fullmatch(cleaned):
        return parse_duration(float(cleaned), key)
    parts = _PART.findall(cleaned)
    if not parts or "".join(n + u for n, u in parts) != cleaned:
        raise InstantError(
            f"{where}not a duration: {text!r} (expected e.g. {DURATION_FORMS})",
            key=key,
            value=text,
            expected=DURATION_FORMS,
        )
    return parse_duration(sum(float(n) * _UNITS[u] for n, u in parts), key)


def format_duration(seconds: float) -> str:
    """Write ``seconds`` the way a person reads it: ``1h30m``, ``3d``, ``45s``."""
    remaining = round(seconds)
    if remaining == 0:
        return "0s"
    out = []
    for unit, size in _UNITS.items():
        count, remaining = divmod(remaining, size)
        if count:
            out.append(f"{count}{unit}")
    return "".join(out)

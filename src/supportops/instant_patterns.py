"""The instant reader's language as regular expressions, for the API's OpenAPI description.

:mod:`supportops.instants` reads what a person types; an API client needs the same language as
a schema it can check before sending. :data:`DAY_PATTERN`, :data:`PERIOD_PATTERN` and
:data:`INSTANT_PATTERN` are built from the reader's forms, so that **every string they match is
read by the reader** (``tests/instants/test_patterns.py`` draws strings from them and parses
each one). They are a documented subset, narrower where a regular expression cannot follow the
reader:

- years 1901–2199 (the reader's :data:`~supportops.instants.EARLIEST`..
  :data:`~supportops.instants.LATEST` less a year at each end, so that a week, an offset or a
  relative form near an edge cannot fall outside);
- real calendar days only (``02-29`` in leap years), ``W53`` only in years that have one;
- lower-case words (``today``, ``last week``) with one space; ``W``/``Q`` in either case;
- ``-Nd`` up to 4 digits and ``-Nw`` up to 3 (periods); relative instants in ``d h m s`` order,
  whole numbers, at most about 88 years in all (so they stay in range while the present lies
  between 1990 and 2110);
- ``FROM..TO`` ranges are not part of ``period=``: give ``start=`` and ``end=`` instead (their
  order is a rule between two parameters, which a schema cannot state).

The API enforces the patterns, so a request the schema accepts is one the API answers.
"""

from __future__ import annotations

import calendar
from datetime import date

__all__ = ["DAY_PATTERN", "FIRST_YEAR", "INSTANT_PATTERN", "LAST_YEAR", "PERIOD_PATTERN"]

FIRST_YEAR, LAST_YEAR = 1901, 2199


def _alternatives(values: list[str]) -> str:
    return "(?:" + "|".join(values) + ")"


_YEAR = "(?:19(?:0[1-9]|[1-9][0-9])|20[0-9]{2}|21[0-9]{2})"
_LEAP = _alternatives([str(y) for y in range(FIRST_YEAR, LAST_YEAR + 1) if calendar.isleap(y)])
_LONG_WEEKS = _alternatives(
    [str(y) for y in range(FIRST_YEAR, LAST_YEAR + 1) if date(y, 12, 28).isocalendar()[1] == 53]
)
_MONTH_DAY = (
    "(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    "|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    "|02-(?:0[1-9]|1[0-9]|2[0-8]))"
)
_DATE = f"(?:{_YEAR}-{_MONTH_DAY}|{_LEAP}-02-29)"
_WEEK = f"(?:{_YEAR}-?[Ww](?:0[1-9]|[1-4][0-9]|5[0-2])|{_LONG_WEEKS}-?[Ww]53)"
_QUARTER = f"{_YEAR}-?[Qq][1-4]"
_MONTH = f"{_YEAR}-(?:0[1-9]|1[0-2])"
_NAMED = "(?:today|yesterday|(?:this|last) (?:week|month|quarter|year))"
_DAYS_BACK = "(?:-[0-9]{1,4}d|-[0-9]{1,3}w)"
_SINGLE = f"(?:{_DATE}|{_WEEK}|{_QUARTER}|{_MONTH}|{_YEAR}|{_NAMED}|{_DAYS_BACK})"

_CLOCK = "(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\\.[0-9]{1,6})?)?"
_OFFSET = "(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
_ISO = f"{_DATE}T{_CLOCK}{_OFFSET}?"
_H, _M, _S = "[0-9]{1,5}h", "[0-9]{1,7}m", "[0-9]{1,9}s"
_SHIFT = _alternatives(
    [
        f"[0-9]{{1,4}}d(?:{_H})?(?:{_M})?(?:{_S})?",
        f"{_H}(?:{_M})?(?:{_S})?",
        f"{_M}(?:{_S})?",
        _S,
    ]
)
_RELATIVE = f"(?:now|[+-]{_SHIFT})"

DAY_PATTERN = f"^{_SINGLE}$"
"""``start=``/``end=``: a day or any single period form (its first or last day)."""
PERIOD_PATTERN = DAY_PATTERN
"""``period=``: any single period form."""
INSTANT_PATTERN = f"^(?:{_ISO}|{_RELATIVE}|{_SINGLE})$"
"""``as_of=``: an ISO instant, ``now``, a shift from now, or a period (its start)."""

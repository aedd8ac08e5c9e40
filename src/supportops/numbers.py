"""Numbers as a manager reads them: 1,234 · 3h 12m · 87.5% · $12.40 · 4.25 · +4.1 pts — one
way for the web pages, the executive report and the command line alike.

>>> fmt(0.8734, "rate")
'87.3%'
>>> fmt(11520, "seconds")
'3h 12m'
>>> change(0.88, 0.85, "rate")
'+3.0 pts'
>>> local("2024-02-29T18:37:22Z", "America/New_York")
'2024-02-29 13:37'
"""

from __future__ import annotations

import math
import sys
from typing import Any

__all__ = ["SYMBOLS", "change", "duration", "fmt", "local", "missing", "short"]

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}


def missing(value: Any) -> bool:
    """No value: None, NaN or pandas' NA (without importing pandas: a value cannot be its NA
    unless pandas is loaded already, and the command line starts without it)."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    pandas = sys.modules.get("pandas")
    return pandas is not None and (value is pandas.NA or value is pandas.NaT)


def duration(seconds: float) -> str:
    """``95`` → ``1m 35s``; ``11520`` → ``3h 12m``; ``200000`` → ``2d 7h``."""
    sign, seconds = ("−" if seconds < 0 else ""), abs(round(seconds))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{sign}{days}d {hours}h"
    if hours:
        return f"{sign}{hours}h {minutes}m"
    return f"{sign}{minutes}m {secs}s" if minutes else f"{sign}{secs}s"


def fmt(value: Any, unit: str, currency: str = "USD") -> str:
    """``value`` in ``unit`` (count, seconds, rate, currency, hours; any other, such as a score,
    with two decimals); an em dash for none."""
    if missing(value):
        return "—"
    number = float(value)
    if unit == "count":
        return f"{number:,.0f}"
    if unit == "rate":
        return f"{number * 100:.1f}%"
    if unit == "seconds":
        return duration(number)
    if unit == "currency":
        symbol = SYMBOLS.get(currency)
        return f"{symbol}{number:,.2f}" if symbol else f"{number:,.2f} {currency}"
    if unit == "hours":
        return f"{number:,.0f} h" if number >= 10 else f"{number:,.1f} h"
    return f"{number:,.2f}"


def short(value: float, unit: str, currency: str = "USD") -> str:
    """A round value as an axis tick writes it: :func:`fmt` without the zeros it carries
    (``90%``, ``2h``, ``1h 30m``, ``1,500``)."""
    if unit == "rate":
        return f"{value * 100:.1f}".removesuffix(".0") + "%"
    if unit == "seconds":
        parts = [p for p in duration(value).split(" ") if p.lstrip("−")[:-1] != "0"]
        return " ".join(parts) or "0s"
    return fmt(value, unit, currency)


def change(now: Any, before: Any, unit: str, currency: str = "USD") -> str:
    """The change from ``before`` to ``now``: points for rates, relative for the rest."""
    if missing(now) or missing(before):
        return "—"
    delta = float(now) - float(before)
    if unit == "rate":
        return f"{delta * 100:+.1f} pts"
    if float(before) == 0:
        return "new" if delta else "±0"
    return f"{delta / abs(float(before)) * 100:+.1f}%"


def local(moment: Any, zone: str, seconds: bool = False) -> str:
    """An instant (a datetime, a pandas Timestamp or ISO 8601 text; naive means UTC) as the
    wall clock of ``zone`` reads it — ``2024-02-29 13:37``, with ``seconds`` ``13:37:22``; an
    em dash for none. Whatever shows it names the zone once (a heading, a column title)."""
    import pandas as pd  # here: the CLI imports this module at start-up

    if missing(moment) or moment == "":
        return "—"
    stamp = pd.Timestamp(moment)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp
    shape = "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"
    return str(stamp.tz_convert(zone).strftime(shape))

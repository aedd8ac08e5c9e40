"""Durations as written in supportops.yaml: ``30m``, ``4h``, ``3d``, ``1h30m``, or seconds."""

from __future__ import annotations

import re

__all__ = ["format_duration", "parse_duration"]

_UNITS = {"d": 86_400, "h": 3_600, "m": 60, "s": 1}
_PART = re.compile(r"(\d+(?:\.\d+)?)([dhms])")


def parse_duration(text: str | int | float) -> int:
    """Return whole seconds for ``text``; a bare number is seconds.

    >>> parse_duration("1h30m")
    5400
    >>> parse_duration("3d")
    259200
    """
    if isinstance(text, bool):
        raise ValueError(f"not a duration: {text!r}")
    if isinstance(text, int | float):
        if text < 0:
            raise ValueError(f"a duration cannot be negative: {text!r}")
        return round(text)
    cleaned = text.strip().lower().replace(" ", "")
    if re.fullmatch(r"\d+(?:\.\d+)?", cleaned):
        return round(float(cleaned))
    parts = _PART.findall(cleaned)
    if not parts or "".join(n + u for n, u in parts) != cleaned:
        raise ValueError(f"not a duration: {text!r} (expected e.g. 30m, 4h, 3d, 1h30m)")
    return round(sum(float(n) * _UNITS[u] for n, u in parts))


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

"""Durations as written in supportops.yaml: ``30m``, ``4h``, ``3d``, ``1h30m``, or seconds.

The reader lives in :mod:`supportops.instants` (the one reader of time as typed); this module
keeps the old import path.
"""

from __future__ import annotations

from supportops.instants import format_duration, parse_duration

__all__ = ["format_duration", "parse_duration"]

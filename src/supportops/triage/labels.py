"""What a triage model learns to predict: each ticket's final value of a target field, with
the classes too rare to learn merged into ``other``.

Targets are data: ``group`` and ``category`` (the ticket's ``type``) are columns, ``tags`` is
the ticket's first tag, and ``custom.<field>`` a field of the ticket's ``custom`` object.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pandas as pd

from supportops.errors import TriageError

__all__ = ["COLUMN_TARGETS", "OTHER", "Labels", "merge_rare", "target_labels"]

OTHER = "other"
COLUMN_TARGETS = {"group": "group", "category": "type", "priority": "priority"}


@dataclass(frozen=True)
class Labels:
    """Labels after merging: ``values`` per ticket, and the classes merged into ``other``."""

    values: pd.Series
    merged: tuple[str, ...]


def target_labels(frame: pd.DataFrame, target: str) -> pd.Series:
    """Each ticket's label for ``target`` (None where the ticket has none)."""
    if target in COLUMN_TARGETS:
        values = frame[COLUMN_TARGETS[target]]
    elif target == "tags":
        values = frame["tags"].map(_first, na_action="ignore")
    elif target.startswith("custom.") and len(target) > len("custom."):
        field = target.removeprefix("custom.")
        parsed = frame["custom"].map(json.loads, na_action="ignore")
        values = parsed.map(lambda obj: obj.get(field) if isinstance(obj, dict) else None)
    else:
        raise TriageError(
            f"--target {target!r}: expected group, category, priority, tags or custom.<field>",
            target=target,
        )
    labels = values.astype("object").where(values.notna(), None)
    text = labels.map(str, na_action="ignore").str.strip()
    return text.where(text.ne(""), None)


def _first(tags: Any) -> str | None:
    items = [tags] if isinstance(tags, str) else list(tags)
    return str(items[0]) if items and items[0] is not None else None


def merge_rare(labels: pd.Series, min_examples: int) -> Labels:
    """Classes with fewer than ``min_examples`` labelled tickets become :data:`OTHER`."""
    counts = labels.value_counts()
    rare = counts.index[counts < min_examples]
    merged = labels.where(~labels.isin(rare), OTHER)
    return Labels(merged, tuple(sorted(str(name) for name in rare)))

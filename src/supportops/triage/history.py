"""Training on a workspace's history or on a labelled file: texts and labels in, a saved
model with its card out. The I/O edge of triage (the core is pure over arrays)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from supportops.errors import InputError, TriageError
from supportops.triage.labels import merge_rare, target_labels
from supportops.triage.saved import data_signature, save
from supportops.triage.split import Split, class_holdout, time_split
from supportops.triage.texts import ticket_text
from supportops.triage.training import Trained, train

__all__ = ["MIN_EXAMPLES", "labelled_tickets", "read_labelled_csv", "train_and_save"]

MIN_EXAMPLES = 10
"""Classes with fewer labelled tickets than this are merged into ``other``."""


def labelled_tickets(texts: pd.DataFrame, target: str) -> pd.DataFrame:
    """From :func:`~supportops.store.texts.ticket_texts`: ``text``, ``label`` (final value of
    ``target``) and ``created_at`` of the tickets that have both, oldest first."""
    frame = pd.DataFrame(
        {
            "ticket_id": texts["ticket_id"],
            "created_at": texts["created_at"],
            "text": ticket_text(texts["subject"], texts["first_message"]),
            "label": target_labels(texts, target),
        }
    )
    return frame[frame["text"].ne("") & frame["label"].notna()].reset_index(drop=True)


def read_labelled_csv(path: Path, text: str, label: str, time: str | None = None) -> pd.DataFrame:
    """A labelled file as ``text``, ``label`` (and ``created_at`` from ``time``); a missing
    column is an :class:`InputError` naming the file and the column."""
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read as CSV ({exc})", file=str(path)) from exc
    for column in (text, label, time):
        if column is not None and column not in raw.columns:
            raise InputError(
                f"{path}: no column {column!r} (columns: {', '.join(raw.columns)})",
                file=str(path),
                column=column,
            )
    frame = pd.DataFrame({"text": raw[text].str.strip(), "label": raw[label].str.strip()})
    if time is not None:
        frame["created_at"] = pd.to_datetime(raw[time], utc=True, errors="coerce")
        bad = frame["created_at"].isna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0]) + 2
            raise InputError(
                f"{path}:{row}: column {time!r}: {raw[time].iloc[row - 2]!r} is not a time",
                file=str(path),
                row=row,
                column=time,
            )
    return frame[frame["text"].ne("") & frame["label"].ne("")].reset_index(drop=True)


def _split(frame: pd.DataFrame, has_test: bool) -> Split:
    if "created_at" in frame:
        test = 0.0 if has_test else 0.15
        return time_split(frame["created_at"], validation=0.15, test=test)
    return class_holdout(frame["label"])


def train_and_save(
    folder: Path,
    name: str,
    frame: pd.DataFrame,
    card: dict[str, Any],
    trained_at: datetime,
    min_examples: int = MIN_EXAMPLES,
    target_accuracy: float = 0.99,
    kinds: Sequence[str] | None = None,
    test: pd.DataFrame | None = None,
) -> tuple[Trained, dict[str, Any]]:
    """Merge rare classes, split (in time when dated), train, evaluate and save as ``name``."""
    if frame.empty:
        raise TriageError(f"no labelled tickets with text for {name!r}", target=name)
    labels = merge_rare(frame["label"], min_examples)
    values = labels.values.to_numpy(dtype=object)
    split = _split(frame, test is not None)
    if test is not None:
        known = set(values)
        held = test["label"].where(test["label"].isin(known), "other").to_numpy(dtype=object)
        held_out: tuple[list[str], np.ndarray] | None = (test["text"].tolist(), held)
    elif len(split.test):
        held_out = (frame["text"].iloc[split.test].tolist(), values[split.test])
    else:
        held_out = None
    texts = frame["text"].tolist()
    trained = train(texts, values, split.train, split.validation, target_accuracy, kinds, held_out)
    learned = split.train
    mix = pd.Series(values[learned]).value_counts()
    judged = held_out[1] if held_out is not None else values[split.validation]
    majority = mix.index[0]
    full = {
        **card,
        "trained_at": trained_at.isoformat(),
        "signature": data_signature([texts[i] for i in learned], list(values[learned])),
        "rows": {
            "train": len(split.train),
            "validation": len(split.validation),
            "test": 0 if held_out is None else len(held_out[1]),
        },
        "merged_into_other": list(labels.merged),
        "min_examples": min_examples,
        "class_mix": {str(k): int(v) for k, v in mix.items()},
        "majority_class": str(majority),
        "majority_accuracy": float(np.mean(judged == majority)),
    }
    if "created_at" in frame:
        dates = frame["created_at"]
        full["data_from"] = dates.min().isoformat()
        full["data_to"] = dates.max().isoformat()
    return trained, save(folder, name, trained, full)

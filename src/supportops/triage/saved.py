"""A trained model saved in the workspace, with its card: what it predicts, the signature of
the data it learned from, when, and what it measured.

``<workspace>/triage/<name>.joblib`` holds the fitted model (the embedding encoder is not in
it: it is the installed package's); ``<name>.json`` beside it is the card, readable by people
and by the Triage page without loading the model.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from supportops.errors import TriageError
from supportops.triage.training import Trained

__all__ = [
    "FOLDER",
    "SavedModel",
    "card_path",
    "data_signature",
    "list_cards",
    "load",
    "read_card",
    "save",
]

FOLDER = "triage"
FORMAT = 1


def data_signature(texts: Sequence[str], labels: Sequence[str]) -> str:
    """A hash of the training texts and labels: the same data gives the same signature."""
    digest = hashlib.sha256()
    for text, label in zip(texts, labels, strict=True):
        digest.update(f"{text}\x1f{label}\x1e".encode())
    return "sha256:" + digest.hexdigest()[:32]


def card_path(folder: Path, name: str) -> Path:
    """Where the card of model ``name`` lives under ``folder`` (the workspace)."""
    return folder / FOLDER / f"{name}.json"


@dataclass
class SavedModel:
    """A model read back: the fitted :class:`Trained` and its card."""

    trained: Trained
    card: dict[str, Any]

    @property
    def target(self) -> str:
        return str(self.card["target"])

    def proba(self, texts: Sequence[str]) -> np.ndarray:
        return self.trained.proba(texts)


def _records(frame: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = json.loads(frame.to_json(orient="records"))
    return out


def save(folder: Path, name: str, trained: Trained, card: dict[str, Any]) -> dict[str, Any]:
    """Write model ``name`` and its card (``card`` plus the figures of ``trained``); the card."""
    import joblib

    judged = trained.test or trained.validation
    full = {
        "format": FORMAT,
        "name": name,
        **card,
        "model": trained.model.kind,
        "classes": [str(c) for c in trained.model.classes_],
        "temperature": trained.temperature,
        "threshold": trained.threshold,
        "target_accuracy": trained.target_accuracy,
        "candidates": [vars(c) for c in trained.candidates],
        "validation": trained.validation.figures(),
        "test": trained.test.figures() if trained.test else None,
        "curve": _records(judged.curve),
        "reliability": _records(judged.reliability),
        "per_class": _records(judged.per_class),
        "confusions": _records(judged.confusions),
    }
    path = card_path(folder, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(trained, path.with_suffix(".joblib"))
    path.write_text(json.dumps(full, indent=2, default=str) + "\n")
    return full


def read_card(folder: Path, name: str) -> dict[str, Any]:
    """The card of model ``name``; :class:`TriageError` when there is none."""
    path = card_path(folder, name)
    if not path.is_file():
        raise TriageError(
            f"no triage model {name!r} in {path.parent} "
            f"(train one with `supportops triage train --target {name}`)",
            target=name,
            path=str(path),
        )
    card: dict[str, Any] = json.loads(path.read_text())
    return card


def load(folder: Path, name: str) -> SavedModel:
    """Model ``name`` and its card, read back from the workspace."""
    import joblib

    card = read_card(folder, name)
    path = card_path(folder, name).with_suffix(".joblib")
    try:
        trained = joblib.load(path)
    except (OSError, EOFError, AttributeError, ImportError, ValueError) as exc:
        raise TriageError(
            f"{path}: cannot read the saved model ({exc}); train it again", path=str(path)
        ) from exc
    return SavedModel(trained, card)


def list_cards(folder: Path) -> list[dict[str, Any]]:
    """Every model card of the workspace, by name."""
    return [json.loads(p.read_text()) for p in sorted((folder / FOLDER).glob("*.json"))]

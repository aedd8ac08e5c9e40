"""What the Triage page shows of one saved model: its card's figures and tables, and how it
does on the tickets created since its training data ended (accuracy as final labels arrive,
class-mix drift, a retrain hint)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from supportops.store.base import Store
from supportops.store.texts import ticket_texts
from supportops.triage.history import labelled_tickets
from supportops.triage.monitoring import Monitoring, monitor
from supportops.triage.saved import list_cards, load

__all__ = ["model_names", "since_training"]


def model_names(folder: Path) -> list[str]:
    """The saved models of the workspace, ``group`` first when there is one."""
    names = [str(card["name"]) for card in list_cards(folder)]
    return sorted(names, key=lambda n: (n != "group", n))


def since_training(folder: Path, store: Store, name: str) -> Monitoring | None:
    """Monitoring of model ``name`` on the workspace's tickets created after its training data
    (None for a model trained on a file)."""
    saved = load(folder, name)
    card: dict[str, Any] = saved.card
    if card.get("source") != "workspace" or "data_to" not in card:
        return None
    frame = labelled_tickets(ticket_texts(store), saved.target)
    later = frame[frame["created_at"] > pd.Timestamp(card["data_to"])]
    return monitor(saved, later.reset_index(drop=True))

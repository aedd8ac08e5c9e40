"""Quality assurance: IQS and scores by category from the ``reviews`` table, scored by the
``qa:`` scorecards of ``supportops.yaml`` the way Zendesk QA and MaestroQA score."""

from __future__ import annotations

from supportops.metrics.catalog import DrillSpec, Metric
from supportops.metrics.definitions.common import QA, define

__all__ = ["qa_metrics"]

_WHEN = "the review's at"


def qa_metrics() -> list[Metric]:
    """``iqs`` and ``qa_category_score``."""
    return [
        define(
            "iqs",
            QA,
            "points",
            "reviews",
            "review_score",
            "Internal quality score: the mean of review scores (%). A review scores the "
            "weighted mean of its rated categories ((rating − min) / (max − min) × 100; N/A "
            "left out; bonus categories on top), 0 when a critical category is below 50% or "
            "an auto-fail category is selected. Calibration-session reviews are left out. "
            "`supportops qa scores` gives each with its interval.",
            "reviews (outside calibration sessions)",
            _WHEN,
            drill=DrillSpec("reviews"),
        ),
        define(
            "qa_category_score",
            QA,
            "points",
            "review_ratings",
            "CASE WHEN kind <> 'auto_fail' THEN pct END",
            "Scores by category: the mean rating of a category as (rating − min) / (max − "
            "min) × 100 over the reviews that rated it (N/A left out), without the critical "
            "zeroing; `--by category` splits per category.",
            "rated categories of reviews (outside calibration sessions)",
            _WHEN,
            drill=DrillSpec("reviews"),
        ),
    ]

"""Survey answers: CSAT (1-5) on about a quarter of solved tickets and NPS (0-10) on fewer.

The chance of a happy answer is logistic in the log of the full resolution time and in the
first-reply time, and lower after a reopen, so scores fall with waiting as they do in real
queues. Answers come a few hours after the last solve; about a third carry a short comment.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from supportops.demo.clock import HOUR
from supportops.demo.columns import NONE, Floats, Ints, labels, make_table, timestamps
from supportops.demo.content import NEGATIVE_COMMENTS, POSITIVE_COMMENTS
from supportops.demo.events import EventLog
from supportops.demo.lifecycle import Timeline
from supportops.demo.render import ticket_ids
from supportops.demo.tickets import Tickets

__all__ = ["CSAT_SHARE", "NPS_SHARE", "happiness", "surveys_table"]

CSAT_SHARE = 0.25
NPS_SHARE = 0.08
COMMENT_SHARE = 0.35
_COMMENTS = (*POSITIVE_COMMENTS, *NEGATIVE_COMMENTS)


def happiness(resolution_hours: Floats, first_reply_hours: Floats, reopened: np.ndarray) -> Floats:
    """Chance that a customer is satisfied, falling with every hour of waiting."""
    score = 3.2 - 0.5 * np.log1p(resolution_hours) - 0.03 * first_reply_hours - 0.6 * reopened
    return np.asarray(1.0 / (1.0 + np.exp(-score)), dtype=np.float64)


def _csat(happy: np.ndarray, rng: np.random.Generator) -> Ints:
    good = rng.choice([4, 5], size=len(happy), p=[0.3, 0.7])
    bad = rng.choice([1, 2, 3], size=len(happy), p=[0.4, 0.25, 0.35])
    return np.where(happy, good, bad)


def _nps(chance: Floats, rng: np.random.Generator) -> Ints:
    return np.clip(np.round(rng.normal(4 + 6 * chance, 1.8)), 0, 10).astype(np.int64)


def surveys_table(
    t: Tickets, line: Timeline, log: EventLog, end: int, rng: np.random.Generator
) -> pa.Table:
    """The ``surveys`` table of the chunk: answers given by ``end`` on solved tickets."""
    solved = np.flatnonzero(log.solved_at != NONE)
    first_reply = np.where(line.public[solved, 0], line.reply[solved, 0], log.solved_at[solved])
    waited = (first_reply - line.message[solved, 0]) / HOUR
    resolution = (log.solved_at[solved] - t.created[solved]) / HOUR
    chance = happiness(resolution, waited, line.reopened[solved])
    parts = []
    for survey, share in (("csat", CSAT_SHARE), ("nps", NPS_SHARE)):
        asked = rng.random(len(solved)) < share
        rows, p = solved[asked], chance[asked]
        happy = rng.random(len(rows)) < p
        score = _csat(happy, rng) if survey == "csat" else _nps(p, rng)
        delay = np.clip(rng.lognormal(np.log(4 * HOUR), 1.0, len(rows)), 300, 5 * 24 * HOUR)
        at = log.solved_at[rows] + delay.astype(np.int64)
        said = rng.random(len(rows)) < COMMENT_SHARE
        pick = rng.integers(0, len(POSITIVE_COMMENTS), len(rows))
        comment = np.where(said, np.where(happy, pick, pick + len(POSITIVE_COMMENTS)), NONE)
        parts.append((rows, at, np.full(len(rows), survey == "nps"), score, comment))
    rows, at, nps, score, comment = (np.concatenate(c) for c in zip(*parts, strict=True))
    keep = at <= end
    return make_table(
        "surveys",
        int(keep.sum()),
        {
            "ticket_id": ticket_ids(t.number[rows[keep]]),
            "source": "demo",
            "at": timestamps(at[keep]),
            "survey": labels(("csat", "nps"), nps[keep].astype(np.int64)),
            "score": pa.array(score[keep].astype(np.float64)),
            "comment": labels(_COMMENTS, comment[keep]),
        },
    )

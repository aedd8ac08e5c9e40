"""QA reviews: a fair random sample of solved tickets scored by four QA reviewers, and weekly
calibration sessions where every reviewer scores the same conversations.

Each ticket has a latent quality: its agent's skill (fixed per agent for the whole window),
lower for a new hire in their first weeks (:data:`NEW_HIRE_GAP` times their ramp), after a
reopen and a long resolution, plus noise. A reviewer sees it through their own
bias (one is strict, one lenient) and noise; ``tone`` is judged much more loosely than
``solution``, so calibration finds it unreliable. Ratings land on each category's scale of the
demo scorecard (``support@1`` in the demo ``supportops.yaml``).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from supportops.demo.clock import DAY, HOUR
from supportops.demo.columns import NONE, Floats, Ints, labels, make_table, timestamps
from supportops.demo.events import EventLog
from supportops.demo.lifecycle import Timeline
from supportops.demo.render import ticket_ids
from supportops.demo.scenario import World
from supportops.demo.tickets import Tickets

__all__ = ["CATEGORIES", "REVIEWERS", "reviews_table"]

REVIEWERS = ("qa-lead", "qa-maria", "qa-tom", "qa-kofi")
_BIAS = np.array([0.0, -0.25, 0.05, 0.2])  # qa-maria strict, qa-kofi lenient
# category id, scale high (0 = binary), offset, judging noise
CATEGORIES = (
    ("solution", 4, 0.6, 0.1),
    ("process", 0, 1.1, 0.25),
    ("tone", 5, 0.7, 1.1),
    ("grammar", 3, 0.5, 0.15),
)
NEW_HIRE_GAP = 1.5  # latent quality a new hire lacks on their first day
REVIEWED_SHARE = 0.05
CALIBRATION_SHARE = 0.004
_COMMENTS = (
    "Wrong answer sent to the customer",
    "Missed the refund policy",
    "Did not check the account first",
    "Great save on a tricky case",
)


def _skill(world: World) -> Floats:
    """One skill per agent, the same in every chunk."""
    rng = np.random.default_rng([world.scenario.seed, 18])
    return rng.normal(0.0, 0.6, len(world.agents.ids))


def _ratings(latent: Floats, fast: Floats, rng: np.random.Generator) -> tuple[Floats, Ints]:
    """(rating, category code) per (row, category), rows × categories flattened. ``process``
    is mostly whether the first reply came within 4 hours, as the auto-QA check sees it."""
    out, codes = [], []
    for code, (name, high, offset, noise) in enumerate(CATEGORIES):
        base = 0.3 * latent + 2.4 * (fast - 0.5) if name == "process" else latent
        y = base + offset + rng.normal(0, noise, len(latent))
        if high == 0:
            rating = (y > 0).astype(float)
        else:
            rating = np.clip(np.round(high - 0.6 + 0.9 * y * (high - 1) / 3), 1, high)
        out.append(rating)
        codes.append(np.full(len(latent), code))
    return np.column_stack(out).ravel(), np.column_stack(codes).ravel()


def reviews_table(
    t: Tickets, line: Timeline, log: EventLog, world: World, rng: np.random.Generator
) -> pa.Table:
    """The ``reviews`` table of the chunk: rating rows of reviews given by the window's end."""
    solved = np.flatnonzero((log.solved_at != NONE) & (log.assignee != NONE))
    draw = rng.random(len(solved))
    fair = solved[draw < REVIEWED_SHARE]
    calibrated = solved[draw > 1 - CALIBRATION_SHARE]
    tickets = np.concatenate([fair, np.repeat(calibrated, len(REVIEWERS))])
    reviewer = np.concatenate(
        [
            rng.integers(0, len(REVIEWERS), len(fair)),
            np.tile(np.arange(len(REVIEWERS)), len(calibrated)),
        ]
    )
    session = np.concatenate([np.full(len(fair), NONE), np.repeat(calibrated, len(REVIEWERS))])
    days = (log.solved_at[tickets] - t.created[tickets]) / DAY
    agent = log.assignee[tickets]
    ramp = world.agents.ramp(agent, (t.created[tickets] - world.begin) / DAY)
    quality = _skill(world)[agent] - NEW_HIRE_GAP * ramp - 0.9 * line.reopened[tickets]
    quality = quality - 0.25 * np.log1p(days) + rng.normal(0, 0.6, t.count)[tickets]
    latent = quality + _BIAS[reviewer] + rng.normal(0, 0.12, len(tickets))
    at = log.solved_at[tickets] + rng.integers(DAY // 2, 6 * DAY, t.count)[tickets]
    keep = at <= world.end
    tickets, reviewer, session, latent, at = (
        a[keep] for a in (tickets, reviewer, session, latent, at)
    )
    first = np.where(line.public[tickets, 0], line.reply[tickets, 0], NONE)
    fast = ((first != NONE) & (first - t.created[tickets] <= 4 * HOUR)).astype(float)
    rating, category = _ratings(latent, fast, rng)
    k = len(CATEGORIES)
    row = np.repeat(np.arange(len(tickets)), k)
    na = (category == 1) & (rng.random(len(rating)) < 0.04)  # process N/A on a few
    comment = np.where((category == 0) & (rating <= 2), rng.integers(0, 3, len(rating)), NONE)
    comment = np.where(
        (category == 0) & (rating == 4) & (rng.random(len(rating)) < 0.1), 3, comment
    )
    number = t.number[tickets]
    ids = pc.binary_join_element_wise(
        ticket_ids(number[row]), labels(REVIEWERS, reviewer[row]), "-"
    )
    sessions = session[row]
    week = (log.solved_at[np.maximum(sessions, 0)] - world.begin) // (7 * DAY)
    return make_table(
        "reviews",
        len(rating),
        {
            "review_id": ids,
            "source": "demo",
            "ticket_id": ticket_ids(number[row]),
            "agent_id": labels(world.agents.ids, log.assignee[tickets][row]),
            "reviewer_id": labels(REVIEWERS, reviewer[row]),
            "at": timestamps(at[row]),
            "scorecard": "support@1",
            "category": labels(tuple(c[0] for c in CATEGORIES), category),
            "rating": pa.array(rating, mask=na),
            "na": pa.array(na),
            "comment": labels(_COMMENTS, comment),
            "calibration_session": labels(
                tuple(f"calibration-week-{w + 1}" for w in range(60)),
                np.where(sessions == NONE, NONE, np.clip(week, 0, 59)),
            ),
        },
    )

"""Benchmark: knowledge gaps found among withheld topics of BANKING77.

    .venv/bin/python bench/bench_knowledge.py

The help center "knows" 62 of the 77 intents: one article per known intent, titled with the
intent's name and written from its first ten training queries. The 15 withheld intents
(every fifth, by name) have no article: their test queries are the gaps. The period's tickets
are the 3,080 test queries.

Figures, for each space (MiniLM embeddings when installed, TF-IDF/SVD always):
* AUROC of the gap score (each ticket scored by its topic's "uncovered"), goal ≥ 0.90, beside
  the named baseline from the same run: the nearest-article similarity of each ticket alone
  (the issue quotes 0.74–0.78 for it);
* how many of the 15 withheld intents are the main intent of one of the top 20 gaps (goal ≥ 12).

The queries carry no dates, so every ticket has the same instant and no topic has a trend: the
gaps rank by volume × uncovered. k-means starts from a seed: the figures are given for the
default seed and, beside them, for seeds 1 and 2, so one lucky start cannot make the figure.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from supportops.knowledge.gaps import Gaps, find_gaps
from supportops.knowledge.space import embed
from supportops.knowledge.topics import cluster
from supportops.triage.models import Encoder, available_kinds

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[1] / "shared" / "data" / "triage" / "banking77"
CACHE = HERE / ".cache"
WITHHELD = 15
TOP = 20


def _auroc(positive: np.ndarray, score: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(positive, score))


def _judged(
    found: Gaps, intent: pd.Series, gap: np.ndarray, withheld: set[str]
) -> tuple[float, int]:
    """The gap score's AUROC, and how many withheld intents lead one of the top gaps."""
    main_intent = (
        pd.Series(intent.to_numpy())
        .groupby(found.tickets["topic"])
        .agg(lambda s: s.value_counts().index[0])
    )
    top = found.gaps.head(TOP)["topic"].map(main_intent)
    return _auroc(gap, found.tickets["gap_score"].to_numpy()), len(set(top) & withheld)


def main() -> int:
    if not DATA.is_dir():
        print(f"skipped: {DATA} is not beside the checkout")
        return 0
    train, test = pd.read_csv(DATA / "train.csv"), pd.read_csv(DATA / "test.csv")
    intents = sorted(train["category"].unique())
    withheld = set(intents[::5][:WITHHELD])
    known = [i for i in intents if i not in withheld]
    firsts = train.groupby("category").head(10).groupby("category")["text"].agg(" ".join)
    articles = pd.DataFrame(
        {"article": known, "title": [i.replace("_", " ").capitalize() for i in known]}
    )
    articles["text"] = firsts.reindex(known).to_numpy()
    tickets = pd.DataFrame(
        {
            "ticket_id": np.arange(len(test)),
            "created_at": pd.Timestamp("2026-11-01", tz="UTC"),
            "text": test["text"],
            "handle_seconds": 0.0,
        }
    )
    gap = test["category"].isin(withheld).to_numpy()
    print(
        f"BANKING77 test: {len(test):,} tickets, {len(known)} articles, "
        f"{WITHHELD} withheld intents ({int(gap.sum())} tickets)"
    )
    spaces = ["embeddings", "tfidf"] if "embeddings" in available_kinds() else ["tfidf"]
    for kind in spaces:
        options = {"encoder": Encoder(CACHE)} if kind == "embeddings" else {}
        cpu = time.process_time()
        vectors, article_vectors = embed(
            [tickets["text"].tolist(), (articles["title"] + ". " + articles["text"]).tolist()],
            kind,
            **options,
        )
        found = find_gaps(tickets, vectors, articles, article_vectors)
        seconds = time.process_time() - cpu
        ours, hits = _judged(found, test["category"], gap, withheld)
        baseline = _auroc(gap, -found.tickets["coverage"].to_numpy())
        others = [
            _judged(
                find_gaps(tickets, vectors, articles, article_vectors, cluster(vectors, seed=seed)),
                test["category"],
                gap,
                withheld,
            )
            for seed in (1, 2)
        ]
        print(f"-- {kind} space: {len(found.gaps)} topics, {seconds:.1f} CPU s")
        print(
            f"AUROC of the gap score            {ours:.3f}   goal ≥ 0.90 "
            f"{'meets' if ours >= 0.90 else 'MISSES'}; seeds 1, 2: "
            + ", ".join(f"{a:.3f}" for a, _ in others)
        )
        print(
            f"nearest-article baseline AUROC    {baseline:.3f}   (issue: 0.74–0.78); "
            f"ratio {ours / baseline:.3f}×"
        )
        print(
            f"withheld intents in the top {TOP}     {hits:>5}   goal ≥ 12 "
            f"{'meets' if hits >= 12 else 'MISSES'}; seeds 1, 2: "
            + ", ".join(str(h) for _, h in others)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

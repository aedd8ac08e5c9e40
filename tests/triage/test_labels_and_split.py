"""Labels (targets, ``other``) and the time split."""

from __future__ import annotations

import pandas as pd
import pytest

from supportops.errors import TriageError
from supportops.triage.labels import merge_rare, target_labels
from supportops.triage.split import class_holdout, time_split
from supportops.triage.texts import ticket_text

FRAME = pd.DataFrame(
    {
        "group": ["billing", None, "tech", " "],
        "type": ["question", "incident", None, "task"],
        "priority": ["high", None, None, "low"],
        "tags": [["refund", "vip"], [], None, ["login"]],
        "custom": ['{"plan": "free"}', None, '{"plan": 3}', "{}"],
    }
)


def test_targets_read_the_final_value_and_treat_blank_as_missing() -> None:
    assert target_labels(FRAME, "group").tolist() == ["billing", None, "tech", None]
    assert target_labels(FRAME, "category").tolist() == ["question", "incident", None, "task"]
    assert target_labels(FRAME, "tags").tolist() == ["refund", None, None, "login"]
    assert target_labels(FRAME, "custom.plan").tolist() == ["free", None, "3", None]


def test_an_unknown_target_names_the_option() -> None:
    with pytest.raises(TriageError, match="--target 'team'"):
        target_labels(FRAME, "team")


def test_rare_classes_merge_into_other_and_are_reported() -> None:
    labels = pd.Series(["a"] * 5 + ["b"] * 2 + ["c"])
    merged = merge_rare(labels, min_examples=3)
    assert merged.values.tolist() == ["a"] * 5 + ["other"] * 3
    assert merged.merged == ("b", "c")


def test_the_time_split_judges_on_later_tickets_than_it_learned_from() -> None:
    times = pd.Series(pd.date_range("2026-01-01", periods=20, freq="D", tz="UTC")).sample(
        frac=1, random_state=1
    )
    split = time_split(times.reset_index(drop=True), validation=0.25, test=0.25)
    at = times.reset_index(drop=True)
    assert (len(split.train), len(split.validation), len(split.test)) == (10, 5, 5)
    assert at.iloc[split.train].max() < at.iloc[split.validation].min()
    assert at.iloc[split.validation].max() < at.iloc[split.test].min()


def test_undated_rows_hold_out_a_share_of_every_class() -> None:
    labels = pd.Series(["a"] * 10 + ["b"] * 5)
    split = class_holdout(labels, share=0.2)
    assert labels.iloc[split.validation].tolist() == ["a", "a", "b"]
    assert len(split.train) == 12 and len(split.test) == 0


def test_the_text_is_the_subject_then_the_first_message() -> None:
    subject = pd.Series(["Refund", None, "Login", ""])
    message = pd.Series(["Please  refund\nme", "Hello", None, None])
    assert ticket_text(subject, message).tolist() == [
        "Refund. Please refund me",
        "Hello",
        "Login",
        "",
    ]

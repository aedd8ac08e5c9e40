"""The ``file`` delivery: an alert appended to a local file, relative to the workspace."""

from __future__ import annotations

from pathlib import Path

import pytest

from supportops.alerts.deliver import Courier, DeliveryRefused
from supportops.alerts.rules import Delivery


def test_each_alert_is_appended_to_the_file_under_the_folder(tmp_path: Path) -> None:
    courier, where = Courier(folder=tmp_path), Delivery(file="alerts.log")
    courier.send(where, "[supportops] one", "first")
    courier.send(where, "[supportops] two", "second")
    assert (tmp_path / "alerts.log").read_text(encoding="utf-8") == (
        "[supportops] one\nfirst\n\n[supportops] two\nsecond\n\n"
    )
    assert where.describe() == "file alerts.log"


def test_a_file_that_cannot_be_written_is_refused_not_retried(tmp_path: Path) -> None:
    where = Delivery(file="no-such-folder/alerts.log")
    with pytest.raises(DeliveryRefused, match="no-such-folder") as caught:
        Courier(folder=tmp_path).send(where, "subject", "text")
    assert caught.value.context["target"] == str(tmp_path / "no-such-folder/alerts.log")


def test_a_delivery_names_exactly_one_target() -> None:
    with pytest.raises(ValueError, match="exactly one of slack_webhook, email or file"):
        Delivery(file="alerts.log", slack_webhook="https://hooks.example.com/x")

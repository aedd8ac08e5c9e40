"""``metrics reconcile --source`` on a synced Intercom: Intercom's statistics (seconds, office
hours left out) are compared per ticket with our metrics on the business clock, in minutes."""

from __future__ import annotations

import json
from pathlib import Path

from supportops.connectors.runner import Network, sync_source
from supportops.metrics.reconcile import reconcile
from supportops.workspace import Workspace
from tests.connectors.fakes.intercom import FakeIntercom, generate
from tests.connectors.test_intercom_sync import ENV, FAST


def test_intercom_statistics_reconcile_with_our_metrics(tmp_path: Path) -> None:
    fake = FakeIntercom()
    for conversation in generate(8):
        fake.put(conversation)
    with fake.serve():
        config = {
            "store": "duckdb",
            "sources": {
                "intercom": {
                    "vendor": "intercom",
                    "url": fake.base_url,
                    "auth": {"token_env": "INTERCOM_TOKEN"},
                }
            },
        }
        (tmp_path / "supportops.yaml").write_text(json.dumps(config), encoding="utf-8")
        with Workspace(tmp_path) as ws:
            source = ws.config.sources["intercom"]
            report = sync_source(
                ws.store, "intercom", source, network=Network(env=ENV, retries=FAST)
            )
            assert report.error is None
            frame = reconcile(ws, source="intercom")
    assert set(frame.metric) == {
        "first_reply_time",
        "first_resolution_time",
        "full_resolution_time",
        "reopens",
    }
    reply = frame[frame.metric == "first_reply_time"]
    assert len(reply) == 8
    assert (reply.vendor - 20 / 60).abs().max() < 1e-9  # 20 seconds, in minutes
    assert set(frame.rule) == {"agree"}  # the same instants on a 24/7 calendar

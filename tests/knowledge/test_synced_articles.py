"""The help center the gaps are measured against holds the synced articles too: the store's
published ones (``SOURCE:ID``, with their page) beside the folder's, on every engine; a synced
article about a topic covers it, so it is no longer a gap, and a draft covers nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from supportops.cli import app
from supportops.cli.demo import build_demo
from supportops.connectors.runner import Network, sync_source
from supportops.demo.content import TOPICS
from supportops.knowledge.articles import help_center
from supportops.model.schema import TABLES
from supportops.store.base import Store
from supportops.workspace import Workspace
from tests.connectors.conftest import ENV, zendesk_source
from tests.connectors.fakes.server import FakeServer
from tests.connectors.fakes.zendesk import ZendeskAccount, ZendeskFake, article
from tests.model.conftest import any_store, engine_name, new_store

__all__ = ["any_store", "engine_name", "new_store"]

runner = CliRunner()
DOUBLE_CHARGE = article(
    360500,
    "Charged twice? A duplicate payment on your card",
    "<p>If your <b>credit card statement</b> shows the same payment twice this month, or you "
    "were billed two times for one subscription, the second charge is a duplicate.</p>"
    "<ul><li>Open Billing → Payments.</li><li>Pick the duplicate charge and press "
    "<i>Refund duplicate</i>.</li></ul><p>The duplicate payment is back on your card within "
    "5 business days.</p>",
)
SSO_DRAFT = article(
    360501,
    "Single sign-on with SAML",
    "<p>Sign in with your identity provider using SAML single sign-on; an assertion error "
    "means the certificate is wrong.</p>",
    draft=True,
)


def test_the_store_s_published_articles_come_beside_the_folder_s(
    any_store: Store, tmp_path: Path
) -> None:
    zendesk_account = ZendeskAccount.from_recorded()
    with FakeServer(ZendeskFake(zendesk_account)) as fake:
        sync_source(any_store, "guide", zendesk_source(fake.url), network=Network(env=ENV))
    (tmp_path / "refunds.md").write_text("# Refunds\n\nAsk for your money back.\n")
    frame = help_center(tmp_path, any_store)
    published = [a for a in zendesk_account.articles if not a["draft"]]
    assert list(frame["article"]) == ["refunds.md"] + [f"guide:{a['id']}" for a in published]
    assert list(frame["origin"]) == ["folder"] + ["guide"] * len(published)
    assert frame["url"].tolist() == [None] + [a["html_url"] for a in published]
    assert frame.loc[1, "text"] == "Open Billing and choose Request refund."
    assert help_center(tmp_path / "absent", any_store)["origin"].tolist() == ["guide"] * 2
    assert help_center(None, None).empty


def test_an_article_held_in_two_locales_is_told_apart_by_its_locale(any_store: Store) -> None:
    rows = pa.table(
        {
            "source": ["guide"] * 3,
            "article_id": ["7", "7", "8"],
            "locale": ["en-us", "fr", "en-us"],
            "title": ["Refunds", "Remboursements", "Old"],
            "text": ["Money back.", "Argent.", "Gone."],
            "url": [None, None, None],
            "updated_at": pa.array([None] * 3, pa.timestamp("us", tz="UTC")),
            "status": ["published", "published", "deleted"],
        }
    )
    any_store.upsert(TABLES["articles"], rows)
    frame = help_center(None, any_store)
    assert frame["article"].tolist() == ["guide:7@en-us", "guide:7@fr"]


@pytest.fixture(scope="module")
def demo_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synced-articles-demo")
    build_demo(folder, tickets=2_000, seed=6, progress=False)
    return folder


def _gaps(folder: Path) -> dict[str, Any]:
    args = ["knowledge", "gaps", "--space", "tfidf", "--top", "100", "--format", "json"]
    done = runner.invoke(app, [*args, "-w", str(folder)])
    assert done.exit_code == 0, done.output
    found: dict[str, Any] = json.loads(done.output)
    return found


def _uncovered(found: dict[str, Any]) -> dict[str, float]:
    """Each demo topic's largest uncovered share among its gaps."""
    topic_of = {s: t.tag for t in TOPICS for s in t.subjects}
    out: dict[str, float] = {}
    for gap in found["gaps"]:
        if (topic := topic_of.get(gap["title"])) is not None:
            out[topic] = max(out.get(topic, 0.0), gap["uncovered"])
    return out


def test_a_synced_article_covers_its_topic_and_a_draft_covers_nothing(demo_ws: Path) -> None:
    before = _uncovered(_gaps(demo_ws))
    covered = {"refund", "invoice", "plan-change", "login", "how-to", "access", "cancel"}
    assert before["double-charge"] > max(before[t] for t in covered if t in before)
    account = ZendeskAccount(articles=[DOUBLE_CHARGE, SSO_DRAFT])
    with FakeServer(ZendeskFake(account)) as fake, Workspace.open(demo_ws) as ws:
        source = zendesk_source(fake.url)
        report = sync_source(ws.store, "zendesk", source, network=Network(env=ENV))
    assert report.error is None
    found = _gaps(demo_ws)
    after = _uncovered(found)
    assert found["articles"] == 9 and found["articles_from"] == {"folder": 8, "zendesk": 1}
    still = [after[t] for t in after if t not in covered | {"double-charge"}]
    # no longer a gap: as covered as the topics the folder's articles cover
    assert after["double-charge"] < min(still)
    assert after["double-charge"] <= max(after[t] for t in covered if t in after)
    assert after["sso"] == pytest.approx(before["sso"], abs=0.05)  # the draft covers nothing
    deflect = {row["article"]: row for row in found["deflection"]}
    assert deflect["zendesk:360500"]["tickets"] > 0
    assert deflect["zendesk:360500"]["url"] == DOUBLE_CHARGE["html_url"]
    assert "zendesk:360501" not in deflect


def test_the_table_says_where_the_articles_came_from(demo_ws: Path) -> None:
    done = runner.invoke(app, ["knowledge", "gaps", "--space", "tfidf", "-w", str(demo_ws)])
    assert done.exit_code == 0, done.output
    assert "articles (8 from the folder" in done.output

"""Articles read from a folder of Markdown and HTML files, and the one HTML reader."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

from supportops.errors import InputError
from supportops.knowledge.articles import read_articles
from supportops.knowledge.markup import html_text


def test_titles_come_from_the_first_heading_else_the_file_name(tmp_path: Path) -> None:
    (tmp_path / "refunds.md").write_text("Intro\n\n# Get a refund\n\nSee [billing](/b) **now**.\n")
    (tmp_path / "guides").mkdir()
    (tmp_path / "guides" / "sso.html").write_text(
        "<html><head><title>SSO</title><script>var x = 1;</script></head>"
        "<body><h1>Single sign-on</h1><p>Use SAML.</p></body></html>"
    )
    (tmp_path / "no-heading.md").write_text("Just words.")
    (tmp_path / "notes.txt").write_text("not an article")
    articles = read_articles(tmp_path).set_index("article")
    assert list(articles.index) == ["guides/sso.html", "no-heading.md", "refunds.md"]
    assert articles.loc["refunds.md", "title"] == "Get a refund"
    assert articles.loc["refunds.md", "text"] == "Intro Get a refund See billing now ."
    assert articles.loc["guides/sso.html", "title"] == "SSO"
    assert "var x" not in articles.loc["guides/sso.html", "text"]
    assert "Use SAML." in articles.loc["guides/sso.html", "text"]
    assert articles.loc["no-heading.md", "title"] == "no heading"


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such folder of articles"):
        read_articles(tmp_path / "absent")


def test_html_text_separates_blocks_joins_inline_elements_and_drops_scripts() -> None:
    body = (
        "<h2>Forgot it?</h2><p>Click <b>Forgot</b> <a href='/x'>password</a>.<br>Then wait"
        "</p><script>track()</script><ol><li>One&nbsp;step</li><li>Tom&#39;s &amp; co</li></ol>"
    )
    assert html_text(body) == "Forgot it? Click Forgot password. Then wait One step Tom's & co"
    assert html_text(None) == html_text("") == ""


def test_the_documented_examples_hold() -> None:
    from supportops.connectors import articles
    from supportops.knowledge import markup

    for module in (markup, articles):
        assert doctest.testmod(module).attempted > 0
        assert doctest.testmod(module).failed == 0

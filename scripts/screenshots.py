"""Screenshots of every web page on the demo workspace, for the docs.

Builds the demo workspace (unless ``--workspace`` names one that exists), creates a read token,
serves the app with uvicorn on 127.0.0.1 and a free port, logs in through the login form with
Playwright driving Debian's chromium (never a downloaded browser), opens each page of the nav
with the last four full weeks of the demo as filters, and saves a screenshot of the page's top
(1360 px wide, at most 1500 px high: each PNG stays within a few hundred KB) to
``docs/screenshots/<page>.png``; plus ``drilldown.png``, the ticket list behind the
overview's backlog, and ``ticket.png``, the story of the first solved ticket.
``report-page1.png`` (the PDF report) is left alone.

    .venv/bin/python scripts/screenshots.py [--workspace /tmp/screenshot-demo] [--out DIR]
"""

from __future__ import annotations

import argparse
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import uvicorn
from playwright.sync_api import Page, sync_playwright

from supportops.cli.demo import build_demo
from supportops.config import CONFIG_FILE
from supportops.tokens import TokenFile
from supportops.web import create_app
from supportops.web.pages import NAV

from chromium import ARGS, CHROMIUM  # scripts/chromium.py, beside this script  # isort: skip

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "docs" / "screenshots"
DEFAULT_WORKSPACE = Path("/tmp/screenshot-demo")
DEMO_TICKETS = 20_000
WIDTH, HEIGHT = 1360, 900
MAX_HEIGHT = 1500  # a long page (Definitions, a list of 50) is shown from its top
# The demo's window ends on 2026-11-23 at midnight (its "now"): the last four full weeks.
FILTERS = {"start": "2026-10-26", "end": "2026-11-22"}
# The SLA page's own parameters: the instant of the at-risk list (the demo's end) and its horizon.
PAGE_PARAMS = {"/sla": {"as_of": "2026-11-23T00:00", "within": "86400"}}
NAMES = {"/": "overview"}


def ensure_workspace(folder: Path) -> Path:
    """``folder``, after building the demo workspace in it if it holds none."""
    if not (folder / CONFIG_FILE).exists():
        print(f"building the demo workspace in {folder} ({DEMO_TICKETS:,} tickets)")
        build_demo(folder, tickets=DEMO_TICKETS)
    return folder


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(workspace: Path) -> Iterator[str]:
    """The app over ``workspace`` on a live uvicorn in a thread; yields its base URL."""
    app = create_app(workspace)
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(15)
        app.state.web.close()


def page_url(path: str) -> str:
    """``path`` with the date filters (and the page's own parameters)."""
    return f"{path}?{urlencode({**FILTERS, **PAGE_PARAMS.get(path, {})})}"


def wait_rendered(tab: Page) -> None:
    """Wait until the page is idle and every vega-embed chart has drawn its SVG or canvas."""
    tab.wait_for_load_state("networkidle")
    for figure in tab.locator("figure[data-chart]").all():
        figure.locator("svg, canvas").first.wait_for(timeout=30_000)
    tab.wait_for_timeout(300)  # let the charts' transitions settle


def shot(tab: Page, name: str, out: Path) -> Path:
    """A screenshot of ``tab`` to ``out/name.png``: the whole page, down to :data:`MAX_HEIGHT`."""
    wait_rendered(tab)
    path = out / f"{name}.png"
    height = min(int(tab.evaluate("document.documentElement.scrollHeight")), MAX_HEIGHT)
    clip = {"x": 0, "y": 0, "width": WIDTH, "height": height}
    tab.screenshot(path=str(path), full_page=True, clip=clip)
    return path


def capture(base: str, secret: str, out: Path) -> list[Path]:
    """Log in, then screenshot each page of the nav and one drill-down; the files written."""
    written: list[Path] = []
    problems: list[str] = []
    with sync_playwright() as play:
        browser = play.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            context = browser.new_context(
                base_url=base, viewport={"width": WIDTH, "height": HEIGHT}
            )
            tab = context.new_page()
            tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            tab.on("pageerror", lambda e: problems.append(str(e)))
            tab.goto("/login")
            tab.fill("#token", secret)
            tab.click("button[type=submit]")
            tab.wait_for_url(f"{base}/")
            for path, _label in NAV:
                response = tab.goto(page_url(path))
                status = response.status if response is not None else 0
                if status != 200:
                    problems.append(f"{path}: HTTP {status}")
                written.append(shot(tab, NAMES.get(path, path.strip("/")), out))
            tab.goto(page_url("/"))
            wait_rendered(tab)
            tab.locator(".card[data-metric=backlog]").click()
            tab.wait_for_url("**/tickets?**metric=backlog**")
            written.append(shot(tab, "drilldown", out))
            tab.goto(page_url("/tickets") + "&metric=tickets_solved")
            tab.locator("a.ticket-link").first.click()
            tab.wait_for_url("**/tickets/*/*")
            written.append(shot(tab, "ticket", out))
            context.close()
        finally:
            browser.close()
    for problem in problems:
        print(f"browser problem: {problem}")
    return written


def main(argv: list[str] | None = None) -> None:
    """Parse the arguments, take the screenshots, print the files written."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--workspace", type=Path, default=DEFAULT_WORKSPACE, help="workspace")
    parser.add_argument("--out", type=Path, default=OUT, help="folder of the PNGs")
    args = parser.parse_args(argv)
    workspace = ensure_workspace(args.workspace.resolve())
    args.out.mkdir(parents=True, exist_ok=True)
    tokens = TokenFile.of_workspace(workspace)
    record, secret = tokens.create("screenshots", "read")
    try:
        with serve(workspace) as base:
            written = capture(base, secret, args.out)
    finally:
        tokens.revoke(record.id)
    for path in written:
        print(path)


if __name__ == "__main__":
    main()

"""How this project launches a browser: Debian's chromium package, headless, by its path (a
browser download fails on a closed network), with the flags it needs as root and offline.

Used by the browser tests (``tests/web/test_browser.py``) and ``scripts/screenshots.py``;
``scripts/system-deps.sh`` installs the package.
"""

from __future__ import annotations

__all__ = ["ARGS", "CHROMIUM"]

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",  # chromium refuses to run as root with its sandbox
    "--disable-gpu",
    "--disable-background-networking",  # the network is closed: no update or sync traffic
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

"""The web app: REST API, server-rendered pages and tokens over one workspace.

>>> from supportops.web import create_app          # doctest: +SKIP
>>> app = create_app("demo-workspace")             # doctest: +SKIP
"""

from __future__ import annotations

from supportops.web.app import create_app

__all__ = ["create_app"]

"""The ``rules:`` section of ``supportops.yaml``::

    rules:
      semantics: default         # how the set runs (supportops.rules.semantics)
      mode: dry_run              # dry_run (the default) or live: write actions back
      include: [rules/*.yaml]    # rule files beside supportops.yaml, read after `rules`
      rules:
        - name: vip-to-tier2
          on: [create]
          when: {tags: [vip]}
          actions: [{set: {group: tier2-escalations}}]

A rule file holds ``semantics`` and ``rules`` in the same form. The set cannot be ``live``
while lint finds an error in it (:func:`supportops.rules.live.check_live`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from supportops.rules.model import RuleSet

__all__ = ["Mode", "RulesConfig"]

Mode = Literal["dry_run", "live"]


class RulesConfig(RuleSet):
    """The rule set of the workspace, its mode and the files it includes."""

    mode: Mode = "dry_run"
    include: list[str] = Field(default_factory=list)
    per_minute: int = Field(default=60, ge=1)  # live write-backs per source and minute

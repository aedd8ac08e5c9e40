"""Which tickets are behind a number: what a link to ``/tickets`` asks, and the answer.

Every number and bar of a page links to ``/tickets`` with the page's filters and a
:class:`Drill` — the metric it is (``metric=``) and what narrows it. Three scopes:

- **created** (the default): tickets created in the date range, narrowed by a fact
  (``tickets_solved``: solved; ``first_reply_time``: replied; ``automation_rate``: solved without
  a public agent reply) or by a set: SLA target instances (``sla_achieved_rate``: achieved or
  breached, ``sla_breaches``: breached; ``target=``, ``policy=``), a validity ``rule=``
  (``validity``), an empty ``column=`` (``completeness``).
- **snapshot**: tickets in a state at an instant, whatever day they were created: ``backlog``
  (at the end of the range), ``backlog_age`` with ``period=``, ``grain=`` and ``bucket=`` (at the
  end of that period); ``sla_active`` (targets due within ``within=`` seconds of ``as_of=``).
- **activity**: tickets whose csat answer fell in the range (``csat``); tickets of bot sessions
  started in the range (``bot_sessions`` with ``outcome=``; ``bot_containment_rate`` and
  ``human_escalation_rate``: handed off; ``bot_resolution_rate``: resolved, which rarely have a
  ticket; ``bot_false_resolution_rate``: opened within 72 h of a session the bot marked
  resolved).

The dimension filters always apply; ``source=`` narrows any of them to one source.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields, replace
from datetime import date, datetime
from typing import Any

import pandas as pd

from supportops.metrics.periods import period_table
from supportops.model.schema import TABLES
from supportops.web import data, ticket_sets
from supportops.web.filters import Filters
from supportops.workspace import Workspace

__all__ = ["Drill", "missing", "tickets"]

SNAPSHOT = ("backlog", "backlog_age", "sla_active")
ACTIVITY = (
    "csat",
    "bot_sessions",
    "bot_resolution_rate",
    "bot_resolution_rate_confirmed",
    "bot_containment_rate",
    "human_escalation_rate",
    "bot_false_resolution_rate",
)
FALSE_RESOLUTION_WINDOW = 72 * 3600
Rule = Callable[[pd.DataFrame], "pd.Series[bool]"]
COLUMN_RULES: dict[str, Rule] = {
    "tickets_solved": lambda f: f["solved_at"].notna(),
    "first_reply_time": lambda f: f["first_reply_time"].notna(),
    "first_resolution_time": lambda f: f["first_resolution_time"].notna(),
    "full_resolution_time": lambda f: f["full_resolution_time"].notna(),
    "tickets_reopened": lambda f: f["reopens"] > 0,
    "automation_rate": lambda f: f["first_resolution_time"].notna() & (f["agent_replies"] == 0),
}


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _instant(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None
    except ValueError:
        return None


def _seconds(text: str | None) -> int | None:
    return min(int(text), data.MAX_WITHIN) if text and text.isdigit() else None


@dataclass(frozen=True)
class Drill:
    """The metric behind a number, and what narrows it (``None``: not narrowed)."""

    metric: str | None = None
    target: str | None = None
    policy: str | None = None
    period: date | None = None
    grain: str | None = None
    bucket: str | None = None
    within: int | None = None
    as_of: datetime | None = None
    outcome: str | None = None
    rule: str | None = None
    column: str | None = None
    source: str | None = None

    @classmethod
    def of(cls, params: Mapping[str, str]) -> Drill:
        """A drill from a query string; an empty or malformed value means not narrowed."""
        texts: dict[str, Any] = {f.name: params.get(f.name) or None for f in fields(cls)}
        texts["period"] = _date(texts["period"])
        texts["within"] = _seconds(texts["within"])
        texts["as_of"] = _instant(texts["as_of"])
        return cls(**texts)

    @property
    def kind(self) -> str:
        """The metric's id without its aggregation ('' for none)."""
        return (self.metric or "").partition(":")[0]

    @property
    def scope(self) -> str:
        """``created``, ``snapshot`` or ``activity`` (see the module docstring)."""
        if self.kind in SNAPSHOT:
            return "snapshot"
        return "activity" if self.kind in ACTIVITY else "created"

    def params(self) -> dict[str, str]:
        """The set fields as query-string parameters."""
        pairs = asdict(self)
        if self.as_of is not None:
            pairs["as_of"] = self.as_of.isoformat()
        return {k: str(v) for k, v in pairs.items() if v not in (None, "")}

    def with_(self, **changes: Any) -> Drill:
        """A copy with some fields changed."""
        return replace(self, **changes)

    def describe(self) -> str:
        """What the list holds, in a few words, for the list's heading."""
        parts = [f"{k} = {v}" for k, v in self.params().items() if k != "metric"]
        return ", ".join(parts)


@dataclass(frozen=True)
class _Ask:
    ws: Workspace
    every: pd.DataFrame
    filters: Filters
    drill: Drill
    memo: data.Memo

    @property
    def zone(self) -> str:
        return self.ws.config.report_timezone

    def created(self) -> pd.DataFrame:
        return data.in_range(self.every, self.filters, self.zone)

    def bounds(self) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
        return data.bounds(self.filters, self.zone)

    def keys(self, name: tuple[Any, ...], compute: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        keys: pd.DataFrame = self.memo(("keys", *name), compute)
        return keys


def missing(frame: pd.DataFrame, column: str) -> pd.Series[bool]:
    """Whether each ticket's ``column`` is empty, as data quality counts it."""
    values = frame[column]
    kind = TABLES["tickets"].column(column).type
    if kind in ("string", "enum", "json"):
        return values.isna() | (values.astype(str) == "")
    return values.isna()


def _backlog(ask: _Ask) -> pd.DataFrame:
    drill, period_end = ask.drill, False
    if drill.kind == "backlog_age" and drill.period is not None:
        grain = drill.grain if drill.grain in ("day", "week", "month", "quarter", "year") else "day"
        period = min(max(drill.period, data.FIRST_DAY), data.LAST_DAY)
        at_s, period_end = period_table(grain, period, period, ask.zone)[0][1], True
    else:
        high = ask.bounds()[1]
        now = pd.Timestamp.now(tz="UTC")
        at_s = min(high, now).timestamp() if high is not None else now.timestamp()
    key = ("backlog", at_s, drill.bucket, period_end)
    keys = ask.keys(key, lambda: ticket_sets.backlog_keys(ask.ws, at_s, drill.bucket, period_end))
    return ticket_sets.narrow(ask.every, keys)


def _sla(ask: _Ask) -> pd.DataFrame:
    drill = ask.drill
    if drill.kind == "sla_active":
        within = drill.within if drill.within is not None else data.AT_RISK_WITHIN
        rows = data.at_risk(ask.ws, drill.as_of, within, ask.memo)
        frame = ask.every
    else:
        rows = data.sla_instances(ask.ws, drill.as_of, ask.memo)
        wanted = ["breached"] if drill.kind == "sla_breaches" else ["achieved", "breached"]
        rows = rows[rows["status"].isin(wanted)]
        frame = ask.created()
    for name in ("target", "policy"):
        value = getattr(drill, name)
        if value is not None:
            rows = rows[rows[name].astype(str) == value]
    return ticket_sets.narrow(frame, rows[ticket_sets.KEY])


def _sessions(ask: _Ask) -> pd.DataFrame:
    low, high = ask.bounds()
    drill = ask.drill
    outcome, within = drill.outcome, None
    if drill.kind in ("bot_containment_rate", "human_escalation_rate"):
        outcome = "handed_off"
    elif drill.kind.startswith("bot_resolution_rate"):
        outcome = "resolved"
    elif drill.kind == "bot_false_resolution_rate":
        outcome = "resolved"
        within = drill.within if drill.within is not None else FALSE_RESOLUTION_WINDOW
    channel = ask.filters.channel
    key = ("sessions", low, high, channel, outcome, within)
    keys = ask.keys(
        key, lambda: ticket_sets.session_keys(ask.ws, low, high, channel, outcome, within)
    )
    return ticket_sets.narrow(ask.every, keys)


def _csat(ask: _Ask) -> pd.DataFrame:
    low, high = ask.bounds()
    keys = ask.keys(("csat", low, high), lambda: ticket_sets.survey_keys(ask.ws, low, high))
    return ticket_sets.narrow(ask.every, keys)


def _quality(ask: _Ask) -> pd.DataFrame:
    frame, drill = ask.created(), ask.drill
    if drill.kind == "validity" and drill.rule is not None:
        every = ask.keys(("invalid",), lambda: ticket_sets.invalid_keys(ask.ws))
        return ticket_sets.narrow(frame, every[every["rule"] == drill.rule])
    if drill.kind == "completeness" and drill.column is not None:
        if drill.column not in TABLES["tickets"].names or drill.column not in frame.columns:
            return frame.iloc[0:0]
        return frame[missing(frame, drill.column)]
    return frame


def _created(ask: _Ask) -> pd.DataFrame:
    frame = ask.created()
    rule = COLUMN_RULES.get(ask.drill.kind)
    return frame[rule(frame)] if rule is not None else frame


SELECT: dict[str, Callable[[_Ask], pd.DataFrame]] = {
    "backlog": _backlog,
    "backlog_age": _backlog,
    "sla_active": _sla,
    "sla_achieved_rate": _sla,
    "sla_breaches": _sla,
    "csat": _csat,
    **dict.fromkeys(ACTIVITY[1:], _sessions),
    "validity": _quality,
    "completeness": _quality,
}


def tickets(
    ws: Workspace, filters: Filters, drill: Drill | None = None, memo: data.Memo = data.direct
) -> pd.DataFrame:
    """The per-ticket facts of the tickets behind ``drill`` (newest first)."""
    drill = drill or Drill()
    every = memo(("facts", tuple(sorted(filters.dims().items()))), lambda: data.facts(ws, filters))
    ask = _Ask(ws, every, filters, drill, memo)
    frame = SELECT.get(drill.kind, _created)(ask)
    if drill.source is not None:
        frame = frame[frame["source"].astype(str) == drill.source]
    return frame.reset_index(drop=True)

"""The standard report of ``bench_metrics.py`` in plain pandas/numpy — the alternative the SQL
engine is measured against. Same definitions (see docs/metrics.md), vectorised, no SQL beyond
reading the tables."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from supportops.calendar import BusinessCalendar
from supportops.sla.policy import match_policies

SOLVED = ("solved", "closed")
UNSOLVED = ("new", "open", "pending", "on_hold")
KEY = ["source", "ticket_id"]


def load_tables(ws: Any) -> dict[str, pd.DataFrame]:
    """The columns the report reads, as DataFrames."""
    q = ws.store.query
    return {
        "tickets": q(
            "SELECT source, ticket_id, created_at, channel, status, priority, "
            "organization_id, created_by, tags, solved_at FROM tickets"
        ),
        "events": q(
            'SELECT source, ticket_id, "at", kind, actor, public, value FROM events '
            "WHERE kind IN ('message', 'status')"
        ),
        "surveys": q('SELECT source, ticket_id, "at", survey, score FROM surveys'),
        "work": q("SELECT source, ticket_id, contact_id, agent_id, started_at, seconds FROM work"),
        "agents": q("SELECT agent_id, hourly_cost FROM agents"),
        "sla": q("SELECT source, ticket_id, status FROM sla_instances"),
    }


def _week(stamps: pd.Series, zone: str) -> pd.Series:
    local = stamps.dt.tz_convert(zone).dt.tz_localize(None)
    return (local - pd.to_timedelta(local.dt.weekday, unit="D")).dt.normalize().dt.date


def _seconds(stamps: pd.Series) -> np.ndarray:
    return (
        stamps.dt.tz_convert("UTC")
        .dt.tz_localize(None)
        .to_numpy()
        .astype("datetime64[us]")
        .astype(np.int64)
        / 1e6
    )


def _timeline(t: pd.DataFrame, ev: pd.DataFrame) -> pd.DataFrame:
    st = ev[ev.kind == "status"][["tk", "at_s", "value"]].rename(columns={"value": "status"})
    has = np.zeros(len(t), bool)
    has[st.tk.to_numpy()] = True
    first = np.where(
        has, "new", np.where(t.solved_at.notna() & t.status.isin(SOLVED), "open", t.status)
    )
    init = pd.DataFrame({"tk": np.arange(len(t)), "at_s": t.created_s, "status": first, "seq": 0})
    synth = t[~has & t.solved_at.notna() & t.status.isin(SOLVED)]
    extra = pd.DataFrame(
        {"tk": synth.index, "at_s": _seconds(synth.solved_at), "status": synth.status, "seq": 1}
    )
    tl = pd.concat([init, st.assign(seq=1), extra], ignore_index=True)
    tl = tl.sort_values(["tk", "at_s", "seq"], kind="stable", ignore_index=True)
    same = tl.tk.eq(tl.tk.shift())
    tl["prev"] = tl.status.shift().where(same)
    tl["next_s"] = tl.at_s.shift(-1).where(tl.tk.eq(tl.tk.shift(-1)))
    tl["solve"] = tl.status.isin(SOLVED) & ~tl.prev.fillna("new").isin(SOLVED)
    tl["reopen"] = ~tl.status.isin(SOLVED) & tl.prev.isin(SOLVED)
    return tl


def _business(t: pd.DataFrame, start: np.ndarray, end: np.ndarray, config: Any) -> np.ndarray:
    chosen = match_policies(t, config.sla_policies)
    names = np.array(
        [p.calendar or config.default_calendar for p in config.sla_policies]
        + [config.default_calendar],
        dtype=object,
    )[chosen]
    out = np.full(len(t), np.nan)
    for name in set(names):
        rows = names == name
        cal = BusinessCalendar.from_config(config.calendars[name], name)
        ok = rows & ~np.isnan(start) & ~np.isnan(end)
        stamps = [pd.to_datetime(x[ok], unit="s", utc=True) for x in (start, end)]
        out[ok] = cal.business_seconds(stamps[0], stamps[1])
    return out


def pandas_report(tables: dict[str, pd.DataFrame], config: Any) -> pd.DataFrame:
    """The 13-metric report by channel and week."""
    zone = config.report_timezone
    t = tables["tickets"].reset_index(drop=True)
    t["created_s"] = _seconds(t.created_at)
    t["tk"] = np.arange(len(t))
    ev = tables["events"].merge(t[[*KEY, "tk"]], on=KEY)
    ev["at_s"] = _seconds(ev["at"])
    tl = _timeline(t, ev)
    msg = ev[
        (ev.kind == "message")
        & (ev.actor == "agent")
        & ev.public.fillna(True)
        & (ev.value.fillna("") != "note")
    ]
    replies = np.bincount(msg.tk, minlength=len(t))
    first_reply = msg.groupby("tk").at_s.min().reindex(range(len(t))).to_numpy()
    frt = np.where(first_reply >= t.created_s, first_reply - t.created_s, np.nan)
    frt_b = _business(t, t.created_s.to_numpy(), first_reply, config)
    solves = tl[tl.solve]
    n_solves = np.bincount(solves.tk, minlength=len(t))
    reopens = np.bincount(tl[tl.reopen].tk, minlength=len(t))
    last = tl.groupby("tk").tail(1).set_index("tk")
    solved_now = last.status.reindex(range(len(t))).isin(SOLVED).to_numpy()
    last_solve = solves.groupby("tk").at_s.max().reindex(range(len(t))).to_numpy()
    full = np.where(solved_now & (last_solve >= t.created_s), last_solve - t.created_s, np.nan)
    t["week"] = _week(t.created_at, zone)
    f = pd.DataFrame(
        {
            "channel": t.channel,
            "period": t.week,
            "frt": frt,
            "frt_b": frt_b,
            "full": full,
            "reopen": np.where(n_solves > 0, (reopens > 0).astype(float), np.nan),
            "one_touch": np.where(
                n_solves > 0, ((replies <= 1) & (reopens == 0)).astype(float), np.nan
            ),
        }
    )
    g = f.groupby(["channel", "period"])
    out = pd.DataFrame(
        {
            "tickets_created": g.size(),
            "first_reply_time:median": g.frt.median(),
            "first_reply_time:p90": g.frt.quantile(0.9),
            "first_reply_time_business:median": g.frt_b.median(),
            "first_reply_time_business:p90": g.frt_b.quantile(0.9),
            "full_resolution_time:median": g.full.median(),
            "reopen_rate": g.reopen.mean(),
            "one_touch_rate": g.one_touch.mean(),
        }
    )
    sv = pd.DataFrame(
        {
            "channel": t.channel.to_numpy()[solves.tk],
            "period": _week(pd.to_datetime(solves.at_s, unit="s", utc=True), zone),
        }
    )
    out = out.join(sv.groupby(["channel", "period"]).size().rename("tickets_solved"), how="outer")
    out = out.join(_backlog(t, tl, out, zone), how="outer")
    out = out.join(_sla(t, tables["sla"]), how="outer").join(_csat(t, tables, zone), how="outer")
    out = out.join(_cost(t, tables, out, config, zone), how="outer")
    counts = ["tickets_created", "tickets_solved", "backlog"]
    out[counts] = out[counts].fillna(0)
    return out.reset_index()


def _backlog(t: pd.DataFrame, tl: pd.DataFrame, keys: pd.DataFrame, zone: str) -> pd.Series:
    spans = tl[tl.status.isin(UNSOLVED)]
    channel = t.channel.to_numpy()[spans.tk]
    weeks = sorted(set(keys.index.get_level_values("period")))
    rows = {}
    for ch in np.unique(channel):
        part = spans[channel == ch]
        starts = np.sort(part.at_s.to_numpy())
        ends = np.sort(part.next_s.dropna().to_numpy())
        for week in weeks:
            end = pd.Timestamp(week, tz=zone) + pd.Timedelta(days=7)
            e = end.timestamp()
            rows[(ch, week)] = np.searchsorted(starts, e) - np.searchsorted(ends, e)
    return pd.Series(rows, name="backlog").rename_axis(["channel", "period"])


def _sla(t: pd.DataFrame, sla: pd.DataFrame) -> pd.Series:
    s = sla.merge(t[[*KEY, "channel", "week"]], on=KEY)
    s["ok"] = s.status.map({"achieved": 1.0, "breached": 0.0})
    return (
        s.groupby(["channel", "week"])
        .ok.mean()
        .rename("sla_achieved_rate")
        .rename_axis(["channel", "period"])
    )


def _csat(t: pd.DataFrame, tables: dict[str, pd.DataFrame], zone: str) -> pd.Series:
    s = tables["surveys"]
    s = s[s.survey == "csat"].merge(t[[*KEY, "channel"]], on=KEY, how="left")
    s["period"] = _week(s["at"], zone)
    return (s.score >= 4).groupby([s.channel, s.period]).mean().rename("csat")


def _cost(
    t: pd.DataFrame, tables: dict[str, pd.DataFrame], out: pd.DataFrame, config: Any, zone: str
) -> pd.Series:
    w = tables["work"].merge(tables["agents"], on="agent_id", how="left")
    w = w.merge(t[[*KEY, "channel"]], on=KEY, how="left")
    w["cost"] = w.seconds / 3600 * w.hourly_cost.fillna(config.cost.default_hourly_cost or np.nan)
    w["period"] = _week(w.started_at, zone)
    labor = w.groupby(["channel", "period"]).cost.sum()
    created = out["tickets_created"]
    overhead = config.cost.overhead_per_ticket
    total = labor.reindex(created.index).fillna(0) + overhead * created
    return (total / created.where(created > 0)).rename("cost_per_ticket")

"""The history a routing replay reads from the store: a period's tickets, the agents, their shifts.

- **Tickets**: those created in ``[low, high)`` that a customer opened (not outbound ones) and
  an agent worked on. A ticket's handle time is the catalog's ``handle_time``: the sum of its
  ``work`` stretches, the time an agent spent on it, wherever those stretches fell.
- **Skill needed**: the first of ``routing.skills`` whose condition the ticket meets; without
  ``routing.skills``, the skill named as the ticket's group, when some agent has that skill.
- **Agents**: every row of ``agents``, with its ``skills`` and the capacity ``routing.capacity``
  gives it (an agent or team named there that the table lacks is a config error).
- **On duty**: with ``availability: shifts``, the agents' ``work`` stretches of ``shifts`` in the
  period (an agent without one is off); when the period has no shifts at all, or with
  ``availability: always``, every agent is on duty the whole period.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from supportops.conditions import Condition, mask, parse_condition
from supportops.errors import ConfigError
from supportops.metrics.routing_sources import agent_skills, work_shifts, worked_tickets
from supportops.workforce.routing import NO_SKILL, History
from supportops.workforce.routing_settings import RoutingConfig

if TYPE_CHECKING:
    from supportops.workspace import Workspace

__all__ = ["routing_history", "skill_conditions"]


def skill_conditions(config: RoutingConfig, known: list[str]) -> dict[str, Condition]:
    """The configured skills, else each skill in ``known`` needed by tickets of its group."""
    if config.skills:
        return dict(config.skills)
    return {name: parse_condition({"group": name}) for name in known}


def _skills_of(values: object) -> list[str]:
    return [] if values is None else [str(s) for s in list(values)]  # type: ignore[call-overload]


def _seconds(moments: pd.Series, low: datetime) -> np.ndarray:
    instants = pd.to_datetime(moments, utc=True)
    return np.asarray((instants - pd.Timestamp(low)).dt.total_seconds(), dtype=float)


def _capacity(config: RoutingConfig, agents: pd.DataFrame) -> np.ndarray:
    ids, teams = agents["agent_id"].astype(str).tolist(), agents["team"].tolist()
    named = (("agents", config.capacity.agents, ids), ("teams", config.capacity.teams, teams))
    for kind, names, have in named:
        for name in names:
            if name not in have:
                key = f"routing.capacity.{kind}.{name}"
                raise ConfigError(f"{key}: no such {kind[:-1]} in the agents table", key=key)
    return np.array([config.capacity.of(a, t) for a, t in zip(ids, teams, strict=True)])


def _shifts(
    ws: Workspace, low: datetime, high: datetime, ids: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    rows = work_shifts(ws, low, high)
    index = {a: i for i, a in enumerate(ids)}
    rows = rows[rows["agent_id"].isin(index)]
    if rows.empty:
        return None
    who = rows["agent_id"].map(index).to_numpy(dtype=np.int64)
    return _seconds(rows["starts_at"], low), _seconds(rows["ends_at"], low), who


def routing_history(
    ws: Workspace, low: datetime, high: datetime, config: RoutingConfig | None = None
) -> History:
    """What ``routing simulate`` replays for the tickets created in ``[low, high)``."""
    config = config or ws.config.routing
    tickets = worked_tickets(ws, low, high)
    agents = agent_skills(ws)
    have = [_skills_of(s) for s in agents["skills"]]
    conditions = skill_conditions(config, sorted({s for row in have for s in row}))
    names = tuple(conditions)
    need = np.full(len(tickets), NO_SKILL, dtype=np.int64)
    for k, condition in enumerate(conditions.values()):
        need[mask(condition, tickets) & (need == NO_SKILL)] = k
    ids = agents["agent_id"].astype(str).tolist()
    has = np.array([[name in row for name in names] for row in have], dtype=bool)
    shifts = None if config.availability == "always" else _shifts(ws, low, high, ids)
    return History.of(
        arrivals=_seconds(tickets["created_at"], low),
        handle=tickets["handle_seconds"].to_numpy(dtype=float),
        skill=need,
        skills=names,
        agents=ids,
        has=has.reshape(len(ids), len(names)),
        end=(high - low).total_seconds(),
        capacity=_capacity(config, agents),
        shifts=shifts,
        tickets=tickets["ticket_id"].astype(str).tolist(),
    )

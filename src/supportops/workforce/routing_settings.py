"""The ``routing:`` section of ``supportops.yaml``: what ``supportops routing simulate`` replays::

    routing:
      skills:                      # ordered: a ticket needs the first skill whose condition holds
        spanish: {custom.language: es}
        billing: {group: billing}
      capacity:                    # tickets an agent holds at once
        default: 1
        teams: {Chat: 2}
        agents: {a0007: 3}         # an agent's own beats its team's
      overflow_after: 30m          # skills_overflow: then any agent may take the ticket
      target: 1h                   # service level: taken within this long (calendar time)
      availability: shifts         # on duty in their `work` shifts; `always`: all the time

Every key has a default, so a workspace without the section routes too: with no ``skills``, a
ticket needs the skill named as its group, when some agent has that skill. The skill conditions
are the one condition language (:mod:`supportops.conditions`); an error names the key and line.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from supportops.conditions import ConditionSetting, parse_condition
from supportops.instants import parse_duration

__all__ = ["CapacityConfig", "RoutingConfig"]

Seconds = Annotated[int, BeforeValidator(lambda value: parse_duration(value))]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CapacityConfig(_Model):
    """Tickets an agent holds at once: ``default``, else its team's, else its own."""

    default: int = Field(default=1, ge=1)
    teams: dict[str, Annotated[int, Field(ge=1)]] = Field(default_factory=dict)
    agents: dict[str, Annotated[int, Field(ge=1)]] = Field(default_factory=dict)

    def of(self, agent: str, team: str | None) -> int:
        """The capacity of ``agent`` of ``team``."""
        if agent in self.agents:
            return self.agents[agent]
        return self.teams.get(team or "", self.default)


class RoutingConfig(_Model):
    """Skills a ticket needs (name → condition, first match wins), agents' capacity, the
    overflow delay, the service-level target and where agents' availability comes from."""

    skills: dict[str, ConditionSetting] = Field(default_factory=dict)
    capacity: CapacityConfig = Field(default_factory=CapacityConfig)
    overflow_after: Seconds = Field(default=1800, ge=0)
    target: Seconds = Field(default=3600, ge=0)
    availability: Literal["shifts", "always"] = "shifts"

    @model_validator(mode="before")
    @classmethod
    def _skill_conditions(cls, raw: Any) -> Any:
        """Each skill's condition read with its whole path and line, for errors."""
        if not isinstance(raw, dict) or not isinstance(raw.get("skills"), dict):
            return raw
        skills = raw["skills"]
        lc = getattr(skills, "lc", None)
        read = {}
        for name, value in skills.items():
            line = lc.key(name)[0] + 1 if lc is not None else None
            read[name] = parse_condition(value, key=f"routing.skills.{name}", line=line)
        return {**raw, "skills": read}

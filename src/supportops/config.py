"""Typed models of ``supportops.yaml``, declared once, and their loader.

Every key is declared here with its default; an unknown key is an error naming the key and its
line. Later capabilities add their own top-level sections as models in this module.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from supportops.alerts.rules import AlertRule
from supportops.conditions import All, ConditionSetting, parse_condition
from supportops.errors import ConditionError, ConfigError
from supportops.experiments.settings import ExperimentConfig
from supportops.instants import parse_duration
from supportops.qa.scorecard import QaConfig
from supportops.rules.settings import RulesConfig
from supportops.workforce.routing_settings import RoutingConfig
from supportops.workforce.shifts import ShiftTemplate

__all__ = [
    "CONFIG_FILE",
    "TARGETS",
    "CalendarConfig",
    "CostConfig",
    "GroupConfig",
    "HolidayConfig",
    "LimitsConfig",
    "ReportConfig",
    "ReportTargets",
    "RoiConfig",
    "SlaPolicy",
    "SourceAccounts",
    "SourceAuth",
    "SourceConfig",
    "SourceWebhook",
    "TargetSpec",
    "Targets",
    "WorkspaceConfig",
    "load_config",
    "parse_config",
]

CONFIG_FILE = "supportops.yaml"

TARGETS = (
    "first_reply",
    "next_reply",
    "periodic_update",
    "pausable_update",
    "requester_wait",
    "agent_work",
    "resolution",
)
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RANGE = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown IANA time zone {name!r}") from exc
    return name


def _expand_days(key: str) -> list[int]:
    """``mon-fri`` → [0..4]; ``sat`` → [5]; ``mon,wed`` → [0, 2]."""
    days: list[int] = []
    for part in key.lower().replace(" ", "").split(","):
        if "-" in part:
            first, last = part.split("-", 1)
            if first not in DAY_NAMES or last not in DAY_NAMES:
                raise ValueError(f"unknown day range {part!r} (expected e.g. mon-fri)")
            lo, hi = DAY_NAMES.index(first), DAY_NAMES.index(last)
            days.extend(range(lo, hi + 1) if lo <= hi else [*range(lo, 7), *range(0, hi + 1)])
        elif part in DAY_NAMES:
            days.append(DAY_NAMES.index(part))
        else:
            raise ValueError(f"unknown day {part!r} (expected one of {', '.join(DAY_NAMES)})")
    return days


def _check_range(text: str) -> str:
    match = _RANGE.match(text.replace(" ", ""))
    if not match:
        raise ValueError(f"not a time range {text!r} (expected HH:MM-HH:MM)")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if (h1 == 24 and m1) or (h2 == 24 and m2):
        raise ValueError(f"not a time of day in {text!r}")
    if (h1, m1) == (h2, m2):
        raise ValueError(f"empty time range {text!r}")
    return text.replace(" ", "")


Hours = dict[str, list[str]]


def _check_hours(hours: Hours) -> Hours:
    for key, ranges in hours.items():
        _expand_days(key)
        for text in ranges:
            _check_range(text)
    return hours


class HolidayConfig(_Model):
    """Public holidays from the ``holidays`` package, extra closed dates and partial days."""

    country: str | None = None
    subdivision: str | None = None
    dates: list[date] = Field(default_factory=list)
    partial: dict[date, list[str]] = Field(default_factory=dict)

    @field_validator("partial")
    @classmethod
    def _partial_ranges(cls, value: dict[date, list[str]]) -> dict[date, list[str]]:
        for ranges in value.values():
            for text in ranges:
                _check_range(text)
        return value


class CalendarVersion(_Model):
    """Hours in force before ``until`` (exclusive, local date)."""

    until: date
    hours: Hours

    _hours = field_validator("hours")(classmethod(lambda cls, v: _check_hours(v)))


class CalendarConfig(_Model):
    """A business calendar: local open hours, holidays and earlier versions of the hours."""

    timezone: str = "UTC"
    hours: Hours = Field(default_factory=dict)
    holidays: HolidayConfig = Field(default_factory=HolidayConfig)
    versions: list[CalendarVersion] = Field(default_factory=list)
    always_open: bool = False

    _zone = field_validator("timezone")(classmethod(lambda cls, v: _check_zone(v)))
    _hours = field_validator("hours")(classmethod(lambda cls, v: _check_hours(v)))


def _to_seconds(value: Any) -> Any:
    return parse_duration(value)


Seconds = Annotated[int, BeforeValidator(_to_seconds)]


class TargetSpec(_Model):
    """A target's length in seconds and, optionally, its own calendar."""

    target: Seconds
    calendar: str | None = None


def _target_spec(value: Any) -> Any:
    if isinstance(value, str | int | float):
        return {"target": value}
    return value


Target = Annotated[TargetSpec | None, BeforeValidator(_target_spec)]


class Targets(_Model):
    """The seven SLA targets of a policy; an absent target is not measured."""

    first_reply: Target = None
    next_reply: Target = None
    periodic_update: Target = None
    pausable_update: Target = None
    requester_wait: Target = None
    agent_work: Target = None
    resolution: Target = None

    def items(self) -> list[tuple[str, TargetSpec]]:
        """(name, spec) of the targets the policy sets, in the spec's order."""
        pairs = ((name, getattr(self, name)) for name in TARGETS)
        return [(name, spec) for name, spec in pairs if spec is not None]


class SlaPolicy(_Model):
    """An SLA policy: the first policy whose ``when`` matches a ticket applies to it."""

    name: str
    when: ConditionSetting = Field(default_factory=All)
    calendar: str | None = None
    targets: Targets


class GroupConfig(_Model):
    """What supportops knows of a group: its tier (2 or more counts as an escalation), and
    the name pages show for it when the log holds an id (a help desk's numeric group id)."""

    tier: int = 1
    name: str | None = None


class CostConfig(_Model):
    """Cost settings for cost_per_ticket and friends."""

    overhead_per_ticket: float = 0.0
    default_hourly_cost: float | None = None


class RoiConfig(_Model):
    """The ``roi:`` section: the automation ROI ledger and cost to serve.

    ``window``: a bot resolution is verified when the customer makes no human contact within
    it; ``tool_costs``: each automation's cost per month (``bot``, or a holdout's name);
    ``holdouts``: automation name → the experiment whose first (control) arm is its holdout;
    ``cost_share``: accounts whose yearly support cost exceeds this share of their ARR are listed.
    """

    window: Seconds = 7 * 86400
    tool_costs: dict[str, float] = Field(default_factory=dict)
    holdouts: dict[str, str] = Field(default_factory=dict)
    cost_share: float = Field(default=0.1, gt=0)


class ReportTargets(_Model):
    """Targets the executive report holds the period against (rates are fractions); the pages
    draw them as target lines. ``null`` means no target."""

    csat: float | None = Field(default=0.85, ge=0, le=1)
    sla: float | None = Field(default=0.90, ge=0, le=1)
    fcr: tuple[float, float] = (0.70, 0.75)

    @field_validator("fcr")
    @classmethod
    def _range(cls, value: tuple[float, float]) -> tuple[float, float]:
        low, high = value
        if not 0 <= low <= high <= 1:
            raise ValueError(f"expected [low, high] fractions with low <= high, not {list(value)}")
        return value


class ReportConfig(_Model):
    """The ``report:`` section: settings of ``supportops report``."""

    targets: ReportTargets = Field(default_factory=ReportTargets)


class ImportConfig(_Model):
    """How imports judge rows: an instant more than ``horizon_days`` after the import (or
    before 1970) is implausible and its row is quarantined."""

    horizon_days: int = Field(default=365, ge=0)


class LimitsConfig(_Model):
    """The ``limits:`` section: what one request may cost the server, and the memory of a
    sync."""

    upload_mb: float = Field(default=256, gt=0)
    query_seconds: float = Field(default=30, gt=0)
    query_memory: str = Field(
        default="2GB", pattern=r"^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$"
    )
    sync_memory: str = Field(
        default="128MB", pattern=r"^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$"
    )  # what `supportops sync` lets DuckDB hold (its cache of the store's blocks): the sync's
    # peak stays the same for any size of account (its pages are bounded; the cache is not)

    @property
    def upload_bytes(self) -> int:
        """The largest request body of an import, in bytes."""
        return int(self.upload_mb * 2**20)


STATUS_NAMES = ("new", "open", "pending", "on_hold", "solved", "closed")
VENDOR_NAMES = ("zendesk", "freshdesk", "intercom", "helpscout", "salesforce")


class SourceAuth(_Model):
    """How a source signs in; secrets are named by the environment variable holding them."""

    email: str | None = None
    token_env: str | None = None
    oauth_token_env: str | None = None
    api_key_env: str | None = None
    client_id: str | None = None
    client_secret_env: str | None = None
    refresh_token_env: str | None = None


class SourceWebhook(_Model):
    """The signing secret (or shared token) of a source's webhooks, by environment variable;
    ``org_id``: the organisation id a Salesforce Outbound Message must name."""

    secret_env: str | None = None
    org_id: str | None = None


class SourceAccounts(_Model):
    """Where a source keeps an account's plan, segment and ARR among an organization's or
    company's custom fields (the vendor's own field keys); one not named takes the vendor's
    own value where it has one (see docs/connectors.md), else stays empty."""

    plan: str | None = None
    segment: str | None = None
    arr: str | None = None

    def named(self) -> dict[str, str]:
        """Column → the vendor's field key, for the columns named."""
        return {k: v for k, v in self.model_dump().items() if v is not None}


def _check_status_map(mapping: dict[str, str]) -> dict[str, str]:
    for label, status in mapping.items():
        if status not in STATUS_NAMES:
            raise ValueError(
                f"{label!r} maps to {status!r}; expected one of {', '.join(STATUS_NAMES)}"
            )
    return mapping


class SourceConfig(_Model):
    """One account of one helpdesk under ``sources:`` (its key becomes ``tickets.source``)."""

    vendor: str
    url: str
    auth: SourceAuth = Field(default_factory=SourceAuth)
    start: date | None = None
    status_map: dict[str, str] = Field(default_factory=dict)
    automation_users: list[str] = Field(default_factory=list)
    accounts: SourceAccounts = Field(default_factory=SourceAccounts)
    webhook: SourceWebhook | None = None
    budget: int | None = Field(default=None, ge=1)  # requests one sync may send
    schedule: Seconds | None = None  # `serve` syncs the source this often ("5m")
    sync_gap: Seconds | None = None  # fewest seconds between two live syncs (default: vendor's)
    enable: list[str] = Field(default_factory=list)  # optional streams on (Freshdesk: activities)

    _vendor = field_validator("vendor")(
        classmethod(lambda cls, v: v if v in VENDOR_NAMES else _unknown_vendor(v))
    )
    _statuses = field_validator("status_map")(classmethod(lambda cls, v: _check_status_map(v)))
    _ids = field_validator("automation_users", mode="before")(
        classmethod(lambda cls, v: [str(x) for x in v] if isinstance(v, list) else v)
    )


def _unknown_vendor(name: str) -> str:
    raise ValueError(f"unknown vendor {name!r}; expected one of {', '.join(VENDOR_NAMES)}")


class WorkspaceConfig(_Model):
    """The whole ``supportops.yaml``."""

    store: str = "duckdb"
    report_timezone: str = "UTC"
    stale_after: Seconds = 6 * 3600
    max_periods: int = Field(default=5000, ge=1)
    currency: str = "USD"
    default_calendar: str | None = None
    calendars: dict[str, CalendarConfig] = Field(default_factory=dict)
    sla_policies: list[SlaPolicy] = Field(default_factory=list)
    groups: dict[str, GroupConfig] = Field(default_factory=dict)
    cost: CostConfig = Field(default_factory=CostConfig)
    report: ReportConfig = Field(default_factory=ReportConfig)
    alerts: list[AlertRule] = Field(default_factory=list)
    shift_templates: list[ShiftTemplate] = Field(default_factory=list)
    imports: ImportConfig = Field(default_factory=ImportConfig)
    limits: LimitsConfig = Field(default_factory=LimitsConfig)
    sources: dict[str, SourceConfig] = Field(default_factory=dict)

    qa: QaConfig = Field(default_factory=QaConfig)

    experiments: list[ExperimentConfig] = Field(default_factory=list)
    roi: RoiConfig = Field(default_factory=RoiConfig)

    rules: RulesConfig = Field(default_factory=RulesConfig)

    routing: RoutingConfig = Field(default_factory=RoutingConfig)

    _zone = field_validator("report_timezone")(classmethod(lambda cls, v: _check_zone(v)))

    @model_validator(mode="before")
    @classmethod
    def _conditions(cls, raw: Any) -> Any:
        """Policies' ``when`` and alerts' ``filters`` read with their whole path, for errors."""
        if not isinstance(raw, dict):
            return raw
        out = dict(raw)
        zone = raw.get("report_timezone")
        zone = zone if isinstance(zone, str) and zone else "UTC"
        for section, key in (("sla_policies", "when"), ("alerts", "filters")):
            if isinstance(raw.get(section), list):
                out[section] = [
                    _with_condition(item, key, f"{section}.{i}.{key}", zone)
                    for i, item in enumerate(raw[section])
                ]
        qa = raw.get("qa")
        if isinstance(qa, dict) and isinstance(qa.get("scorecards"), list):
            cards = [
                _with_condition(card, "scope", f"qa.scorecards.{i}.scope", zone)
                for i, card in enumerate(qa["scorecards"])
            ]
            out["qa"] = {**qa, "scorecards": cards}
        return out

    def model_post_init(self, context: Any, /) -> None:
        known = set(self.calendars)
        if self.default_calendar is not None and self.default_calendar not in known:
            raise ValueError(f"default_calendar {self.default_calendar!r} is not a calendar")
        for policy in self.sla_policies:
            names = [policy.calendar, *(t.calendar for _, t in policy.targets.items())]
            for name in names:
                if name is not None and name not in known:
                    raise ValueError(f"policy {policy.name!r} names unknown calendar {name!r}")
        self._check_alerts()
        names = [e.name for e in self.experiments]
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"experiments: two experiments are named {name!r}")
        for automation, experiment in self.roi.holdouts.items():
            if experiment not in names:
                raise ValueError(f"roi.holdouts.{automation}: no experiment {experiment!r}")

    def _check_alerts(self) -> None:
        names = [rule.name for rule in self.alerts]
        policies = {policy.name for policy in self.sla_policies}
        for rule in self.alerts:
            if names.count(rule.name) > 1:
                raise ValueError(f"alerts: two rules are named {rule.name!r}")
            for target in getattr(rule, "targets", []):
                if target not in TARGETS:
                    raise ValueError(f"alert {rule.name!r}: unknown SLA target {target!r}")
            for policy in getattr(rule, "policies", []):
                if policy not in policies:
                    raise ValueError(f"alert {rule.name!r}: unknown SLA policy {policy!r}")


def _with_condition(item: Any, key: str, path: str, zone: str) -> Any:
    if not isinstance(item, dict) or key not in item:
        return item
    line = _line_of(item, (key,))
    return {**item, key: parse_condition(item[key], key=path, line=line, zone=zone)}


def _line_of(raw: Any, loc: tuple[int | str, ...]) -> int | None:
    """The 1-based line of the deepest node of ``loc`` that the YAML tree knows."""
    line: int | None = None
    node = raw
    for part in loc:
        lc = getattr(node, "lc", None)
        try:
            if lc is not None and isinstance(part, str) and part in node:
                line = lc.key(part)[0] + 1
            elif lc is not None and isinstance(part, int) and part < len(node):
                line = lc.item(part)[0] + 1
            node = node[part]
        except (KeyError, IndexError, TypeError, AttributeError):
            break
    return line


def _existing(raw: Any, loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    """``loc`` cut where the YAML stops (a shorthand such as ``first_reply: 4h``), but kept
    whole for a key the user wrote that the model does not know."""
    node = raw
    for depth, part in enumerate(loc):
        if not isinstance(node, dict | list):
            return loc[:depth]
        try:
            node = node[part]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            return loc
    return loc


def _untagged(raw: Any, loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    """``loc`` without validator names and the tags of tagged unions (an alert's ``kind``),
    which pydantic puts in the path but the YAML does not have."""
    out: list[int | str] = []
    node = raw
    for part in loc:
        if str(part).startswith("function-"):
            continue
        if isinstance(node, dict) and part not in node and node.get("kind") == part:
            continue
        out.append(part)
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
    return tuple(out)


def _explain(error: Any) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown key (not part of supportops.yaml)"
    return str(error["msg"]).removeprefix("Value error, ")


def parse_config(raw: Any, file: str = CONFIG_FILE) -> WorkspaceConfig:
    """Validate a parsed YAML mapping; a :class:`ConfigError` names the key and its line."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{file}: expected a mapping of keys at the top level", file=file)
    try:
        config = WorkspaceConfig.model_validate(raw)
        _locate_experiments(config, raw, file)
        return config
    except ConditionError as exc:
        where = f"{file}, line {exc.line}" if exc.line else file
        raise ConditionError(
            f"{where}: {exc.key}: {exc.reason}",
            file=file,
            key=exc.key,
            line=exc.line,
            suggestion=exc.suggestion,
            reason=exc.reason,
        ) from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = _existing(raw, _untagged(raw, first["loc"]))
        key = ".".join(str(p) for p in loc) or "(top level)"
        line = _line_of(raw, loc)
        where = f"{file}, line {line}" if line else file
        raise ConfigError(
            f"{where}: {key}: {_explain(first)}", file=file, key=key, line=line
        ) from exc


def _locate_experiments(config: WorkspaceConfig, raw: Any, file: str) -> None:
    """Tell each experiment where its metric keys are written, for the errors naming them."""
    for i, experiment in enumerate(config.experiments):
        lines = {"primary": _line_of(raw, ("experiments", i, "primary"))}
        for j in range(len(experiment.guardrails)):
            lines[f"guardrails.{j}"] = _line_of(raw, ("experiments", i, "guardrails", j))
        experiment.locate(file, {k: v for k, v in lines.items() if v is not None})


def read_yaml(path: Path) -> Any:
    """Parse a YAML file keeping line numbers; errors name the file and line."""
    try:
        with path.open(encoding="utf-8") as handle:
            return YAML(typ="rt").load(handle)
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: no such file", file=str(path)) from exc
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise ConfigError(
            f"{path}, line {line}: not valid YAML: {exc}", file=str(path), line=line
        ) from exc


def load_config(path: Path) -> WorkspaceConfig:
    """Read and validate ``supportops.yaml`` at ``path``."""
    return parse_config(read_yaml(path), file=str(path))

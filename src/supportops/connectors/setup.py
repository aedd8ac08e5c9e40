"""Adding a source: check its credentials with one cheap request, then write it under
``sources:`` in ``supportops.yaml`` (comments and order kept; secrets stay in the environment)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from supportops.config import SourceConfig, read_yaml
from supportops.connectors.auth import credentials
from supportops.connectors.registry import vendor_of
from supportops.connectors.spec import PageRequest, Stream, dig
from supportops.errors import ConfigError
from supportops.http import HttpClient, Retries, Transport
from supportops.instants import Clock, SystemClock

__all__ = ["add_source", "check_source", "merge_config", "read_config"]


def check_source(
    name: str,
    source: SourceConfig,
    transport: Transport | None = None,
    env: Mapping[str, str] | None = None,
) -> Any:
    """Send the vendor's cheap check request; returns its JSON (raises on refusal)."""
    vendor = vendor_of(source.vendor)
    with HttpClient(
        retries=Retries(attempts=3), rate_limit=vendor.rate_limit, transport=transport
    ) as http:

        def token(url: str, form: Mapping[str, str]) -> Mapping[str, object]:
            answer: Mapping[str, object] = http.post(url, data=dict(form)).json()
            return answer

        creds = credentials(name, source, vendor, token, env)
        answer = http.get(
            creds.base_url.rstrip("/") + vendor.check.path,
            params=list(vendor.check.params),
            headers=creds.headers,
        )
        return answer.json()


def add_source(config_file: Path, name: str, settings: dict[str, Any]) -> None:
    """Write source ``name`` with ``settings`` under ``sources:`` of ``config_file``."""
    raw = read_yaml(config_file)
    if raw is None:
        raw = {}
    sources = raw.setdefault("sources", {})
    if sources is None:
        raw["sources"] = sources = {}
    if name in sources:
        raise ConfigError(f"{config_file}: sources.{name} exists already", key=f"sources.{name}")
    sources[name] = settings
    yaml = YAML(typ="rt")
    yaml.default_flow_style = False
    with config_file.open("w", encoding="utf-8") as handle:
        yaml.dump(raw, handle)


def read_config(
    name: str,
    source: SourceConfig,
    transport: Transport | None = None,
    env: Mapping[str, str] | None = None,
    max_pages: int = 50,
    clock: Clock | None = None,
) -> dict[str, Any]:
    """The vendor's schedules, SLA policies and statuses as ``supportops.yaml`` settings to
    review (the vendor's ``propose``), read through its ``config_streams``; a ``for_each``
    stream (a schedule's holidays) is read for each record of its parent, each record naming
    its parent's id in ``_parent``."""
    vendor = vendor_of(source.vendor)
    if vendor.propose is None:
        raise ConfigError(f"{vendor.name}: no configuration to import yet", key="vendor")
    records: dict[str, list[dict[str, Any]]] = {}
    with HttpClient(
        retries=Retries(attempts=5), rate_limit=vendor.rate_limit, transport=transport
    ) as http:

        def token(url: str, form: Mapping[str, str]) -> Mapping[str, object]:
            answer: Mapping[str, object] = http.post(url, data=dict(form)).json()
            return answer

        creds = credentials(name, source, vendor, token, env)

        def read(stream: Stream, parent: Any = None) -> list[dict[str, Any]]:
            now = (clock or SystemClock()).now()
            request: PageRequest | None = stream.pagination.first(stream, None, now=now)
            out: list[dict[str, Any]] = []
            for _ in range(max_pages):
                if request is None:
                    break
                body = http.request(
                    request.method,
                    creds.base_url.rstrip("/") + request.path.replace("{parent}", str(parent)),
                    params=list(request.params),
                    headers=creds.headers,
                ).json()
                found = dig(body, stream.records)
                page = found if isinstance(found, list) else [found] if found else []
                out += [{**r, "_parent": parent} if parent is not None else r for r in page]
                request = stream.pagination.step(request, body, page, now=now).next
            return out

        for stream in vendor.config_streams:
            if stream.for_each is None:
                records[stream.name] = read(stream)
                continue
            for record in records.get(stream.for_each, []):  # each record of its parent
                found = read(stream, dig(record, stream.parent_key))
                records.setdefault(stream.name, []).extend(found)
    return vendor.propose(records)


def merge_config(config_file: Path, name: str, proposed: dict[str, Any]) -> None:
    """Add the proposed calendars and SLA policies to ``config_file`` (an existing name is
    kept as it is) and the status map to source ``name``."""
    raw = read_yaml(config_file) or {}
    calendars = raw.setdefault("calendars", {}) or {}
    raw["calendars"] = calendars
    for key, calendar in proposed.get("calendars", {}).items():
        calendars.setdefault(key, calendar)
    policies = raw.setdefault("sla_policies", []) or []
    raw["sla_policies"] = policies
    known = {p.get("name") for p in policies}
    policies.extend(p for p in proposed.get("sla_policies", []) if p["name"] not in known)
    source = (raw.get("sources") or {}).get(name)
    if source is not None and proposed.get("status_map"):
        source["status_map"] = {**proposed["status_map"], **(source.get("status_map") or {})}
    yaml = YAML(typ="rt")
    yaml.default_flow_style = False
    with config_file.open("w", encoding="utf-8") as handle:
        yaml.dump(raw, handle)

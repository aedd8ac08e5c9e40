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
from supportops.errors import ConfigError
from supportops.http import HttpClient, Retries, Transport

__all__ = ["add_source", "check_source"]


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

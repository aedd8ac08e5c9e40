"""Reading rule sets: a rule file, the workspace's ``rules:`` (with its includes), or a vendor's
JSON; writing one back as YAML. Errors name the file, the key and its line."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML

from supportops.errors import ConditionError, RuleError
from supportops.rules.model import RuleSet

__all__ = ["IMPORTERS", "dump_rules", "load_rules", "read_vendor", "workspace_rules"]


def _zendesk(data: Any) -> RuleSet:
    from supportops.rules.zendesk import import_zendesk

    return import_zendesk(data)


def _freshdesk(data: Any) -> RuleSet:
    from supportops.rules.freshdesk import import_freshdesk

    return import_freshdesk(data)


IMPORTERS: dict[str, Callable[[Any], RuleSet]] = {"zendesk": _zendesk, "freshdesk": _freshdesk}


def _line(raw: Any, loc: tuple[Any, ...]) -> int | None:
    from supportops.config import _line_of

    return _line_of(raw, loc)


def parse_rules(raw: Any, file: str) -> RuleSet:
    """A rule set from parsed YAML (``semantics``, ``rules``), errors naming ``file``."""
    if not isinstance(raw, dict):
        raise RuleError(f"{file}: expected a mapping with `rules:`", file=file)
    try:
        return RuleSet.model_validate({k: v for k, v in raw.items() if k in ("semantics", "rules")})
    except ConditionError as exc:
        raise RuleError(f"{file}: {exc.key}: {exc.reason}", file=file, key=exc.key) from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(p for p in first["loc"] if not str(p).startswith("function-"))
        key = ".".join(str(p) for p in loc) or "(top level)"
        line = _line(raw, loc)
        where = f"{file}, line {line}" if line else file
        message = str(first["msg"]).removeprefix("Value error, ")
        raise RuleError(f"{where}: {key}: {message}", file=file, key=key, line=line) from exc


def load_rules(path: Path) -> RuleSet:
    """The rule set in YAML file ``path``."""
    from supportops.config import read_yaml

    return parse_rules(read_yaml(path), str(path))


def read_vendor(path: Path, vendor: str) -> RuleSet:
    """A rule set imported from a vendor's JSON file (``zendesk``, ``freshdesk``); a JSON
    Lines file of exported records (``{"stream": ..., "data": {...}}``) is read too."""
    if vendor not in IMPORTERS:
        raise RuleError(f"unknown vendor {vendor!r}; known: {', '.join(IMPORTERS)}", key="from")
    text = path.read_text(encoding="utf-8")
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError:
        try:
            lines = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as exc:
            raise RuleError(
                f"{path}, line {exc.lineno}: not JSON: {exc.msg}", file=str(path)
            ) from exc
        data = {}
        for record in lines:
            if isinstance(record, dict) and record.get("stream") in ("triggers", "automations"):
                data.setdefault(record["stream"], []).append(record["data"])
    return IMPORTERS[vendor](data)


def workspace_rules(config: Any, folder: Path) -> RuleSet:
    """The workspace's rule set: ``rules.rules`` then each included file's, in order, under
    ``rules.semantics``."""
    section = config.rules
    rules = list(section.rules)
    for pattern in section.include:
        for path in sorted(folder.glob(pattern)):
            rules += load_rules(path).rules
    return RuleSet(semantics=section.semantics, rules=rules)


def dump_rules(ruleset: RuleSet) -> str:
    """``ruleset`` as YAML, short forms, defaults left out."""
    rules = []
    for rule in ruleset.rules:
        data = rule.model_dump(mode="json", exclude_defaults=True)
        data["actions"] = [a.data() for a in rule.actions]
        rules.append(data)
    out = io.StringIO()
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    yaml.dump({"semantics": ruleset.semantics, "rules": rules}, out)
    return out.getvalue()

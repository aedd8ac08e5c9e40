"""The package's shape, checked from its source: where SQL may be written, and which way imports go.

- No module under ``web/`` or ``cli/`` holds SQL text: those layers ask ``metrics/`` and ``store/``
  functions named for what they answer.
- The core never imports ``web`` or ``cli`` (only the declared entry points do).
- ``config`` imports no feature: only each feature's declared settings module, which imports no
  feature logic itself.
- Outbound HTTP goes through one seam: only ``supportops.http`` imports an HTTP client.

Imports are read with :mod:`ast`, function-level ones included (``if TYPE_CHECKING:`` blocks are
not imports at run time). Each checker is also run on a small synthetic source, so that a test here
fails when a violation is added.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import supportops

PACKAGE = Path(supportops.__file__).parent
EDGES = ("supportops.web", "supportops.cli")
HTTP_CLIENTS = ("httpx", "requests", "urllib.request", "http.client", "aiohttp", "urllib3")
FEATURES = (
    "supportops.alerts",
    "supportops.cli",
    "supportops.connectors",
    "supportops.demo",
    "supportops.experiments",
    "supportops.metrics",
    "supportops.model",
    "supportops.qa",
    "supportops.reports",
    "supportops.rules",
    "supportops.sla",
    "supportops.store",
    "supportops.web",
    "supportops.workforce",
    "supportops.workspace",
)
# Outside web/ and cli/, the modules that may import them, and why.
ENTRY_POINTS = {
    "supportops.__main__": "`python -m supportops` runs the CLI",
    "supportops.reference": "generates docs/cli.md from the CLI's commands",
}
# The features' settings models, which config composes (and nothing else of theirs).
SETTINGS = {
    "supportops.alerts.rules": "the typed rules of `alerts:`",
    "supportops.workforce.shifts": "the shift templates of `workforce:`",
    "supportops.workforce.routing_settings": "the skills and capacities of `routing:`",
    "supportops.qa.scorecard": "the scorecards of `qa:`",
    "supportops.experiments.settings": "the experiments of `experiments:`",
    "supportops.rules.settings": "the rule set of `rules:`",
    "supportops.rules.model": "the rules of `rules:`",
    "supportops.rules.fields": "the fields a rule of `rules:` may test",
    "supportops.rules.semantics": "the semantics `rules:` names",
}
# Modules allowed to hold SQL while another change moves it out; keep it empty.
SQL_ALLOWED: dict[str, str] = {}

SQL = re.compile(
    r"\b(?:SELECT|INSERT\s+INTO|DELETE\s+FROM|UPDATE\s+\S+\s+SET"
    r"|(?:CREATE|DROP|ALTER)\s+(?:OR\s+REPLACE\s+)?(?:TEMP(?:ORARY)?\s+)?(?:TABLE|VIEW|INDEX|SCHEMA)"
    r"|GROUP\s+BY|ORDER\s+BY|IS\s+(?:NOT\s+)?NULL|IS\s+(?:NOT\s+)?DISTINCT\s+FROM"
    r"|CAST\s*\(|COALESCE\s*\(|EXISTS\s*\()"
    r"|\bWITH\s+\w+\s+AS\s*\("
)


def sql_literals(source: str) -> list[tuple[int, str]]:
    """(line, text) of each string literal of ``source`` that reads as SQL (SQL keywords in
    capitals, as this code writes them; f-strings' literal parts included, docstrings not)."""
    tree = ast.parse(source)
    docstrings = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            docstrings.add(id(body[0].value))
    return sorted(
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and SQL.search(node.value)
    )


def _type_checking_only(node: ast.AST) -> bool:
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(source: str, module: str, is_package: bool = False) -> set[str]:
    """Absolute names of what ``module``'s ``source`` imports at run time, at any depth
    (``from a import b`` gives ``a`` and ``a.b``; relative imports resolved)."""
    found: set[str] = set()
    here = module if is_package else module.rpartition(".")[0]

    def visit(node: ast.AST) -> None:
        if _type_checking_only(node):
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = here.split(".")[: len(here.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(source))
    return found


def _within(name: str, packages: tuple[str, ...] | list[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


def _outermost(names: set[str]) -> list[str]:
    """``names`` without those inside another of them (``a.b`` goes when ``a`` is there)."""
    return sorted(n for n in names if not any(n.startswith(o + ".") for o in names))


def package_modules(within: tuple[str, ...] = ("supportops",)) -> dict[str, set[str]]:
    """Every module of the package, by name, with what it imports of the packages ``within``."""
    graph = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        is_package = parts[-1] == "__init__"
        name = ".".join(parts[:-1] if is_package else parts)
        imported = imports_of(path.read_text(encoding="utf-8"), name, is_package)
        graph[name] = {i for i in imported if _within(i, within)}
    return graph


def http_outside_the_seam(graph: dict[str, set[str]]) -> list[str]:
    """``module -> client`` for each module but ``supportops.http`` importing an HTTP client."""
    return sorted(
        f"{module} -> {name}"
        for module, imported in graph.items()
        if module != "supportops.http"
        for name in _outermost({n for n in imported if _within(n, HTTP_CLIENTS)})
    )


def core_importing_edges(graph: dict[str, set[str]]) -> list[str]:
    """``module -> imported`` for each module outside web/cli (and the entry points) that
    imports web or cli."""
    return sorted(
        f"{module} -> {name}"
        for module, imported in graph.items()
        if not _within(module, EDGES) and module not in ENTRY_POINTS
        for name in _outermost({n for n in imported if _within(n, EDGES)})
    )


def config_importing_features(graph: dict[str, set[str]]) -> list[str]:
    """``module -> imported`` for each feature import of config, other than the declared
    settings modules, and each feature import of a settings module (or of the packages holding
    it, whose ``__init__`` runs first) outside the settings modules."""
    config = [m for m in graph if _within(m, ["supportops.config"])]
    holders = {setting.rpartition(".")[0] for setting in SETTINGS}

    def allowed(name: str) -> bool:  # a settings module, or a name (not a module) of a holder
        parent = name.rpartition(".")[0]
        return (
            _within(name, list(SETTINGS))
            or name in holders
            or (parent in holders and name not in graph)
        )

    found = []
    for module in [*config, *SETTINGS, *holders]:
        features = {n for n in graph.get(module, set()) if _within(n, FEATURES)}
        found += [f"{module} -> {n}" for n in _outermost({n for n in features if not allowed(n)})]
    return sorted(found)


# --- the package as it is --------------------------------------------------------------------


def test_no_web_or_cli_module_holds_sql() -> None:
    found = []
    for folder in ("web", "cli"):
        for path in sorted((PACKAGE / folder).rglob("*.py")):
            rel = path.relative_to(PACKAGE).as_posix()
            if rel in SQL_ALLOWED:
                continue
            for line, text in sql_literals(path.read_text(encoding="utf-8")):
                found.append(f"{rel}:{line}: {text[:60]!r}")
    assert found == [], "SQL belongs in metrics/ or store/:\n" + "\n".join(found)


def test_the_sql_allow_list_names_only_files_that_still_hold_sql() -> None:
    stale = [rel for rel in SQL_ALLOWED if not sql_literals((PACKAGE / rel).read_text())]
    assert stale == [], f"no SQL left in {stale}: remove them from SQL_ALLOWED"


def test_the_core_never_imports_web_or_cli() -> None:
    assert core_importing_edges(package_modules()) == []


def test_config_imports_no_feature_but_its_settings_models() -> None:
    graph = package_modules()
    assert "supportops.config" in graph and set(SETTINGS) <= set(graph)
    assert config_importing_features(graph) == []


def test_only_the_http_seam_imports_an_http_client() -> None:
    graph = package_modules(HTTP_CLIENTS)
    assert graph["supportops.http"] and http_outside_the_seam(graph) == []


# --- the checkers, on synthetic sources --------------------------------------------------------


def test_sql_in_any_literal_form_is_found() -> None:
    source = '''
"""SELECT in a module docstring is prose."""
def f(x):
    """ORDER BY in a docstring too."""
    a = "SELECT 1 FROM t"
    b = f"SELECT {x} AS n FROM t"
    c = "r.solved_at IS NOT NULL"
    d = "WITH recent AS (" + x + ")"
    e = 'EXISTS (SELECT 1 FROM ' + x
    return "Create a token", "Select a period from the list", "update the page"
'''
    assert [line for line, _ in sql_literals(source)] == [5, 6, 7, 8, 9]


def test_imports_are_found_at_any_depth_and_relative_ones_resolved() -> None:
    source = """
from typing import TYPE_CHECKING
import supportops.errors
from supportops.web import data
from . import sibling
from ..store import base
if TYPE_CHECKING:
    from supportops.cli import app
def late():
    from supportops.cli.options import WorkspaceOption
"""
    found = imports_of(source, "supportops.metrics.thing")
    assert {"supportops.errors", "supportops.web.data", "supportops.metrics.sibling"} <= found
    assert {"supportops.store.base", "supportops.cli.options"} <= found
    assert "supportops.cli" not in found  # only for type checking


def test_a_core_module_importing_web_is_reported() -> None:
    late_import = "def f():\n    from supportops.web.pages import render\n"
    graph = {
        "supportops.sla.engine": imports_of(late_import, "supportops.sla.engine"),
        "supportops.sla.report": imports_of("from supportops import cli", "supportops.sla.report"),
        "supportops.cli.sla": {"supportops.web.pages"},
        "supportops.__main__": {"supportops.cli"},
    }
    assert core_importing_edges(graph) == [
        "supportops.sla.engine -> supportops.web.pages",
        "supportops.sla.report -> supportops.cli",
    ]


def test_config_importing_a_feature_or_a_settings_module_importing_logic_is_reported() -> None:
    graph = {
        "supportops.config": {
            "supportops.alerts.rules.AlertRule",
            "supportops.workforce.ShiftTemplate",
            "supportops.metrics.catalog",
        },
        "supportops.alerts": {"supportops.alerts.rules", "supportops.alerts.runner"},
        "supportops.alerts.rules": {"supportops.durations", "supportops.sla.policy"},
        "supportops.alerts.runner": set(),
        "supportops.workforce": set(),
        "supportops.workforce.shifts": {"supportops.errors"},
    }
    assert config_importing_features(graph) == [
        "supportops.alerts -> supportops.alerts.runner",
        "supportops.alerts.rules -> supportops.sla.policy",
        "supportops.config -> supportops.metrics.catalog",
    ]


def test_an_http_client_imported_outside_the_seam_is_reported() -> None:
    graph = {
        "supportops.http": {"httpx"},
        "supportops.connectors.zendesk": imports_of("def f():\n    import httpx\n", "x"),
        "supportops.alerts.deliver": imports_of("from urllib.request import urlopen", "y"),
    }
    assert http_outside_the_seam(graph) == [
        "supportops.alerts.deliver -> urllib.request",
        "supportops.connectors.zendesk -> httpx",
    ]

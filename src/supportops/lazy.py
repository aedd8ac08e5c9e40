"""Lazy re-exports: a package's public names, each imported from its home module on first use
(PEP 562), so that importing the package costs nothing until a name is touched.

    __getattr__, __dir__ = lazy_exports(__name__, {"supportops.errors": ("SupportOpsError",)})

And a library module imported on first use of one of its names (:func:`lazy_module`), for a
module that needs it only on some paths (SQLGlot, when a query is written for another dialect).

The command line depends on it to start in well under a second: ``import supportops.cli`` must
not import DuckDB, pandas or the engines (``tests/cli/test_startup.py``).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

__all__ = ["lazy_exports", "lazy_module"]


def lazy_exports(
    package: str, homes: Mapping[str, tuple[str, ...]]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The module ``__getattr__`` and ``__dir__`` of ``package``, which re-exports each name of
    ``homes`` (home module → names) from its home."""
    home_of = {name: home for home, names in homes.items() for name in names}
    sys.modules[package].__class__ = _exporting(frozenset(home_of))

    def __getattr__(name: str) -> Any:
        home = home_of.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(home), name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(home_of))

    return __getattr__, __dir__


def _exporting(names: frozenset[str]) -> type[ModuleType]:
    """A module type whose exported names a submodule of the same name does not hide: importing
    ``supportops.metrics.catalog`` sets the package's ``catalog`` to that module, and the
    function ``catalog`` must stay what ``from supportops.metrics import catalog`` gives, as when
    the package imported it eagerly."""

    class Exporting(ModuleType):
        def __setattr__(self, name: str, value: Any) -> None:
            if name in names and isinstance(value, ModuleType) and name not in vars(self):
                return
            super().__setattr__(name, value)

    return Exporting


class _LazyModule:
    """Stands for a module until one of its names is read; then imports it and keeps each name
    read, so that later reads are plain attribute reads."""

    def __init__(self, name: str) -> None:
        self.__name = name

    def __getattr__(self, attribute: str) -> Any:
        value = getattr(importlib.import_module(self.__name), attribute)
        setattr(self, attribute, value)
        return value

    def __repr__(self) -> str:
        return f"<lazy module {self.__name!r}>"


def lazy_module(name: str) -> Any:
    """A stand-in for module ``name`` that imports it when a name of it is first read:

    if TYPE_CHECKING:
        from sqlglot import exp
    else:
        exp = lazy_module("sqlglot.expressions")
    """
    return _LazyModule(name)

"""Query budgets: how long the queries of a request may run, and cancelling them from outside.

The web app opens a :class:`RequestBudget` for each request (:func:`request_budget`, a context
variable, so it follows the request into the worker thread that runs its queries). Its deadline
is ``seconds`` after the request began. While it is active, every query a store runs goes
through :func:`guarded` with the store's own way to stop a running query (DuckDB's
``interrupt()``, PostgreSQL's cancel): a query still running at the deadline is stopped, a query
asked for after it is refused, and every running query of the request is stopped when
:meth:`RequestBudget.cancel` is called (its client disconnected). The store then raises
:class:`BudgetExceededError`, which the API answers with a 503 in the one error shape. Outside
a request (the CLI, the server's background refresh) nothing is guarded. Memory is each
engine's setting (DuckDB's ``memory_limit``), set once when the server opens the store. Python
work between queries (building a query's text) is not interrupted: it is bounded where its
inputs are (the number of periods a request may ask for).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from supportops.errors import BudgetExceededError

__all__ = ["Guard", "RequestBudget", "guarded", "request_budget"]

Interrupt = Callable[[], object]
_ACTIVE: ContextVar[RequestBudget | None] = ContextVar("supportops_budget", default=None)


def _out_of_time(seconds: float) -> BudgetExceededError:
    return BudgetExceededError(
        f"the request's queries ran past their budget of {seconds:g} s "
        "(narrow the date range or the filters, or raise limits.query_seconds)",
        budget="time",
    )


class RequestBudget:
    """The budget of one request: ``seconds`` per query, and cancellation of all of them."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.cancelled = False
        self._running: set[Interrupt] = set()
        self._lock = threading.Lock()

    def cancel(self) -> None:
        """Stop every query of the request now, and refuse the next ones."""
        with self._lock:
            self.cancelled = True
            running = list(self._running)
        for interrupt in running:
            interrupt()

    def remaining(self) -> float:
        """Seconds left before the deadline (negative past it)."""
        return self.deadline - time.monotonic()

    def _enter(self, interrupt: Interrupt) -> float:
        with self._lock:
            if self.cancelled:
                raise BudgetExceededError("the request was cancelled", budget="cancelled")
            left = self.remaining()
            if left <= 0:
                raise _out_of_time(self.seconds)
            self._running.add(interrupt)
            return left

    def _leave(self, interrupt: Interrupt) -> None:
        with self._lock:
            self._running.discard(interrupt)


@contextmanager
def request_budget(seconds: float) -> Iterator[RequestBudget]:
    """Make a budget of ``seconds`` per query the active one while the block runs."""
    budget = RequestBudget(seconds)
    token = _ACTIVE.set(budget)
    try:
        yield budget
    finally:
        _ACTIVE.reset(token)


class Guard:
    """What happened to one guarded query: whether its time ran out, or it was cancelled."""

    def __init__(self, budget: RequestBudget | None) -> None:
        self.budget = budget
        self.timed_out = False

    def exceeded(self) -> BudgetExceededError | None:
        """The error to raise for an interrupted query, or None when no budget stopped it."""
        if self.timed_out and self.budget is not None:
            return _out_of_time(self.budget.seconds)
        if self.budget is not None and self.budget.cancelled:
            return BudgetExceededError("the request was cancelled", budget="cancelled")
        return None


@contextmanager
def guarded(interrupt: Interrupt) -> Iterator[Guard]:
    """Run one query under the active budget (if any), stopping it with ``interrupt``."""
    budget = _ACTIVE.get()
    guard = Guard(budget)
    if budget is None:
        yield guard
        return

    def expire() -> None:
        guard.timed_out = True
        interrupt()

    left = budget._enter(interrupt)
    timer = threading.Timer(left, expire)
    timer.daemon = True
    timer.start()
    try:
        yield guard
    finally:
        timer.cancel()
        budget._leave(interrupt)

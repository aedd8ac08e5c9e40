"""Which events each per-ticket fact came from: the facts row of :mod:`.facts` read back onto the
ticket's timeline.

A fact names timeline entries by ``ref`` (an event's id; ``created`` for the creation when the
log has no ``created`` event; ``solved_at`` for the solve of a ticket without status events):

* first reply: the entry its clock starts at (the creation, or the first public customer message
  of an agent-created ticket) and the reply at ``first_reply_s``;
* first and full resolution: the creation and the first or last solve;
* the waits: the status steps whose statuses the wait sums; replies, solves, reopens: each one;
* reassignments and group transfers: the changes the counts count (the first assignment is not).

Pure: plain rows in, :class:`Fact` values out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from supportops.metrics.profiles import DEFAULT

__all__ = ["CREATED", "FACTS", "SOLVED_AT", "Fact", "facts_of", "mark"]

CREATED = "created"
SOLVED_AT = "solved_at"
FACTS = (  # (name, unit) in the order shown
    ("first_reply_time", "seconds"),
    ("first_reply_time_business", "seconds"),
    ("first_resolution_time", "seconds"),
    ("first_resolution_time_business", "seconds"),
    ("full_resolution_time", "seconds"),
    ("full_resolution_time_business", "seconds"),
    ("requester_wait_time", "seconds"),
    ("agent_wait_time", "seconds"),
    ("on_hold_time", "seconds"),
    ("agent_replies", "count"),
    ("solves", "count"),
    ("reopens", "count"),
    ("reassignments", "count"),
    ("group_transfers", "count"),
    ("sla_breached", "flag"),
)
_WAITS = {
    "requester_wait_time": ("new", "open", "on_hold"),
    "agent_wait_time": ("pending",),
    "on_hold_time": ("on_hold",),
}


@dataclass(frozen=True)
class Fact:
    """A per-ticket fact: its value (None when it does not apply) and the events it came from."""

    name: str
    unit: str
    value: Any
    refs: tuple[str, ...]


def _at(timeline: list[dict[str, Any]], at_s: Any, test: Any) -> list[str]:
    if at_s is None or at_s != at_s:  # None or NaN
        return []
    return [e["ref"] for e in timeline if e["at_s"] == int(at_s) and test(e)][:1]


def _is_reply(e: dict[str, Any]) -> bool:
    note = DEFAULT.rules.notes_reply or (e.get("value") or "") != "note"
    return (
        e["kind"] == "message"
        and e.get("actor") == "agent"
        and e.get("public") is not False
        and note
    )


def _step_ref(timeline: list[dict[str, Any]], step: dict[str, Any]) -> str:
    """The timeline entry a status step of the facts came from."""
    if step.get("event_id"):
        return str(step["event_id"])
    if int(step["seq"]) == 0:
        return CREATED
    found = _at(
        timeline, step["at_s"], lambda e: e["kind"] == "status" and e.get("value") == step["status"]
    )
    return found[0] if found else SOLVED_AT


def _changes(timeline: list[dict[str, Any]], kind: str) -> list[str]:
    """The changes a reassignment or transfer count counts (see ``facts._changes``)."""
    changed = [
        e
        for e in timeline
        if e["kind"] == kind and (e.get("value") or "") and e.get("value") != e.get("previous")
    ]
    first = next((e for e in changed if not (e.get("previous") or "")), None)
    return [e["ref"] for e in changed if e is not first]


def _refs(
    name: str, row: dict[str, Any], steps: list[dict[str, Any]], timeline: list[dict[str, Any]]
) -> list[str]:
    base = name.removesuffix("_business")
    solves = [_step_ref(timeline, s) for s in steps if s["is_solve"]]
    if base == "first_reply_time":
        start = _at(
            timeline, row.get("reply_start_s"), lambda e: e["kind"] in ("created", "message")
        )
        return start + _at(timeline, row.get("first_reply_s"), _is_reply)
    if base == "first_resolution_time":
        return [CREATED, *solves[:1]]
    if base == "full_resolution_time":
        return [CREATED, *solves[-1:]]
    if base in _WAITS:
        return [_step_ref(timeline, s) for s in steps if s["status"] in _WAITS[base]]
    if name == "agent_replies":
        return [e["ref"] for e in timeline if _is_reply(e)]
    if name == "solves":
        return solves
    if name == "reopens":
        return [_step_ref(timeline, s) for s in steps if s["is_reopen"]]
    if name in ("reassignments", "group_transfers"):
        return _changes(timeline, "assignee" if name == "reassignments" else "group")
    return []


def facts_of(
    row: dict[str, Any],
    steps: list[dict[str, Any]],
    timeline: list[dict[str, Any]],
    breached: bool | None,
) -> list[Fact]:
    """The facts of :data:`FACTS` from the ticket's facts ``row``, each with the timeline entries
    (``ref``) it came from; ``steps`` are its ``so_timeline`` rows in order, ``breached``
    whether an SLA instance breached (None: no instance)."""
    creation = next(e["ref"] for e in timeline if e["kind"] == "created")
    out = []
    for name, unit in FACTS:
        if name == "sla_breached":
            out.append(Fact(name, unit, breached, ()))
            continue
        value = row.get(name)
        refs = _refs(name, row, steps, timeline) if value not in (None, 0) else []
        refs = [creation if ref == CREATED else ref for ref in refs]
        out.append(Fact(name, unit, value, tuple(dict.fromkeys(refs))))
    return out


def mark(timeline: list[dict[str, Any]], facts: list[Fact]) -> None:
    """Each timeline entry lists the facts it feeds."""
    by_ref = {e["ref"]: e for e in timeline}
    for fact in facts:
        for ref in fact.refs:
            if ref in by_ref:
                by_ref[ref]["facts"].append(fact.name)

"""Write-back: the rules' live actions sent to the helpdesk of each ticket's source.

What a vendor's API takes is data (:class:`~supportops.connectors.spec.WriteBacks` on its
declaration); one executor serves every vendor:

- an action becomes one request (:func:`plan`): its target's :class:`~supportops.connectors.
  spec.Write` with the value coded as the vendor wants it (a code, a lookup record's id, a
  number). A target the vendor cannot take, a notification, or a source with no write-back is
  ``skipped: <why>``; an action leaving the ticket as it was is ``unchanged`` (nothing sent);
- requests go through the one HTTP seam (:mod:`supportops.http`) with the source's credentials
  (retries, 429s waited out as the vendor says), at most ``rules.per_minute`` writes per source
  in any 60 seconds (:class:`Pace`);
- a refusal is ``failed: HTTP <status> <the vendor's answer>`` and the other actions still go;
  a transient failure (the vendor down, still limiting after the retries) leaves the action
  ``pending``, checked and sent on the next evaluation.

A pending action from an earlier run (a crash between the request and its result) is checked
first (:meth:`Helpdesks.confirm`, decision D90): the ticket is read and an action whose value it
already holds is ``written`` without a second request; a value that cannot be read back but is
absolute (a custom field) is sent again; a note cannot be read back and is never sent twice:
``failed: unconfirmed ...``.
"""

from __future__ import annotations

import json
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from supportops.connectors.auth import Credentials, credentials
from supportops.connectors.registry import vendor_of
from supportops.connectors.spec import Write, WriteBacks, dig
from supportops.errors import AuthError, RequestRefused, TransientError
from supportops.http import HttpClient
from supportops.store import sync_log

if TYPE_CHECKING:
    import pandas as pd

    from supportops.config import SourceConfig
    from supportops.connectors.runner import Network
    from supportops.connectors.spec import Vendor
    from supportops.store.base import Store

__all__ = ["PENDING", "Helpdesks", "Pace", "Planned", "plan", "target_of"]

PENDING = "pending"
ELSEWHERE = {  # actions that are never a helpdesk write
    "notify": "a notification goes to Slack or e-mail, not to the helpdesk",
    "unsupported": "an unsupported action is kept for review, not written",
}
UNCONFIRMED = "failed: unconfirmed: a note left pending by an interrupted run is not sent twice"


def target_of(action: str, field: str | None) -> str:
    """The write-back target of a ledger row: ``add_tags``, ``remove_tags``, ``note``, the
    field a ``set``, ``escalate`` or ``assign_by_skill`` writes, ``custom`` for ``custom.KEY``."""
    if action in ("add_tags", "remove_tags", "note"):
        return action
    name = field or action
    return "custom" if name.startswith("custom.") else name


@dataclass(frozen=True)
class Planned:
    """One action as a request: method, path below the source's URL, JSON body; ``write`` and
    the coded ``value`` it came from (what a re-check compares)."""

    method: str
    path: str
    body: Any
    write: Write
    value: Any


def _text(value: Any) -> str | None:
    return None if value is None or value != value else str(value)  # NaN is not a value


def _tags(value: Any) -> list[str]:
    return [t for t in (_text(value) or "").split(";") if t]


def _number(value: Any) -> Any:
    return int(value) if isinstance(value, str) and value.isdigit() else value


def _coded(
    write: Write, row: Mapping[str, Any], lookups: Mapping[str, list[dict[str, Any]]]
) -> Any:
    before, after = _tags(row["before"]), _tags(row["after"])
    if write.value == "added":
        return [t for t in after if t not in before]
    if write.value == "removed":
        return [t for t in before if t not in after]
    if write.value == "tags":
        return after
    value = _text(row["after"])
    if write.codes:
        if value is None or value not in write.codes:
            raise LookupError(f"the vendor has no {row['field']} {value!r}")
        return write.codes[value]
    if write.lookup is not None and value is not None:
        stream, name = write.lookup
        found = [r["id"] for r in lookups.get(stream, []) if str(r.get(name)) == value]
        if found:
            return found[0]
        if not value.isdigit():
            raise LookupError(f"the vendor has no {stream} record named {value!r}")
    return _number(value) if write.number else value


def _filled(template: Any, holes: Mapping[str, Any]) -> Any:
    if isinstance(template, str) and template in holes:
        return holes[template]
    if isinstance(template, dict):
        return {
            (str(holes[k]) if k in holes else k): _filled(v, holes) for k, v in template.items()
        }
    if isinstance(template, list):
        return [_filled(v, holes) for v in template]
    return template


def _unchanged(target: str, row: Mapping[str, Any]) -> bool:
    if target == "note":
        return False
    if target in ("add_tags", "remove_tags"):
        return set(_tags(row["before"])) == set(_tags(row["after"]))
    return _text(row["before"]) == _text(row["after"])


def plan(
    backs: WriteBacks | None,
    row: Mapping[str, Any],
    lookups: Mapping[str, list[dict[str, Any]]] | None = None,
) -> Planned | str:
    """The request writing ledger ``row`` (action, field, before, after, ticket_id) back, or
    its result without one (``unchanged``, ``skipped: ...``, ``failed: ...``)."""
    action = str(row["action"])
    if action in ELSEWHERE:
        return f"skipped: {ELSEWHERE[action]}"
    if backs is None:
        return "skipped: the source's helpdesk takes no write-back from supportops"
    target = target_of(action, _text(row["field"]))
    if target in backs.cannot:
        return f"skipped: {backs.cannot[target]}"
    write = backs.writes.get(target)
    if write is None:
        return f"skipped: the helpdesk's API has no write for {target}"
    if _unchanged(target, row):
        return "unchanged"
    try:
        value = _coded(write, row, lookups or {})
    except LookupError as exc:
        return f"failed: {exc.args[0]}"
    key = _number((_text(row["field"]) or "").removeprefix("custom.").removeprefix("fields."))
    path = write.path.replace("{id}", str(row["ticket_id"]))
    holes = {"$value": value, "$key": key, "$id": str(row["ticket_id"])}
    return Planned(write.method, path, _filled(write.body, holes), write, value)


def _holds(planned: Planned, current: Any) -> bool:
    if planned.write.value == "added":
        return set(planned.value) <= set(current or [])
    if planned.write.value == "removed":
        return not set(planned.value) & set(current or [])
    if planned.write.value == "tags":
        return set(planned.value) == set(current or [])
    return _text(current) == _text(planned.value)


@dataclass
class Pace:
    """At most ``per_minute`` writes in any 60 seconds: :meth:`wait` before each one."""

    per_minute: int
    sleep: Callable[[float], None] = time.sleep
    monotonic: Callable[[], float] = time.monotonic
    sent: deque[float] = field(default_factory=deque)

    def wait(self) -> None:
        """Sleep until a write is allowed, and count it."""
        now = self.monotonic()
        while self.sent and now - self.sent[0] >= 60.0:
            self.sent.popleft()
        if len(self.sent) >= self.per_minute:
            self.sleep(60.0 - (now - self.sent.popleft()))
        self.sent.append(self.monotonic())


def _records(rows: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in rows.to_dict("records")]


class _Source:
    """One source's helpdesk: its declaration, credentials, lookups, client and pace."""

    def __init__(
        self,
        store: Store,
        name: str,
        source: SourceConfig,
        network: Network,
        pace: Pace,
        done: set[str],
    ) -> None:
        self.name, self.source, self.network, self.pace = name, source, network, pace
        self.done = done  # the field writes sent in this run (see write)
        self.vendor: Vendor = vendor_of(source.vendor)
        self.backs = self.vendor.write_backs
        streams = {
            w.lookup[0] for w in (self.backs.writes.values() if self.backs else ()) if w.lookup
        }
        self.lookups = {
            s: [r for _, r in sync_log.raw_records_of(store, name, s)] for s in sorted(streams)
        }
        self.http = HttpClient(
            retries=network.retries,
            timeout=60.0,
            rate_limit=self.vendor.rate_limit,
            transport=network.transport,
            sleep=network.sleep,
            monotonic=network.monotonic,
        )
        self.creds: Credentials | None = None

    def _send(self, method: str, path: str, body: Any = None) -> Any:
        if self.creds is None:
            token = lambda url, form: self.http.post(url, data=dict(form)).json()  # noqa: E731
            self.creds = credentials(self.name, self.source, self.vendor, token, self.network.env)
        url = self.creds.base_url.rstrip("/") + path
        extra = {"json": body} if body is not None else {}
        return self.http.request(method, url, headers=self.creds.headers, **extra)

    def write(self, rows: pd.DataFrame) -> list[str]:
        """Each row's result. A field write identical to one this source already wrote in the
        same run, from the same value before (two events of one ticket fired the same rule
        before the store saw the first write), is ``unchanged``, not sent again; a note is
        always sent, each being its own."""
        out = []
        done = self.done
        for row in _records(rows):
            planned = plan(self.backs, row, self.lookups)
            if isinstance(planned, str):
                out.append(planned)
                continue
            same = json.dumps(
                [planned.method, planned.path, planned.body, row.get("before")],
                sort_keys=True,
                default=str,
            )
            note = target_of(row["action"], row["field"]) == "note"
            if not note and same in done:
                out.append("unchanged")
                continue
            self.pace.wait()
            result = self._result(planned)
            if result == "written" and not note:
                done.add(same)
            out.append(result)
        return out

    def _result(self, planned: Planned) -> str:
        try:
            self._send(planned.method, planned.path, planned.body)
        except RequestRefused as exc:
            said = str(exc).removeprefix(f"{getattr(exc, 'target', '')}: ")
            return f"failed: {said}"
        except AuthError as exc:
            return f"failed: {exc}"
        except TransientError:
            return PENDING
        return "written"

    def confirm(self, rows: pd.DataFrame) -> list[str | None]:
        out: list[str | None] = []
        for row in _records(rows):
            planned = plan(self.backs, row, self.lookups)
            if isinstance(planned, str):
                out.append(planned)
            elif planned.write.read is None:
                out.append(
                    UNCONFIRMED if target_of(row["action"], row["field"]) == "note" else None
                )
            else:
                out.append(self._read_back(row, planned))
        return out

    def _read_back(self, row: Mapping[str, Any], planned: Planned) -> str | None:
        assert self.backs is not None and planned.write.read is not None
        try:
            answer = self._send("GET", self.backs.ticket.replace("{id}", str(row["ticket_id"])))
        except (RequestRefused, AuthError) as exc:
            return f"failed: unconfirmed: {exc}"
        except TransientError:
            return PENDING
        return "written" if _holds(planned, dig(answer.json(), planned.write.read)) else None

    def close(self) -> None:
        self.http.close()


@dataclass
class Helpdesks:
    """The :class:`~supportops.rules.live.WriteBack` of a workspace: each action to its
    source's helpdesk. ``paces`` and ``done`` (per source) outlive one call, so that the limit
    holds over the pages of a sync and a field written for one page's event is not written
    again for the next page's; ``network`` is the sync's (a local fake in tests)."""

    store: Store
    sources: Mapping[str, SourceConfig]
    per_minute: int
    network: Network | None = None
    paces: dict[str, Pace] = field(default_factory=dict)
    done: dict[str, set[str]] = field(default_factory=dict)

    def _each(
        self, actions: pd.DataFrame, act: Callable[[_Source, pd.DataFrame], list[Any]]
    ) -> list[Any]:
        from supportops.connectors.runner import Network

        network = self.network or Network()
        out: list[Any] = [None] * len(actions)
        for name, rows in actions.reset_index(drop=True).groupby("source", sort=False):
            source = self.sources.get(str(name))
            if source is None:
                got: list[Any] = [f"skipped: {name} is not a connected source"] * len(rows)
            else:
                pace = self.paces.setdefault(
                    str(name), Pace(self.per_minute, network.sleep, network.monotonic)
                )
                sent = self.done.setdefault(str(name), set())
                one = _Source(self.store, str(name), source, network, pace, sent)
                try:
                    got = act(one, rows)
                finally:
                    one.close()
            for position, result in zip(rows.index, got, strict=True):
                out[position] = result
        return out

    def write(self, actions: pd.DataFrame) -> list[str]:
        """Each action's result, in order (see the module)."""
        return self._each(actions, _Source.write)

    def confirm(self, actions: pd.DataFrame) -> list[str | None]:
        """Each pending action's result read from its ticket, or None: send it again."""
        return self._each(actions, _Source.confirm)

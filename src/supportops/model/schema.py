"""The Support Event Log, version 1, declared as data.

Each :class:`Table` lists its columns with their logical type, whether a value is required, the
allowed values of an enumeration, and the columns that identify a row. Import, export, the store's
DDL and ``docs/data-model.md`` are all generated from these declarations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = ["TABLES", "Column", "Table", "table"]

LogicalType = Literal["string", "timestamp", "duration", "number", "bool", "enum", "list", "json"]


@dataclass(frozen=True)
class Column:
    """One column of the event log.

    ``values`` lists an enumeration's values; when ``other`` is true an unknown value is kept in
    ``raw_<name>`` and stored as ``other``, otherwise the row is quarantined. ``default`` fills an
    empty value.
    """

    name: str
    type: LogicalType
    doc: str
    required: bool = False
    values: tuple[str, ...] = ()
    other: bool = False
    default: str | None = None

    @property
    def raw_name(self) -> str:
        """Name of the column keeping the source's own value of an open enumeration."""
        return f"raw_{self.name}"


@dataclass(frozen=True)
class Table:
    """One table of the event log: ``key`` identifies a row (later rows replace it)."""

    name: str
    doc: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    derived_key: str | None = None
    replace: bool = True
    order: str | None = None
    _by_name: dict[str, Column] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_name.update({c.name: c for c in self.columns})

    def column(self, name: str) -> Column:
        """The column called ``name``."""
        return self._by_name[name]

    @property
    def names(self) -> list[str]:
        """Column names in declaration order."""
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        """Columns that must be present in an input file."""
        return [c.name for c in self.columns if c.required]

    @property
    def nullable_key(self) -> set[str]:
        """Key columns that may be empty (neither required, defaulted nor derived)."""
        return {
            k
            for k in self.key
            if not (self.column(k).required or self.column(k).default or k == self.derived_key)
        }

    @property
    def stored(self) -> list[str]:
        """Stored columns: declared ones plus ``raw_*`` for open enumerations."""
        return self.names + [c.raw_name for c in self.columns if c.other]


SOURCE = Column(
    "source", "string", "system of record: zendesk, freshdesk, intercom, csv, ...", default="csv"
)
CHANNELS = ("email", "web", "chat", "messaging", "phone", "social", "api", "other")
STATUSES = ("new", "open", "pending", "on_hold", "solved", "closed")
PRIORITIES = ("low", "normal", "high", "urgent")
ACTORS = ("customer", "agent", "bot", "system")
EVENT_KINDS = (
    "created",
    "message",
    "status",
    "assignee",
    "group",
    "priority",
    "tags",
    "type",
    "merged",
)

TICKETS = Table(
    "tickets",
    "One row per ticket: its latest state.",
    (
        Column("ticket_id", "string", "unique within source", required=True),
        SOURCE,
        Column("created_at", "timestamp", "creation instant", required=True),
        Column(
            "channel",
            "enum",
            "where the ticket came from",
            required=True,
            values=CHANNELS,
            other=True,
        ),
        Column("status", "enum", "current status", required=True, values=STATUSES),
        Column("priority", "enum", "empty = unset", values=PRIORITIES, other=True),
        Column("type", "string", "question, incident, problem, task or the source's category"),
        Column("group", "string", "current group or queue"),
        Column("assignee_id", "string", "current assignee"),
        Column("requester_id", "string", "the customer who asked"),
        Column("organization_id", "string", "the requester's organization"),
        Column(
            "created_by",
            "enum",
            "who opened it: agent = proactive or outbound",
            values=ACTORS,
            other=True,
            default="customer",
        ),
        Column("tags", "list", "labels"),
        Column("subject", "string", "subject line"),
        Column("solved_at", "timestamp", "last time the ticket was set to solved, if ever"),
        Column("merged_into", "string", "ticket_id this ticket was merged into"),
        Column("custom", "json", "any other field of the source"),
    ),
    key=("source", "ticket_id"),
)

EVENTS = Table(
    "events",
    "One row per thing that happened to a ticket.",
    (
        Column("ticket_id", "string", "the ticket", required=True),
        SOURCE,
        Column("at", "timestamp", "when it happened", required=True),
        Column("kind", "enum", "what happened", required=True, values=EVENT_KINDS),
        Column("actor", "enum", "who did it", values=ACTORS, other=True),
        Column("actor_id", "string", "the agent, customer, bot or system user"),
        Column("public", "bool", "for message: seen by the customer (false = internal note)"),
        Column("value", "string", "the new value (status, assignee, group, priority, tag list)"),
        Column("previous", "string", "the value before, when the source knows it"),
        Column("event_id", "string", "the source's id; else derived from the row"),
        Column("body", "string", "message text (optional; subject to redaction)"),
    ),
    key=("source", "event_id"),
    derived_key="event_id",
    replace=False,
    order="at",
)

SURVEYS = Table(
    "surveys",
    "One row per survey answer.",
    (
        Column("ticket_id", "string", "the ticket surveyed", required=True),
        SOURCE,
        Column("at", "timestamp", "when the answer was given", required=True),
        Column(
            "survey",
            "enum",
            "csat 1-5, nps 0-10, ces 1-7",
            required=True,
            values=("csat", "nps", "ces"),
        ),
        Column("score", "number", "the answer on the survey's scale", required=True),
        Column("comment", "string", "free text"),
    ),
    key=("source", "ticket_id", "survey", "at"),
)

AGENTS = Table(
    "agents",
    "One row per agent.",
    (
        Column("agent_id", "string", "the agent", required=True),
        Column("name", "string", "display name"),
        Column("email", "string", "e-mail address"),
        Column("team", "string", "team"),
        Column("hourly_cost", "number", "fully loaded, in the workspace currency"),
        Column("timezone", "string", "IANA time zone"),
        Column("skills", "list", "skills"),
    ),
    key=("agent_id",),
)

WORK = Table(
    "work",
    "One row per stretch of agent work on a ticket or contact.",
    (
        Column("agent_id", "string", "who worked", required=True),
        SOURCE,
        Column("ticket_id", "string", "the ticket worked on"),
        Column("contact_id", "string", "the live contact worked on"),
        Column("started_at", "timestamp", "start of the stretch", required=True),
        Column("seconds", "duration", "length of the stretch", required=True),
        Column(
            "kind",
            "enum",
            "handle, talk, hold or wrap",
            values=("handle", "talk", "hold", "wrap"),
            other=True,
            default="handle",
        ),
    ),
    key=("source", "agent_id", "started_at", "kind", "ticket_id", "contact_id"),
    order="started_at",
)

CONTACTS = Table(
    "contacts",
    "One row per live contact (phone, chat) offered to a queue.",
    (
        Column("contact_id", "string", "the contact", required=True),
        SOURCE,
        Column("queue", "string", "the queue it was offered to", required=True),
        Column("channel", "enum", "phone, chat, ...", values=CHANNELS, other=True),
        Column("offered_at", "timestamp", "when it entered the queue", required=True),
        Column("answered_at", "timestamp", "when an agent answered"),
        Column("ended_at", "timestamp", "when it ended"),
        Column("abandoned", "bool", "the customer hung up or left before an answer"),
        Column("agent_id", "string", "the agent who answered"),
        Column("ticket_id", "string", "the ticket it created or belongs to"),
    ),
    key=("source", "contact_id"),
    order="offered_at",
)

BOT_SESSIONS = Table(
    "bot_sessions",
    "One row per self-service or bot conversation.",
    (
        Column("session_id", "string", "the session", required=True),
        SOURCE,
        Column("started_at", "timestamp", "when it started", required=True),
        Column("channel", "enum", "where it ran", values=CHANNELS, other=True),
        Column(
            "outcome",
            "enum",
            "how it ended",
            required=True,
            values=("resolved", "handed_off", "abandoned"),
        ),
        Column("ticket_id", "string", "the ticket it handed off to"),
        Column("requester_id", "string", "the customer, linking the session to later contacts"),
        Column("resolution_confirmed", "bool", "the customer said it helped"),
        Column("intent", "string", "what the customer wanted"),
    ),
    key=("source", "session_id"),
    order="started_at",
)

SHIFTS = Table(
    "shifts",
    "One row per planned shift of an agent.",
    (
        Column("agent_id", "string", "the agent", required=True),
        Column("starts_at", "timestamp", "start", required=True),
        Column("ends_at", "timestamp", "end", required=True),
        Column(
            "activity",
            "enum",
            "work, break, training, meeting or off",
            values=("work", "break", "training", "meeting", "off"),
            other=True,
            default="work",
        ),
    ),
    key=("agent_id", "starts_at", "activity"),
    order="starts_at",
)

VENDOR_METRICS = Table(
    "vendor_metrics",
    "One row per number a vendor computed for a ticket, kept beside what supportops computes.",
    (
        SOURCE,
        Column("ticket_id", "string", "the ticket", required=True),
        Column("metric", "string", "the vendor's own name (reply_time_in_minutes)", required=True),
        Column("clock", "string", "calendar or business; empty for counts"),
        Column(
            "value", "number", "the number, in the vendor's unit; empty: reported, no value yet"
        ),
        Column("unit", "string", "minutes, seconds, count"),
        Column("reported_at", "timestamp", "when the vendor last computed it"),
    ),
    key=("source", "ticket_id", "metric", "clock"),
)

REVIEWS = Table(
    "reviews",
    "QA review of a ticket: one row per rated category.",
    (
        Column("review_id", "string", "the review", required=True),
        SOURCE,
        Column("ticket_id", "string", "the ticket reviewed", required=True),
        Column("agent_id", "string", "the agent reviewed", required=True),
        Column("reviewer_id", "string", "who reviewed (a person, or auto: for a rule check)"),
        Column("at", "timestamp", "when the review was given", required=True),
        Column("scorecard", "string", "scorecard name@version", required=True),
        Column("category", "string", "the category (or criterion) rated", required=True),
        Column("rating", "number", "on the category's scale; empty for N/A"),
        Column("na", "bool", "the category was marked N/A"),
        Column("comment", "string", "the reviewer's comment"),
        Column("calibration_session", "string", "set when the review is part of one"),
    ),
    key=("source", "review_id", "category"),
    order="at",
)

ACCOUNTS = Table(
    "accounts",
    "One row per customer organization: its plan, segment and revenue.",
    (
        Column("organization_id", "string", "joins tickets.organization_id", required=True),
        Column("name", "string", "display name"),
        Column("plan", "string", "the plan it pays for"),
        Column("segment", "string", "customer segment: enterprise, mid-market, smb, ..."),
        Column("arr", "number", "annual recurring revenue, in the workspace currency"),
        Column("renewal_at", "timestamp", "next renewal"),
    ),
    key=("organization_id",),
)

ARTICLE_STATUSES = ("published", "draft", "deleted")

ARTICLES = Table(
    "articles",
    "One row per help-center article (per locale): its plain text, for knowledge gaps. Only a "
    "published article covers a topic.",
    (
        SOURCE,
        Column("article_id", "string", "the source's id of the article", required=True),
        Column("locale", "string", "its language (en-us); empty when the source tells none"),
        Column("title", "string", "title"),
        Column("text", "string", "the body as plain text (HTML stripped)"),
        Column("url", "string", "the page readers open"),
        Column("updated_at", "timestamp", "its last change, as the source tells it"),
        Column(
            "status",
            "enum",
            "draft: not published yet; deleted: gone from the source (archived or deleted), a "
            "tombstone",
            values=ARTICLE_STATUSES,
            default="published",
        ),
    ),
    key=("source", "article_id", "locale"),
)

EXPERIMENT_ARMS = Table(
    "experiment_arms",
    "One row per ticket of an experiment: the arm it is in (written by `experiment assign`).",
    (
        Column("experiment", "string", "the experiment's name in supportops.yaml", required=True),
        SOURCE,
        Column("ticket_id", "string", "the ticket", required=True),
        Column("unit_id", "string", "the unit assigned: ticket, requester, organization, agent"),
        Column("arm", "string", "the arm", required=True),
        Column("slot", "number", "switchback: the slot number since the experiment's start"),
        Column("carryover", "bool", "switchback: in a slot dropped after a switch"),
        Column("assigned_at", "timestamp", "when the assignment was stored"),
    ),
    key=("experiment", "source", "ticket_id"),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        TICKETS,
        EVENTS,
        SURVEYS,
        AGENTS,
        WORK,
        CONTACTS,
        BOT_SESSIONS,
        SHIFTS,
        VENDOR_METRICS,
        REVIEWS,
        ACCOUNTS,
        ARTICLES,
        EXPERIMENT_ARMS,
    )
}


def table(name: str) -> Table:
    """The table called ``name`` (KeyError names the known tables)."""
    try:
        return TABLES[name]
    except KeyError:
        raise KeyError(f"unknown table {name!r}; known: {', '.join(TABLES)}") from None

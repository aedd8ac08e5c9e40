"""Vendor profiles: the variants a helpdesk uses, as data, beside the defaults they change.

A profile changes two kinds of thing: the rules the per-ticket facts are built with (where the
first-reply clock starts, which messages are responses) and the row value of some metrics (what
one-touch means, whether merged tickets are counted). Nothing else in the code knows a vendor.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from supportops.errors import MetricError

__all__ = ["DEFAULT", "PROFILES", "FactRules", "Override", "Profile", "profile"]


@dataclass(frozen=True)
class FactRules:
    """How the per-ticket facts are built.

    ``reply_from_customer`` is the SQL condition (over the ticket row ``t``) under which the
    first-reply clock starts at the first public customer message instead of at creation.
    ``notes_reply``: a public note (a message whose ``value`` is ``note``) counts as a response.
    """

    reply_from_customer: str = "t.created_by = 'agent'"
    notes_reply: bool = False


@dataclass(frozen=True)
class Override:
    """A metric's row value under a profile, and the sentence that documents it."""

    value: str
    note: str


@dataclass(frozen=True)
class Profile:
    """A named set of variants; ``doc`` says whose numbers it reproduces."""

    name: str
    doc: str
    rules: FactRules = field(default_factory=FactRules)
    overrides: dict[str, Override] = field(default_factory=dict)
    default_aggs: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)


DEFAULT = Profile(
    "default",
    "The definitions of docs/metrics.md: supportops' own, reproducible from the event log.",
)

_NOT_MERGED = "(merged_into IS NULL OR merged_into = '')"

ZENDESK = Profile(
    "zendesk",
    "Zendesk Explore: one-touch is a solved ticket with fewer than two agent replies.",
    overrides={
        "one_touch_rate": Override(
            "CASE WHEN solves > 0 THEN CASE WHEN agent_replies < 2 THEN 1 ELSE 0 END END",
            "zendesk: solved tickets with fewer than two agent replies (even none), "
            "reopened or not.",
        ),
    },
)

FRESHDESK = Profile(
    "freshdesk",
    "Freshdesk analytics: public notes are responses; merged secondary tickets are left out "
    "of the created and solved counts.",
    rules=FactRules(notes_reply=True),
    overrides={
        "tickets_created": Override(
            f"CASE WHEN {_NOT_MERGED} THEN 1 END",
            "freshdesk: a ticket merged into another (merged_into set) is not counted.",
        ),
        "tickets_solved": Override(
            f"CASE WHEN {_NOT_MERGED} THEN 1 END",
            "freshdesk: solves of tickets merged into another are not counted.",
        ),
    },
    notes={
        "first_reply_time": "freshdesk: a public note (message value `note`) is a response.",
        "next_reply_time": "freshdesk: a public note (message value `note`) is a response.",
        "agent_replies": "freshdesk: public notes count as agent responses.",
    },
)

INTERCOM = Profile(
    "intercom",
    "Intercom reporting: first response is measured from the first customer message, and "
    "durations are reported as medians.",
    rules=FactRules(reply_from_customer="TRUE"),
    default_aggs={"handle_time": "median", "agent_replies": "median"},
    notes={
        "first_reply_time": "intercom: from the first public customer message, for every "
        "ticket (a conversation the customer never wrote in has no first response).",
    },
)

PROFILES: dict[str, Profile] = {p.name: p for p in (DEFAULT, ZENDESK, FRESHDESK, INTERCOM)}


def profile(name: str | None) -> Profile:
    """The profile called ``name`` (``None`` is the default)."""
    if name is None:
        return DEFAULT
    try:
        return PROFILES[name]
    except KeyError:
        known = ", ".join(p for p in PROFILES if p != "default")
        raise MetricError(f"unknown profile {name!r} (expected one of {known})") from None

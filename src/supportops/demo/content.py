"""What the demo's tickets are about, declared as data: topics, groups, text and vocabularies.

A ticket's topic decides its group, its usual type, its first tag, its subject line and the
intent of a bot session about it. Message bodies and survey comments come from short phrase
lists; a few bodies carry a phone number or an e-mail address so that redaction has work to do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from supportops.model.schema import ACTORS, EVENT_KINDS, PRIORITIES, STATUSES

__all__ = [
    "ACTORS",
    "ASKS",
    "BODIES",
    "BODY_CLASSES",
    "EVENT_KINDS",
    "GROUPS",
    "NEGATIVE_COMMENTS",
    "PLANS",
    "POSITIVE_COMMENTS",
    "PRIORITIES",
    "PRIORITY_SHARES",
    "STATUSES",
    "SUBJECTS",
    "TAGS",
    "TIER2",
    "TOPICS",
    "TYPES",
    "Topic",
    "body_ranges",
    "custom_json",
    "first_messages",
    "subject_ranges",
]

GROUPS = ("billing", "technical", "accounts", "tier2-escalations")
TIER2 = GROUPS.index("tier2-escalations")
TYPES = ("question", "incident", "problem", "task")
PRIORITY_SHARES = (0.20, 0.60, 0.15, 0.05)
PLANS = ("enterprise", "business", "team", "starter", "free")
LANGUAGES = ("en", "es")


@dataclass(frozen=True)
class Topic:
    """A reason to contact support: its tag, group, usual type, weight and subject lines."""

    tag: str
    group: str
    type: str
    weight: float
    subjects: tuple[str, ...]


# fmt: off
TOPICS = (
    Topic("refund", "billing", "question", 7, ("Refund request", "Please refund my last payment")),
    Topic("invoice", "billing", "question", 8, ("Invoice is missing our VAT number",
                                                "Where can I download my invoices?")),
    Topic("double-charge", "billing", "incident", 4, ("Charged twice this month",
                                                      "Duplicate charge on my card")),
    Topic("plan-change", "billing", "task", 6, ("How do I upgrade our plan?",
                                                "Downgrade to the starter plan")),
    Topic("login", "technical", "incident", 9, ("Can't log in",
                                                "Password reset e-mail never arrives")),
    Topic("outage", "technical", "incident", 5, ("Dashboard not loading", "Error 500 when saving")),
    Topic("integration", "technical", "problem", 6, ("Webhook stopped firing",
                                                     "API returns 429 too often")),
    Topic("bug", "technical", "problem", 7, ("Export to CSV is empty",
                                             "Mobile app crashes on start")),
    Topic("performance", "technical", "incident", 4, ("Reports are very slow",
                                                      "Search takes a minute")),
    Topic("how-to", "technical", "question", 10, ("How do I set up automations?",
                                                  "Can I import my contacts?")),
    Topic("access", "accounts", "task", 8, ("Add a new user to our account",
                                            "Remove a former employee")),
    Topic("sso", "accounts", "task", 3, ("Set up single sign-on", "SAML login fails")),
    Topic("data-request", "accounts", "task", 3, ("Delete my personal data", "GDPR data export")),
    Topic("profile", "accounts", "question", 6, ("Change the account owner",
                                                 "Update our billing address")),
    Topic("cancel", "accounts", "question", 4, ("Cancel my subscription",
                                                "Close our account at the end of the term")),
)

# fmt: on
SUBJECTS = tuple(s for topic in TOPICS for s in topic.subjects)
TAGS = (*(t.tag for t in TOPICS), "vip", "escalated", "bot_handoff", "spanish", "outbound")
EXTRA_TAG = {
    name: TAGS.index(name) for name in ("vip", "escalated", "bot_handoff", "spanish", "outbound")
}


def subject_ranges() -> tuple[np.ndarray, np.ndarray]:
    """Per topic: index of its first subject in :data:`SUBJECTS` and its number of subjects."""
    counts = np.array([len(t.subjects) for t in TOPICS], dtype=np.int64)
    return np.concatenate([[0], np.cumsum(counts)[:-1]]), counts


def custom_json() -> tuple[str, ...]:
    """The ``custom`` JSON values: one per (plan, language), indexed plan * 2 + language."""
    return tuple(f'{{"plan": "{p}", "language": "{lang}"}}' for p in PLANS for lang in LANGUAGES)


MESSAGES = {
    "first": (
        "Hi, I need help with this as soon as possible.",
        "Hello team, see the details below. Thanks!",
        "This keeps happening to several people in our company.",
        "Please call me back at +1 212 555 0147.",
        "You can also reach me at jane.doe@example.com.",
    ),
    "follow_up": (
        "Thanks, but it still doesn't work on my side.",
        "Any update on this?",
        "I tried that, here is a screenshot.",
        "Sorry, it happened again this morning.",
    ),
    "ask": (
        "Thanks for reaching out! Could you send me a screenshot of the error?",
        "I've looked into this. Which browser are you using?",
        "I've passed this to our specialist team and will update you.",
    ),
    "solve": (
        "I've fixed this on our side, please try again.",
        "Here is the article that explains the steps.",
        "Glad to hear it works now. Have a great day!",
    ),
    "note": (
        "Checked the logs: matches a known issue.",
        "Customer is on an annual contract, handle with care.",
    ),
    "escalation": ("Escalating to tier 2: needs a fix on our side.",),
    "bot": ("I'm connecting you with an agent now.",),
}
"""Message bodies by class; a message's text is drawn from its class when rendered."""
BODIES = tuple(text for texts in MESSAGES.values() for text in texts)
BODY_CLASSES = tuple(MESSAGES)


def body_ranges() -> np.ndarray:
    """Per body class (in :data:`BODY_CLASSES` order): [first, end) indexes into BODIES."""
    counts = np.array([len(texts) for texts in MESSAGES.values()])
    ends = np.cumsum(counts)
    return np.stack([ends - counts, ends], axis=1)


# fmt: off
ASKS = {
    "refund": ("I was charged for a renewal I did not want and would like my money back.",
               "Can you refund the payment from last week? We cancelled before the renewal."),
    "invoice": ("Our finance team needs a copy of the invoice with our company VAT number on it.",
                "I can't find the invoice for last month in the billing section."),
    "double-charge": ("My credit card statement shows the same payment twice this month.",
                      "We were billed two times for one subscription, please check."),
    "plan-change": ("We are growing and want to move to a bigger plan with more seats.",
                    "Which plan should we pick if we only need five users?"),
    "login": ("I reset my password but still cannot sign in, it says the password is wrong.",
              "The login page keeps sending me back to the sign in screen."),
    "outage": ("Nothing loads since this morning, the page just spins and shows an error.",
               "The whole app is down for our team, we get a server error."),
    "integration": ("Our webhook to the CRM stopped sending events after your update.",
                    "The API rate limit blocks our sync job every hour."),
    "bug": ("When I export the report the downloaded file has no rows.",
            "The app closes right after I open it on my phone."),
    "performance": ("Reports take minutes to open and searching is very slow today.",
                    "Everything is sluggish, each page takes ages to load."),
    "how-to": ("Is there a guide on how to create an automation for new requests?",
               "How can I bring our existing contacts over from a spreadsheet?"),
    "access": ("Please give our new colleague access to the workspace.",
               "A person left the company, how do we remove their user?"),
    "sso": ("We want our staff to sign in with our identity provider using SAML.",
            "Single sign-on fails with an assertion error for some users."),
    "data-request": ("Under GDPR I ask you to delete all personal data you hold about me.",
                     "Please send me an export of the personal data stored on my account."),
    "profile": ("We need to transfer the account ownership to another admin.",
                "Our company moved, how do I change the address on our account?"),
    "cancel": ("We would like to cancel our subscription at the end of this billing period.",
               "Please close our account, we no longer need the service."),
}
"""What the customer writes first, per topic tag: the first message is one of these followed
by a phrase of the ``first`` class (so a few still carry a phone number or e-mail address)."""
# fmt: on


def first_messages() -> tuple[tuple[str, ...], int]:
    """Every first message, indexed ``(topic * asks + ask) * firsts + first``, and ``asks``
    (the number of asks per topic, the same for every topic)."""
    asks = len(next(iter(ASKS.values())))
    texts = tuple(
        f"{ask} {first}" for t in TOPICS for ask in ASKS[t.tag] for first in MESSAGES["first"]
    )
    return texts, asks


POSITIVE_COMMENTS = (
    "Quick and friendly, thank you!",
    "Solved in one go.",
    "Great support as always.",
    "Very helpful agent.",
)
NEGATIVE_COMMENTS = (
    "Took far too long.",
    "I had to repeat myself several times.",
    "Nobody answered for days.",
    "Still not fixed.",
)

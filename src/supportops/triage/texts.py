"""The text a triage model reads for a ticket: its subject, then its first public customer
message — what an agent sees before deciding where the ticket goes."""

from __future__ import annotations

import pandas as pd

__all__ = ["ticket_text"]


def ticket_text(subject: pd.Series, first_message: pd.Series) -> pd.Series:
    """``subject. first message`` per ticket; either part may be missing (empty text)."""
    head = subject.fillna("").astype(str).str.strip()
    body = first_message.fillna("").astype(str).str.strip()
    joined = head.where(body.eq(""), head + ". " + body).where(head.ne(""), body)
    return joined.str.replace(r"\s+", " ", regex=True).str.strip()

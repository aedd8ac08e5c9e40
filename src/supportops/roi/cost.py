"""Cost to serve — pure: what support costs per contact, by channel, group, contact reason (tag),
customer segment and account, and the accounts whose support cost is a large share of revenue.

``cost per contact = agent time × fully loaded hourly cost + tool cost per contact`` (the
``cost.overhead_per_ticket`` of ``supportops.yaml``). A ticket with several tags counts in each
tag's row. Per account, the period's cost is put on a yearly footing (× 365 / days) and set
against the account's ARR from the ``accounts`` table.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["BY", "by_dimension", "costly_accounts", "with_cost"]

BY = ("channel", "group", "tag", "segment", "account")


def with_cost(costs: pd.DataFrame, overhead: float, hourly: float) -> pd.DataFrame:
    """Each ticket's cost: its labour (``hourly`` where no agent cost is known) + overhead."""
    labour = costs["labour_cost"].fillna(costs["handle_seconds"] * hourly / 3600)
    return costs.assign(cost=labour + overhead)


def by_dimension(costed: pd.DataFrame, by: str) -> pd.DataFrame:
    """Contacts, handle hours, total cost and cost per contact per value of ``by``."""
    frame = costed
    key = {"tag": "tags", "account": "organization_id"}.get(by, by)
    if by == "tag":
        frame = costed.explode("tags")
    frame = frame.assign(**{key: frame[key].fillna("(none)")})
    out = frame.groupby(key, dropna=False).agg(
        contacts=("ticket_id", "size"),
        handle_hours=("handle_seconds", lambda s: s.sum() / 3600),
        cost=("cost", "sum"),
    )
    out["cost_per_contact"] = out["cost"] / out["contacts"]
    return out.sort_values("cost", ascending=False).rename_axis(by).reset_index()


def costly_accounts(costed: pd.DataFrame, days: float, share: float) -> pd.DataFrame:
    """Accounts with their yearly support cost against ARR, those above ``share`` first."""
    known = costed[costed["organization_id"].notna()]
    out = known.groupby("organization_id").agg(
        account=("account", "first"),
        segment=("segment", "first"),
        arr=("arr", "first"),
        contacts=("ticket_id", "size"),
        cost=("cost", "sum"),
    )
    out["yearly_cost"] = out["cost"] * 365 / max(days, 1e-9)
    out["share_of_arr"] = out["yearly_cost"] / out["arr"].where(out["arr"] > 0)
    out["over"] = out["share_of_arr"] > share
    order = out.sort_values(["over", "share_of_arr"], ascending=False)
    return order.reset_index()

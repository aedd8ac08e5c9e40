"""What every metric definition shares: the catalog's sections, common phrases, and
:func:`define`, the shorthand that declares one :class:`~supportops.metrics.catalog.Metric`."""

from __future__ import annotations

from typing import Any

from supportops.metrics.catalog import Metric

__all__ = [
    "AUTOMATION",
    "CREATED",
    "CUSTOMER",
    "DATA",
    "PEOPLE",
    "QA",
    "QUALITY",
    "SLA",
    "SOLVED_ROW",
    "SPEED",
    "VOLUME",
    "define",
]

VOLUME, SPEED, SLA = "Volume and flow", "Speed", "SLA"
QUALITY, CUSTOMER = "Quality of resolution", "Customer"
PEOPLE, AUTOMATION, DATA = "People and cost", "Automation and self-service", "Data quality"
QA = "Quality assurance"
CREATED = "the ticket's created_at"
SOLVED_ROW = "solved tickets (a solve at least once, as of --as-of)"


def define(
    id: str,
    section: str,
    unit: Any,
    relation: str | None,
    value: str | None,
    definition: str,
    counts: str,
    when: str = CREATED,
    **kw: Any,
) -> Metric:
    """One metric of the catalog (keyword arguments as :class:`Metric` takes them)."""
    return Metric(
        id=id,
        section=section,
        unit=unit,
        relation=relation,
        value=value,
        definition=definition,
        counts=counts,
        when=when,
        **kw,
    )

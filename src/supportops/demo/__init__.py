"""A realistic demo support operation: the Support Event Log of 8 weeks of a US support team.

``generate`` yields the nine tables of :mod:`supportops.model.schema` as Arrow tables, chunk by
chunk, from pure vectorised numpy (no per-ticket loop); ``write_files`` streams them to
Parquet, CSV or JSON lines in bounded memory; ``DEMO_CONFIG`` is the matching
``supportops.yaml`` (calendars, SLA policies, the tier-2 group, cost).

How the modules fit together, one concept each::

    scenario    the sizing rule, and the World shared by all chunks
    clock       local time <-> UTC; the business-hours clock
    arrivals    channel shares and seasonality: when tickets arrive
    population  agents, teams and shifts; organizations and requesters
    content     topics, subjects, tags, message texts
    tickets     a chunk's ticket attributes
    contacts    live phone and chat contacts, talk/hold/wrap work
    lifecycle   conversation rounds, solves, reopens, escalations, merges
    events      event rows, and each ticket's state read back from them
    render      the tickets and events tables
    surveys     CSAT and NPS answers
    work        handle time; the work table
    bots        bot sessions
    generator   generate()
    files       write_files()
"""

from __future__ import annotations

from pathlib import Path

from supportops.demo.files import FORMATS, write_files
from supportops.demo.generator import DEFAULT_START, generate
from supportops.demo.scenario import Scenario

__all__ = ["DEFAULT_START", "DEMO_CONFIG", "FORMATS", "Scenario", "generate", "write_files"]

DEMO_CONFIG = Path(__file__).with_name("supportops.yaml")
"""The demo workspace's ``supportops.yaml`` (package data)."""

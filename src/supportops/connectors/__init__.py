"""Connectors: pull a helpdesk account into the Support Event Log, incrementally."""

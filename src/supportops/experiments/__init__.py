"""Experiments on support changes: deterministic assignment, analysis with intervals fit for
support metrics, and power by simulation on the team's own history.

- :mod:`.settings`: the ``experiments:`` section of ``supportops.yaml`` (light, for the config);
- :mod:`.assign` (hashing and slots) and :mod:`.assignment` (storing each ticket's arm);
- :mod:`.intervals`, :mod:`.bootstrap`, :mod:`.ranks`, :mod:`.srm`: the methods;
- :mod:`.analysis` (arm against control, the verdict) and :mod:`.results` (from the store);
- :mod:`.power` and :mod:`.planning`: ``supportops experiment plan``;
- :mod:`.design`: an experiment checked against the metric catalog.

This package's ``__init__`` imports nothing: the config reads :mod:`.settings` alone.
"""

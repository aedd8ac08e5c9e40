"""Rules as code: triage, routing and escalation rules linted, replayed and run live.

- :mod:`.model` (a rule, a rule set), :mod:`.fields` (what a condition may test),
  :mod:`.settings` (the ``rules:`` section, light, for the config), :mod:`.files` (reading and
  writing rule files);
- :mod:`.semantics` (how each helpdesk runs its rules, as data) and :mod:`.engine` (one pure,
  vectorised function of rule set, states and events → actions);
- :mod:`.zendesk`, :mod:`.freshdesk`: import and export of the vendors' rules;
- :mod:`.witness` (example states) and :mod:`.lint`;
- :mod:`.history` (replay over an event log) and :mod:`.replay` (over the store: the report);
- :mod:`.ledger` (the append-only action ledger) and :mod:`.live` (the hook of applied events).

This package's ``__init__`` imports nothing: the config reads :mod:`.settings` alone.
"""

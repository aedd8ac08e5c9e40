"""The automation ROI ledger and cost to serve.

- :mod:`.verify`: which bot "resolutions" hold (no human contact by the customer afterwards);
- :mod:`.savings`: handle time saved and money, observational or against a holdout, with
  intervals;
- :mod:`.ledger`: the ledger of a workspace's automations (``supportops roi``);
- :mod:`.cost`: cost to serve by channel, group, contact reason, segment and account
  (``supportops cost``).
"""

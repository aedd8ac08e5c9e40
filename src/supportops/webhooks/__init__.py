"""Live webhooks: signed deliveries verified, kept durably, applied through the connectors.

- :mod:`~supportops.webhooks.signatures`: each vendor's signing scheme as data; one verifier.
- :mod:`~supportops.webhooks.vendors`: per vendor, the scheme, the payload's fields, the
  acknowledgement, the events to subscribe to and the setup steps.
- :mod:`~supportops.webhooks.payloads`: what a delivery names (id, ticket, instant, event).
- :mod:`~supportops.webhooks.inbox`: the durable inbox keyed by (source, delivery id).
- :mod:`~supportops.webhooks.receive`: one delivery, verify then keep, the answer.
- :mod:`~supportops.webhooks.worker`: applying deliveries and the scheduled sync.
- :mod:`~supportops.webhooks.setup`: what ``connect --webhook`` prints and registers.
- :mod:`~supportops.webhooks.status`: per source, the lag and counts ``sources`` shows.
"""

"""One module per vendor, each declaring ``VENDOR`` (see :mod:`supportops.connectors`)."""

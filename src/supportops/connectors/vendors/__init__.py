"""One module per vendor: its streams, auth and rate-limit signal as data, and its pure mapping."""

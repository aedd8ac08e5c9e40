"""``python -m supportops``: the same as the ``supportops`` command."""

from supportops.cli import main

main()

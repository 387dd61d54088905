"""``python -m loom``: the same entry point as the ``loom`` console script."""

from loom.cli.main import main

main()

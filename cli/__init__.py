"""The ``loom`` command (click). Subcommands load lazily so ``loom --help`` imports nothing heavy."""

"""Write docs/cli.md, the ``loom`` command reference, from the ``--help`` of every command.

Run ``python docs/generate_cli_reference.py`` after changing a command, an option or a help text;
tests/cli/test_cli_reference_fresh.py fails while docs/cli.md differs from what this renders.

The walk follows the root's lazy group (``loom.cli.main.COMMANDS``) and the command groups that
shipped modules declare in their manifests; groups of separately installed distributions and of
``LOOM_MODULE_PATH`` folders are left out so the page does not depend on the machine.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

TARGET = Path(__file__).resolve().with_name("cli.md")
WIDTH = 100  # help text is wrapped at this width, whatever the terminal

INTRO = """\
# `loom` command reference

Generated from the commands' `--help` by `python docs/generate_cli_reference.py`; a test fails when
this page is out of date. Run `loom COMMAND --help` (or `-h`) for the same text.

## Conventions

- **Database.** Every command works on the database named by `--database URL` (`-d`), or by the
  `LOOM_DATABASE_URL` environment variable, default `sqlite:///loom.db` in the current folder.
  PostgreSQL URLs look like `postgresql+psycopg://user@host:5432/name`.
- **Acting user.** The CLI acts as the administrator (the superuser) unless `--user LOGIN` (`-u`,
  or `LOOM_USER`) names a user; that user's roles then apply as in every other channel, and a
  command they may not run fails with an access error. `loom user`, `loom role` and
  `loom settings` commands also accept `--user` after the subcommand (`loom user list --user bob`).
- **Machine-readable output.** Commands whose output is data take `--json` and print one JSON
  document on stdout (`loom module list --json`, `loom module install --dry-run --json`).
- **Dry runs.** `--dry-run` prints the plan (modules in order, business rows found) and changes
  nothing.
- **Progress.** Long module work (install, upgrade, uninstall, `init`, `quickstart`, `db upgrade`)
  draws a progress bar on stderr when stderr is a terminal; pipes and `--json` output stay clean.
- **Passwords.** `init` and `quickstart` take the administrator's password from
  `LOOM_ADMIN_PASSWORD`, or generate one and print it once. `user create` and `user passwd` prompt
  for it, or read `LOOM_NEW_PASSWORD` (for scripts).
- **Errors** are one line on stderr starting with `Error:`, never a traceback (set `LOOM_DEBUG=1`
  to see one). Messages follow `LANG` (English, or Chinese when `LANG` starts with `zh`).
- **Speed.** `loom --help` and `loom module list` on SQLite import no database or ORM library.
- **Module commands.** Modules add command groups through the `[cli]` table of their
  `module.toml`; they are listed with the built-in commands and imported only when invoked.

## Exit codes

- `0`: success.
- `1`: a Loom error: a refused action, an invalid value, access denied, an unknown module, user or
  setting, an already initialized database; `db check` finding differences; an aborted prompt.
- `2`: a usage error (unknown command or option, missing argument), or an unexpected error, still
  reported on one line (`LOOM_DEBUG=1` shows the traceback).
"""


@contextmanager
def only_shipped_groups() -> Iterator[None]:
    """While rendering, the root lists only the command groups of modules shipped in modules/."""
    from loom.cli import main as root
    from loom.kernel.manifest import discover

    everything = root._module_groups
    shipped = {name for m in discover().values() if m.package.startswith("loom.modules.") for name in m.cli}
    root._module_groups = lambda: {k: v for k, v in everything().items() if k in shipped}
    try:
        yield
    finally:
        root._module_groups = everything


def walk(command: click.Command, ctx: click.Context) -> Iterator[click.Context]:
    """``ctx`` and the context of every subcommand below it, depth first in listed order."""
    yield ctx
    if not isinstance(command, click.Group):
        return
    for name in command.list_commands(ctx):
        sub = command.get_command(ctx, name)
        if sub is not None and not sub.hidden:
            yield from walk(sub, click.Context(sub, info_name=name, parent=ctx, **sub.context_settings))


def section(ctx: click.Context) -> str:
    """One command's Markdown: a heading with its full name and its ``--help`` in a code block."""
    title = ctx.command_path
    level = "#" * min(2 + title.count(" "), 4)
    return f"{level} `{title}`\n\n```text\n{ctx.command.get_help(ctx).rstrip()}\n```\n"


def render() -> str:
    """The whole page."""
    from loom.cli.main import cli

    root = click.Context(cli, info_name="loom", terminal_width=WIDTH, max_content_width=WIDTH, color=False,
                         **cli.context_settings)
    with only_shipped_groups():
        return "\n".join([INTRO, *(section(ctx) for ctx in walk(cli, root))])


def main() -> None:
    """Write docs/cli.md (``--check``: exit 1 when it is out of date instead)."""
    text = render()
    if "--check" in sys.argv[1:]:
        current = TARGET.read_text("utf-8") if TARGET.exists() else ""
        sys.exit(0 if current == text else f"{TARGET} is out of date: run `python docs/generate_cli_reference.py`")
    TARGET.write_text(text, "utf-8")
    print(f"Wrote {TARGET}")


if __name__ == "__main__":
    main()

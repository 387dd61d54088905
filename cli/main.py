"""The ``loom`` root command: global options, lazily loaded subcommands, one-line errors.

Subcommands are listed here by name with their one-line help and the import path that defines
them; the module is imported only when the command runs. Modules add command groups through the
``cli`` table of their ``module.toml``; those are read from the manifests (no module code is
imported until the group is invoked).
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

#: name -> (import path "module:attribute", one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("loom.cli.init_cmd:init", "Create a database with the kernel and base installed."),
    "quickstart": ("loom.cli.init_cmd:quickstart", "Create ./loom.db with every module and demo data."),
    "module": ("loom.cli.module_cmd:module", "List, install, upgrade and uninstall modules."),
    "hooks": ("loom.cli.hooks_cmd:hooks", "List every hook spec with its implementations in call order."),
    "db": ("loom.cli.db_cmd:db", "Upgrade, check and back up the database."),
    "user": ("loom.cli.user_cmd:user", "Create, list and change users."),
    "role": ("loom.cli.role_cmd:role", "List roles and grant or revoke them."),
    "settings": ("loom.cli.settings_cmd:settings", "Read and change per-company settings."),
    "token": ("loom.cli.token_cmd:token", "Create, list and revoke API tokens."),
    "workflow": ("loom.cli.workflow_cmd:workflow", "Show workflows and run transitions on records."),
    "approval": ("loom.cli.approval_cmd:approval", "Edit approval rules; approve or reject waiting documents."),
    "timeline": ("loom.cli.timeline_cmd:timeline", "Read a record's timeline; add notes and activities."),
    "audit": ("loom.cli.audit_cmd:audit", "Read and verify the security audit log."),
    "check": ("loom.cli.check_cmd:check", "Run every invariant check and list the violations."),
    "worker": ("loom.cli.worker_cmd:worker", "Relay the outbox and run background jobs."),
    "attachment": ("loom.cli.attachment_cmd:attachment", "Attach files to records, list and fetch them."),
    "import": ("loom.cli.import_cmd:import_command", "Import records from a CSV or XLSX file."),
    "export": ("loom.cli.export_cmd:export", "Export records to CSV or XLSX."),
    "serve": ("loom.cli.serve_cmd:serve", "Serve the web shell and the JSON API."),
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported when invoked, with help text known up front."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *_module_groups(), *self.commands})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.commands:
            return self.commands[name]
        target = COMMANDS.get(name, (None,))[0] or _module_groups().get(name, (None,))[0]
        if target is None:
            return None
        module_name, _, attribute = target.partition(":")
        return getattr(importlib.import_module(module_name), attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, (COMMANDS.get(name) or _module_groups()[name])[1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _module_groups() -> dict[str, tuple[str, str]]:
    """Command groups that shipped and installed-package modules declare in their manifests."""
    from loom.cli.manifest_groups import module_groups

    return module_groups()


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--database", "-d", envvar="LOOM_DATABASE_URL", default="sqlite:///loom.db", show_default=True,
              help="Database URL (sqlite:///file.db or postgresql://user@host/name).")
@click.option("--user", "-u", "user", envvar="LOOM_USER", default=None,
              help="Act as this login with its permissions (default: the administrator).")
@click.version_option(package_name="loom-erp", prog_name="loom")
@click.pass_context
def cli(ctx: click.Context, database: str, user: str | None) -> None:
    """Loom: one platform for sales, supply chain and the books.

    LOOM_MODULE_PATH adds folders of modules in development (separated like PATH)."""
    ctx.obj = {"database": database, "user": user}


def main() -> None:
    """Run the CLI; a Loom error prints one clear line and exits 1, never a traceback."""
    if os.environ.get("LOOM_MODULE_PATH"):
        from loom.kernel.manifest import add_module_path_to_sys_path

        add_module_path_to_sys_path()
    try:
        code = cli.main(standalone_mode=False)  # a command's ctx.exit(n) comes back as its return value
        if isinstance(code, int) and code:
            sys.exit(code)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:  # noqa: BLE001 - the CLI's promise: one line, never a traceback
        sys.exit(_report(exc))
    finally:
        _fast_exit()


def _fast_exit() -> None:
    """Spare the interpreter's final garbage collections over SQLAlchemy's and alembic's objects
    (0.3-0.5 s at exit): the process ends now, nothing left needs collecting."""
    import gc

    gc.freeze()


def _report(exc: BaseException) -> int:
    from loom.kernel.errors import LoomError

    if os.environ.get("LOOM_DEBUG"):
        raise exc
    if isinstance(exc, LoomError):
        click.echo(f"Error: {exc.message(_lang())}", err=True)
        return 1
    click.echo(f"Error: {_one_line(exc)} (set LOOM_DEBUG=1 for the traceback)", err=True)
    return 2


def _lang() -> str:
    return "zh_CN" if os.environ.get("LANG", "").startswith("zh") else "en"


def _one_line(exc: Any) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"

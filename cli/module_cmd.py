"""``loom module``: list, inspect, install, upgrade, uninstall, graph and revise modules."""

from __future__ import annotations

import json

import click

from loom.cli.context import database_url, manager_for
from loom.cli.progress import module_steps


@click.group()
def module() -> None:
    """List, install, upgrade and uninstall modules."""


@module.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def list_(ctx: click.Context, as_json: bool) -> None:
    """Every available module, whether it is installed, and its dependencies."""
    from loom.cli.fast_db import installed_modules
    from loom.kernel.manifest import discover

    installed = installed_modules(database_url(ctx))
    manifests = discover()
    rows = [{"name": m.name, "version": m.version, "installed": m.name in installed,
             "depends": list(m.depends), "bridge": m.auto_install, "summary": m.summary}
            for m in sorted(manifests.values(), key=lambda m: m.name)]
    rows += [{"name": name, "version": version, "installed": True, "depends": [], "bridge": False,
              "summary": "code missing: reinstall the package that provides it", "code_missing": True}
             for name, version in sorted(installed.items()) if name != "kernel" and name not in manifests]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        mark = "installed" if row["installed"] else "-"
        kind = " (bridge)" if row["bridge"] else ""
        click.echo(f"{row['name']:<16} {row['version']:<8} {mark:<10} {row['summary']}{kind}")


@module.command()
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def info(name: str, as_json: bool) -> None:
    """The manifest of NAME: version, dependencies, data files, command groups."""
    from loom.kernel.manifest import discover

    manifests = discover()
    _require_known(manifests, name)
    m = manifests[name]
    data = {"name": m.name, "version": m.version, "summary": m.summary, "depends": list(m.depends),
            "auto_install": m.auto_install, "data": list(m.data), "demo": list(m.demo),
            "cli": dict(m.cli), "path": str(m.path), "distribution": m.distribution}
    click.echo(json.dumps(data, ensure_ascii=False, indent=2) if as_json else
               "\n".join(f"{k}: {v}" for k, v in data.items()))


def _require_known(manifests: dict, name: str) -> None:
    from loom.kernel.errors import ModuleError

    if name not in manifests:
        raise ModuleError("kernel.module_unknown", module=name, requested=name,
                          available=", ".join(sorted(manifests)))


def _print_plan(plan, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(plan.as_dict(), ensure_ascii=False))
        return
    verb = {"install": "Install", "uninstall": "Uninstall", "upgrade": "Upgrade"}[plan.action]
    if not plan.modules:
        click.echo(f"{verb}: nothing to do.")
        return
    prefix = "Would " + verb.lower() if plan.dry_run else verb + "ed"
    if plan.action == "upgrade" and not plan.dry_run:
        prefix = "Upgraded"
    click.echo(f"{prefix}: {', '.join(plan.modules)}")
    for name, rows in plan.business_rows.items():
        click.echo(f"  {name} owns {rows} business rows" + ("" if plan.dry_run else " (purged)"))
    if plan.backup:
        click.echo(f"  backup written to {plan.backup}")


@module.command()
@click.argument("names", nargs=-1, required=True)
@click.option("--demo", is_flag=True, help="Load demo data too.")
@click.option("--dry-run", is_flag=True, help="Print the plan and change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@click.pass_context
def install(ctx: click.Context, names: tuple[str, ...], demo: bool, dry_run: bool, as_json: bool) -> None:
    """Install NAMES with their dependencies (bridges join when their last dependency arrives)."""
    manager = manager_for(ctx)
    with module_steps("install", lambda: manager.install(names, dry_run=True), 2, active=not dry_run) as progress:
        plan = manager.install(names, demo=demo, dry_run=dry_run, progress=progress)
    _print_plan(plan, as_json)


@module.command()
@click.argument("name")
@click.option("--cascade", is_flag=True, help="Also uninstall the modules that depend on NAME.")
@click.option("--purge", is_flag=True, help="Delete NAME's business rows (a backup is taken first).")
@click.option("--dry-run", is_flag=True, help="Print the plan and change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@click.pass_context
def uninstall(ctx: click.Context, name: str, cascade: bool, purge: bool, dry_run: bool, as_json: bool) -> None:
    """Uninstall NAME; refused while other modules depend on it or it owns business rows."""
    manager = manager_for(ctx)
    with module_steps("uninstall", lambda: manager.uninstall(name, cascade=cascade, dry_run=True), 1,
                      active=not dry_run) as progress:
        plan = manager.uninstall(name, cascade=cascade, purge=purge, dry_run=dry_run, progress=progress)
    _print_plan(plan, as_json)


@module.command()
@click.argument("names", nargs=-1)
@click.option("--dry-run", is_flag=True, help="Print the plan and change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@click.pass_context
def upgrade(ctx: click.Context, names: tuple[str, ...], dry_run: bool, as_json: bool) -> None:
    """Run pending migrations and reload data of NAMES (default: every installed module)."""
    manager = manager_for(ctx)
    with module_steps("upgrade", lambda: manager.upgrade(names or None, dry_run=True), 2,
                      active=not dry_run) as progress:
        plan = manager.upgrade(names or None, dry_run=dry_run, progress=progress)
    _print_plan(plan, as_json)


@module.command()
@click.argument("names", nargs=-1)
@click.option("--dot", is_flag=True, help="Print Graphviz DOT instead of a tree.")
def graph(names: tuple[str, ...], dot: bool) -> None:
    """The dependency graph of NAMES (default: every module)."""
    from loom.kernel import manifest

    manifests = manifest.discover()
    chosen = list(names) or sorted(manifests)
    click.echo(manifest.graph(manifests, chosen) if dot else manifest.tree(manifests, chosen))


@module.command()
@click.argument("name")
@click.option("-m", "--message", required=True, help="What the revision changes.")
def revision(name: str, message: str) -> None:
    """Autogenerate NAME's next migration, holding only the schema NAME owns."""
    from loom.kernel.manifest import discover
    from loom.kernel.revision import new_revision

    if name != "kernel":
        _require_known(discover(), name)
    path = new_revision(name, message)
    click.echo(f"Wrote {path}" if path else f"{name}: models and migrations already agree; nothing written.")

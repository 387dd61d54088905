"""Install, upgrade and uninstall modules: plans first, then one transaction that leaves no trace
when it fails.

Install: resolve the plan (dependencies and bridges, topological order); in one transaction with
foreign keys off on SQLite, upgrade each module's branch to its head, record it in
``loom_module``, load its data (and demo) files, fire ``on_module_installed``, re-create triggers
and views, check foreign keys, commit. Uninstall: plan (dependents refused unless ``cascade``;
bridges always leave with their dependency); refuse while a module owns business rows unless
``purge``; then, dependents first, fire ``on_module_uninstalling``, delete the kernel rows that
refer to the module's records, downgrade its branch to base and forget it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, Engine, column, func, inspect, or_, select, table
from sqlalchemy.orm import Session

from loom.kernel import manifest as manifests_mod
from loom.kernel import migrator, schema_objects
from loom.kernel.audit import audit_event
from loom.kernel.audit.failures import records_failures
from loom.kernel.data_loader import LoadReport, load_file
from loom.kernel.db import migration_connection
from loom.kernel.environment import Environment
from loom.kernel.errors import AccessError, ModuleError
from loom.kernel.registry import KERNEL, Registry, registry_for

KERNEL_VERSION = "0.1.0"
MODULE_TABLE = "loom_module"

#: ``progress(action, module)``, called before each step: ``migrate``, ``load data`` or ``downgrade``.
Progress = Callable[[str, str], None]

#: The kernel's data files in load order: roles first, then the services' permissions, the company.
KERNEL_DATA_FILES = ("data/security.toml", "data/workflow.toml", "data/audit.toml", "data/outbox.toml",
                     "data/attachment.toml", "data/web.toml", "data/api.toml", "data/company.toml")


def _silent(action: str, module: str) -> None:
    """The default ``progress``: report nothing."""


@dataclass
class Plan:
    """What an operation will do or did: modules in order, and the work done for each."""

    action: str
    modules: list[str]
    dry_run: bool = False
    loaded: dict[str, LoadReport] = field(default_factory=dict)
    business_rows: dict[str, int] = field(default_factory=dict)
    backup: str | None = None

    def as_dict(self) -> dict:
        """The plan as JSON-ready data (``--json``)."""
        return {"action": self.action, "modules": self.modules, "dry_run": self.dry_run,
                "business_rows": self.business_rows, "backup": self.backup,
                "loaded": {m: {"created": r.created, "updated": r.updated} for m, r in self.loaded.items()}}


def installed_modules(connection: Connection) -> dict[str, str]:
    """Installed module -> version, read from ``loom_module`` (empty on a new database)."""
    if not inspect(connection).has_table(MODULE_TABLE):
        return {}
    rows = connection.execute(select(column("name"), column("module_version")).select_from(table(MODULE_TABLE)))
    return {name: version for name, version in rows}


class ModuleManager:
    """Module operations on one database (``engine``) with the modules discovery finds."""

    def __init__(self, engine: Engine, roots: Iterable[str] = (), *, actor: str | None = None) -> None:
        self.engine = engine
        self.roots = tuple(str(r) for r in roots)
        self.manifests = manifests_mod.discover(extra_paths=self.roots)
        #: The login acting (``loom --user``): it must be an administrator, and the audit log names it.
        self.actor = actor
        self.actor_id: int | None = None

    def registry(self, modules: Iterable[str]) -> Registry:
        """The registry of ``modules`` (cached per installed set); names modules whose code is gone."""
        wanted = frozenset(m for m in modules if m != KERNEL)
        manifests_mod.check_installed_present(self.manifests, wanted)
        return registry_for(wanted, self.roots)

    def installed(self) -> dict[str, str]:
        """What is installed now."""
        with self.engine.connect() as conn:
            return installed_modules(conn)

    def _admit_actor(self, conn: Connection, installed: dict[str, str]) -> None:
        """Resolve :attr:`actor` to :attr:`actor_id` and refuse unless that user is an administrator
        (a role with all access): module work is administration, whoever runs the command."""
        if self.actor is None:
            return
        if not installed:
            raise ModuleError("kernel.database_not_initialized")
        from loom.kernel.users import find_user

        with Session(bind=conn, join_transaction_mode="create_savepoint") as session:
            registry = self.registry(installed)
            self.actor_id = find_user(Environment(registry, session, su=True), self.actor).id
            if not Environment(registry, session, uid=self.actor_id).grants.all_access:
                raise AccessError("kernel.module_administrator_required", user=self.actor)

    # -- install / upgrade ----------------------------------------------------------------------

    @records_failures("module.install", lambda names, **_: {"modules": list(names)})
    def install(self, names: Iterable[str], *, demo: bool = False, dry_run: bool = False,
                progress: Progress | None = None) -> Plan:
        """Install ``names`` with their dependencies and bridges (``base`` always comes along).

        ``progress(action, module)`` is called before each module's migration and data load."""
        names = list(names)
        with migration_connection(self.engine) as conn:
            installed = installed_modules(conn)
            manifests_mod.check_installed_present(self.manifests, set(installed) - {KERNEL})
            self._admit_actor(conn, installed)
            wanted = list(dict.fromkeys(["base", *names]))
            todo = manifests_mod.plan_install(self.manifests, set(installed) - {KERNEL}, wanted)
            plan = Plan("install", ([] if KERNEL in installed else [KERNEL]) + todo, dry_run)
            if dry_run or not plan.modules:
                return plan
            self._apply_install(conn, installed, plan, demo, progress or _silent)
        return plan

    def _apply_install(self, conn: Connection, installed: dict[str, str], plan: Plan, demo: bool,
                       progress: Progress) -> None:
        self._migrate_and_load(conn, [*installed, *plan.modules], plan, demo, progress, announce=True)

    def _migrate_and_load(self, conn: Connection, target: list[str], plan: Plan, demo: bool,
                          progress: Progress, *, announce: bool) -> None:
        """Migrate ``plan.modules`` to their heads, record them, load their data and, for an
        install (``announce``), fire ``on_module_installed``; triggers and views come back last."""
        registry = self.registry(target)
        schema_objects.drop_all(conn, registry.schema_objects)
        cfg = self._config(conn, target)
        for module in plan.modules:
            progress("migrate", module)
            migrator.upgrade(cfg, module)
        with Session(bind=conn, join_transaction_mode="create_savepoint") as session:
            env = Environment(registry, session, uid=self.actor_id, su=True)
            for module in plan.modules:
                progress("load data", module)
                self._record(env, module)
                plan.loaded[module] = self._load_data(env, module, demo)
            for module in plan.modules if announce else ():
                env.hooks.on_module_installed(env=env, module=module)
            audit_event(env, "module.install" if announce else "module.upgrade",
                        details={"modules": plan.modules, "demo": demo})
            session.commit()  # releases the savepoint; the connection's transaction commits later
        schema_objects.create_all(conn, registry.schema_objects)

    @records_failures("module.upgrade", lambda names=None, **_: {"modules": list(names or ["*"])})
    def upgrade(self, names: Iterable[str] | None = None, *, dry_run: bool = False,
                progress: Progress | None = None) -> Plan:
        """Run pending migrations and reload data files of ``names`` (default: all installed).

        ``progress(action, module)`` is called before each module's migration and data load."""
        with migration_connection(self.engine) as conn:
            installed = installed_modules(conn)
            if not installed:
                raise ModuleError("kernel.database_not_initialized")
            manifests_mod.check_installed_present(self.manifests, set(installed) - {KERNEL})
            self._admit_actor(conn, installed)
            order = self.registry(installed).modules
            chosen = order if names is None else [m for m in order if m in set(names)]
            unknown = sorted(set(names or ()) - set(installed))
            if unknown:
                raise ModuleError("kernel.module_not_installed", module=", ".join(unknown))
            plan = Plan("upgrade", chosen, dry_run)
            if not dry_run:
                self._apply_upgrade(conn, installed, plan, progress or _silent)
        return plan

    def _apply_upgrade(self, conn: Connection, installed: dict[str, str], plan: Plan, progress: Progress) -> None:
        self._migrate_and_load(conn, list(installed), plan, False, progress, announce=False)

    # -- uninstall ------------------------------------------------------------------------------

    @records_failures("module.uninstall", lambda name, **kw: {"modules": [name], "purge": kw.get("purge", False)})
    def uninstall(self, name: str, *, cascade: bool = False, purge: bool = False,
                  dry_run: bool = False, backup_dir: Path | None = None, progress: Progress | None = None) -> Plan:
        """Uninstall ``name`` (and, with ``cascade``, what depends on it); see the module docstring.

        ``progress(action, module)`` is called before each module's downgrade."""
        with migration_connection(self.engine) as conn:
            installed = installed_modules(conn)
            if name not in installed:
                raise ModuleError("kernel.module_not_installed", module=name)
            manifests_mod.check_installed_present(self.manifests, set(installed) - {KERNEL})
            self._admit_actor(conn, installed)
            order = manifests_mod.plan_uninstall(self.manifests, set(installed) - {KERNEL}, name, cascade)
            plan = Plan("uninstall", order, dry_run)
            registry = self.registry(installed)
            plan.business_rows = self._business_rows(conn, registry, order)
            if plan.business_rows and not purge and not dry_run:
                raise ModuleError("kernel.module_owns_business_rows", module=name,
                                  rows=", ".join(f"{m}: {n}" for m, n in plan.business_rows.items()))
            if dry_run:
                return plan
            if purge and plan.business_rows:
                plan.backup = self._backup(backup_dir)
            self._apply_uninstall(conn, installed, registry, plan, progress or _silent)
        return plan

    def _apply_uninstall(self, conn: Connection, installed: dict[str, str], registry: Registry,
                         plan: Plan, progress: Progress) -> None:
        schema_objects.drop_all(conn, registry.schema_objects)
        with Session(bind=conn, join_transaction_mode="create_savepoint") as session:
            env = Environment(registry, session, uid=self.actor_id, su=True)
            for module in plan.modules:
                env.hooks.on_module_uninstalling(env=env, module=module)
            for module in plan.modules:
                self._forget(env, module)
            details = {"modules": plan.modules, "business_rows": plan.business_rows, "backup": plan.backup}
            audit_event(env, "module.uninstall", details=details)
            if plan.business_rows:
                audit_event(env, "purge", details=details)
            session.commit()  # releases the savepoint; the connection's transaction commits later
        cfg = self._config(conn, installed)
        for module in plan.modules:
            progress("downgrade", module)
            migrator.downgrade(cfg, module)
        remaining = [m for m in installed if m not in plan.modules]
        schema_objects.create_all(conn, self.registry(remaining).schema_objects)

    def _business_rows(self, conn: Connection, registry: Registry, modules: list[str]) -> dict[str, int]:
        """Business data the modules would take with them: rows of their own tables that their
        data files did not create, and rows of other modules' tables holding a value in a column
        they added (a rating added to partners)."""
        counts: dict[str, int] = {}
        for module in modules:
            total = sum(self._own_rows(conn, registry, model) for model in registry.model_names_of(module))
            total += self._extension_values(conn, registry, module)
            if total:
                counts[module] = total
        return counts

    def _own_rows(self, conn: Connection, registry: Registry, model: str) -> int:
        ext = registry["loom.external_id"].__table__
        tbl = registry[model].__table__
        shipped = select(ext.c.res_id).where(ext.c.model == model)
        return conn.scalar(select(func.count()).select_from(tbl).where(tbl.c.id.not_in(shipped))) or 0

    def _extension_values(self, conn: Connection, registry: Registry, module: str) -> int:
        total = 0
        for model, composition in registry.compositions.items():
            if composition.owner == module:
                continue
            tbl = registry[model].__table__
            added = [tbl.c[name] for name, owner in composition.columns.items()
                     if owner == module and name in tbl.c and tbl.c[name].nullable]
            if added:
                total += conn.scalar(select(func.count()).select_from(tbl)
                                     .where(or_(*(c.is_not(None) for c in added)))) or 0
        return total

    # -- helpers --------------------------------------------------------------------------------

    def _config(self, conn: Connection, modules: Iterable[str]):
        locations = [migrator.versions_dir(KERNEL, None)]
        locations += [migrator.versions_dir(m, self.manifests[m].path) for m in modules if m != KERNEL]
        return migrator.make_config(conn, locations)

    def _record(self, env: Environment, module: str) -> None:
        version = KERNEL_VERSION if module == KERNEL else self.manifests[module].version
        model = env["loom.module"]
        existing = model.search([["name", "=", module]])
        if existing:
            model.write(existing, {"module_version": version})
        else:
            model.create({"name": module, "module_version": version})

    def _load_data(self, env: Environment, module: str, demo: bool) -> LoadReport:
        report = LoadReport()
        folder, files = self._data_files(module, demo)
        for relative in files:
            load_file(env, module, folder / relative, report)
        return report

    def _data_files(self, module: str, demo: bool) -> tuple[Path, list[str]]:
        if module == KERNEL:
            return Path(__file__).resolve().parent, list(KERNEL_DATA_FILES)
        manifest = self.manifests[module]
        return manifest.path, list(manifest.data) + (list(manifest.demo) if demo else [])

    def _forget(self, env: Environment, module: str) -> None:
        """Delete the kernel rows that refer to ``module`` or to records it owns or shipped."""
        from loom.kernel.purge import forget_module

        forget_module(env, module)

    def _backup(self, backup_dir: Path | None) -> str:
        from loom.kernel.backup import backup_database

        return str(backup_database(self.engine, backup_dir, roots=self.roots, audit=False))  # the purge records it

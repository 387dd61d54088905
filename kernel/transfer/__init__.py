"""Import and export: records from CSV and XLSX files, and back, as the environment's user.

::

    from loom.kernel.transfer import import_file, export_records
    report = import_file(env, "base.partner", "partners.csv", dry_run=True)
    count = export_records(env, "base.partner", out, format="csv", fields=["name", "email"])

Imports are all or nothing and share the data loader with module data files
(:mod:`loom.kernel.transfer.importer`); exports stream rows and neutralize formula-looking cells
(:mod:`loom.kernel.transfer.exporter`).
"""

from loom.kernel.transfer.exporter import AUDITED_ROWS, export_records
from loom.kernel.transfer.importer import import_file, import_table
from loom.kernel.transfer.report import MAX_ERRORS, ImportFailedError, ImportReport, RowError
from loom.kernel.transfer.tables import Table, read_table

__all__ = ["AUDITED_ROWS", "MAX_ERRORS", "ImportFailedError", "ImportReport", "RowError", "Table", "export_records",
           "import_file", "import_table", "read_table"]

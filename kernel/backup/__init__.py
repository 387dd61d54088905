"""Backup, restore and copy of a database together with its filestore.

* :func:`backup_database` writes a consistent snapshot artifact (a folder with the database
  snapshot, the filestore and a manifest of per-table row counts and content hashes);
* :func:`restore_database` puts an artifact in place of a database, all of it or nothing;
* :func:`copy_database` moves a database to another URL, across SQLite and PostgreSQL, and
  verifies every table's rows and content hash.

The content hash of a table (:mod:`loom.kernel.backup.digest`) reads rows through the registry's
column types, so equal data hashes equal on both backends.
"""

from loom.kernel.backup.artifact import Manifest, read_manifest
from loom.kernel.backup.copy import CopyReport, copy_database
from loom.kernel.backup.restore import restore_database
from loom.kernel.backup.snapshot import backup_database

__all__ = ["CopyReport", "Manifest", "backup_database", "copy_database", "read_manifest", "restore_database"]

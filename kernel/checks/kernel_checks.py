"""The checks the kernel contributes to every database, whatever modules are installed."""

from loom.kernel.checks.audit_chain import audit_chain
from loom.kernel.checks.check import Check
from loom.kernel.checks.id_sequences import id_sequences
from loom.kernel.checks.orphans import orphans
from loom.kernel.checks.schema_objects_present import schema_objects_present
from loom.kernel.checks.unique_keys import unique_keys

#: The kernel's checks, in the order ``loom check`` runs them.
KERNEL_CHECKS: tuple[Check, ...] = (
    Check("kernel.orphans", "Every many-to-one value points at an existing row", orphans),
    Check("kernel.unique_keys", "Declared unique indexes and constraints have no duplicates", unique_keys),
    Check("kernel.schema_objects", "Every declared trigger and view exists", schema_objects_present),
    Check("kernel.id_sequences", "PostgreSQL id sequences sit above the highest ids", id_sequences),
    Check("kernel.audit_chain", "The security audit log's hash chain is intact", audit_chain),
)

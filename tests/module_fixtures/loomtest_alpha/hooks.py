"""Alpha's kernel hook implementations."""

from loom.kernel.hooks import hookimpl
from loom.kernel.settings import Setting


@hookimpl
def register_settings():
    """Alpha declares one setting: the largest order amount a clerk may confirm."""
    return [Setting("loomtest_alpha.max_amount", "decimal", 1000, "Largest order amount")]

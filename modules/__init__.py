"""Loom's shipped business modules, one folder each (``loom.modules.<name>``)."""

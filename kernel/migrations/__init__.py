"""The kernel's alembic environment (``env.py``, ``script.py.mako``) and its own branch (versions/)."""

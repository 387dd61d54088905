"""The domain language: one filter syntax compiled to SQL, and sort and group specs checked alike.

A domain is JSON-friendly data::

    [["country_id.code", "=", "CN"], ["or", ["credit", ">", "1000"], ["not", ["active", "=", true]]]]

* a condition is ``[path, operator, value]``; a list of nodes is an implicit AND; ``["and", ...]``,
  ``["or", ...]`` and ``["not", node]`` combine nodes (``["and"]`` is true, ``["or"]`` is false, ``[]``
  is true). ``and``, ``or`` and ``not`` are therefore never read as field names;
* a path is a field name, or field names joined by dots through many-to-one fields
  (``parent_id.country_id.code``), at most :data:`MAX_LINKS` links;
* operators are :data:`OPERATORS`. ``like``/``ilike`` mean "contains": the text is matched literally
  (``%`` and ``_`` are ordinary characters), ``ilike`` ignoring the case of ASCII letters only.

Decisions, identical in SQL and in :func:`evaluate`:

* **NULL.** A path's value is NULL when the field is empty or a link on the way is empty. ``=``,
  ``<``, ``<=``, ``>``, ``>=``, ``in``, ``like`` and ``ilike`` never match NULL; ``!=`` and ``not_in``
  are their exact negations and so *do* match NULL (``["country_id.code", "!=", "CN"]`` keeps partners
  without a country). ``["not", X]`` is the exact negation of ``X``. NULL is tested with ``is_null``
  only: ``["f", "=", null]`` is refused. The compiler keeps SQL two-valued: negations are pushed
  down to the conditions, and a negated condition on a column adds ``OR column IS NULL``.
* **Paths** compile to one correlated ``EXISTS (SELECT ... JOIN ...)`` per condition (``NOT EXISTS``
  when negated), so the result stays one boolean expression for ``select(cls).where(...)``; sorting
  and grouping on a path use a correlated scalar subquery.
* **Case.** ``like`` is case-sensitive on both backends (``instr`` on SQLite, ``strpos`` on
  PostgreSQL, never SQL ``LIKE``, whose case rules differ); ``ilike`` folds ASCII ``A-Z`` only
  (SQLite ``lower``, PostgreSQL ``translate``), so ``É`` and ``é`` stay different everywhere.

Security: every path, operator, value, sort and group term is checked against the schema's fields
and the user's ``readable`` callback before any SQL is built; columns come from the schema, values
are bound parameters, and user text never reaches the SQL text. docs/domain-language.md is the
user guide.

One file per step: ``syntax`` parses, ``schema`` and ``values`` check paths and values against the
fields, ``normal_form`` pushes ``not`` down, ``sql`` (with ``dialect`` for SQLite and PostgreSQL
spellings) builds the WHERE clause, ``ordering`` the sort and group terms, ``evaluation`` the Python
evaluator; ``errors`` holds their messages. Import from this package, not from those files.
"""

from loom.kernel.domain.errors import MalformedDomainError
from loom.kernel.domain.evaluation import evaluate
from loom.kernel.domain.ordering import GRANULARITIES, MAX_TERMS, compile_group, compile_order
from loom.kernel.domain.schema import Readable, Schema, Visible
from loom.kernel.domain.sql import compile_domain
from loom.kernel.domain.syntax import MAX_CONDITIONS, MAX_DEPTH, MAX_LINKS, MAX_LIST, OPERATORS

__all__ = [
    "GRANULARITIES", "MAX_CONDITIONS", "MAX_DEPTH", "MAX_LINKS", "MAX_LIST", "MAX_TERMS", "OPERATORS",
    "MalformedDomainError", "Readable", "Schema", "Visible", "compile_domain", "compile_group", "compile_order",
    "evaluate",
]

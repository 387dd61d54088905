"""Sort and group specs of the domain language, validated like filters."""

from __future__ import annotations

import pytest
from sqlalchemy import (
    func,
    select,
)
from sqlalchemy.orm import Session

from domain_fixtures import (
    SCHEMA,
    Partner,
    engine,
    readable,
)
from loom.kernel.domain import (
    MalformedDomainError,
    compile_group,
    compile_order,
)
from loom.kernel.errors import InvalidFieldError

# -- sorting and grouping ----------------------------------------------------------------------------


def sorted_ids(engine, spec, readable=None):
    with Session(engine) as session:
        return list(session.scalars(
            select(Partner.id).order_by(*compile_order(spec, "partner", SCHEMA, readable))))


@pytest.mark.parametrize(("spec", "expected"), [
    ("visits", [4, 2, 5, 1, 3]),
    ("visits desc, name", [3, 1, 5, 2, 4]),
    ("visits asc nulls first", [3, 4, 2, 5, 1]),
    ("visits DESC NULLS LAST", [1, 5, 2, 4, 3]),
    (["country_id.code desc nulls last", "name"], [3, 1, 2, 5, 4]),
    ("parent_id.parent_id.name, id desc", [5, 4, 3, 2, 1]),
    ("active, credit desc", [3, 1, 5, 2, 4]),
    ("kind desc", [2, 4, 5, 1, 3]),
    ("", [1, 2, 3, 4, 5]),
])
def test_order_specs(engine, spec, expected):
    assert sorted_ids(engine, spec) == expected


def test_id_breaks_ties_unless_the_spec_names_it():
    assert len(compile_order("kind", "partner", SCHEMA)) == 2
    assert len(compile_order("kind, id desc", "partner", SCHEMA)) == 2
    assert len(compile_order(["id"], "partner", SCHEMA)) == 1


@pytest.mark.parametrize("spec", ["name sideways", "name desc nulls", "name nulls middle", "name asc desc",
                                  "name,", "name desc id"])
def test_bad_order_terms_are_invalid_fields(spec):
    with pytest.raises(InvalidFieldError) as caught:
        compile_order(spec, "partner", SCHEMA)
    assert caught.value.code == "invalid_field"


@pytest.mark.parametrize(("spec", "message_id"), [
    (5, "kernel.domain_malformed_spec"), (["name", 3], "kernel.domain_malformed_spec"),
    ({"name": "asc"}, "kernel.domain_malformed_spec"), (", ".join(["name"] * 21), "kernel.domain_too_many_terms")])
@pytest.mark.parametrize("compile_spec", [compile_order, compile_group])
def test_malformed_specs(compile_spec, spec, message_id):
    with pytest.raises(MalformedDomainError) as caught:
        compile_spec(spec, "partner", SCHEMA)
    assert (caught.value.message_id, caught.value.code, caught.value.http_status) == (
        message_id, "invalid_value", 400)


def grouped(engine, spec):
    groups = compile_group(spec, "partner", SCHEMA, readable)
    with Session(engine) as session:
        rows = session.execute(select(*groups, func.count()).select_from(Partner).group_by(*groups))
        return {tuple(row[:-1]): row[-1] for row in rows}


@pytest.mark.parametrize(("spec", "expected"), [
    ("kind", {("company",): 2, ("person",): 3}),
    (["country_id.code"], {("CN",): 3, ("DE",): 1, (None,): 1}),
    ("parent_id.country_id", {(1,): 2, (2,): 1, (None,): 2}),
    ("since:year", {("2023",): 2, ("2024",): 2, (None,): 1}),
    ("since:month, kind", {("2023-01", "company"): 1, ("2024-02", "person"): 2, ("2023-12", "person"): 1,
                           (None, "company"): 1}),
    ("seen_at:day", {("2024-03-05",): 1, ("2024-03-06",): 1, ("2024-12-31",): 1, (None,): 2}),
    ("seen_at:year", {("2024",): 3, (None,): 2}),
    ("parent_id.since:month", {("2023-01",): 1, ("2024-02",): 1, (None,): 3}),
])
def test_group_specs(engine, spec, expected):
    assert grouped(engine, spec) == expected


def test_group_labels_are_the_paths():
    labels = [g.name for g in compile_group("country_id.code, since:month, kind", "partner", SCHEMA)]
    assert labels == ["country_id__code", "since__month", "kind"]


@pytest.mark.parametrize("spec", ["name:month", "since:week", "since:", "tags", "children", "computed_score"])
def test_bad_group_terms_are_invalid_fields(spec):
    with pytest.raises(InvalidFieldError):
        compile_group(spec, "partner", SCHEMA)

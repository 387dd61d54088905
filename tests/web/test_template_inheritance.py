"""A module changes a template of a module it depends on by extending it under the same name; the
overrides of several modules chain in dependency order, and nobody copies a template."""

from __future__ import annotations

import pytest
from jinja2 import Environment, TemplateNotFound

from loom.kernel.web.template_loader import ModuleTemplateLoader


def _provider(tmp_path, name, files):
    folder = tmp_path / name
    for path, text in files.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(text, encoding="utf-8")
    return name, folder


def test_sales_prints_an_order_and_two_modules_extend_it_in_dependency_order(tmp_path):
    loader = ModuleTemplateLoader([
        _provider(tmp_path, "sales", {"print/order.html": "<h1>Order</h1>{% block totals %}Total 100{% endblock %}"}),
        _provider(tmp_path, "sales_margin", {"print/order.html":
                  '{% extends "print/order.html" %}{% block totals %}{{ super() }} · margin 30{% endblock %}'}),
        _provider(tmp_path, "sales_stamp", {"print/order.html":
                  "{% extends 'print/order.html' %}{% block totals %}{{ super() }} · PAID{% endblock %}"}),
    ])
    env = Environment(loader=loader, autoescape=True)

    assert env.get_template("print/order.html").render() == "<h1>Order</h1>Total 100 · margin 30 · PAID"
    assert env.get_template("sales_margin::print/order.html").render() == "<h1>Order</h1>Total 100 · margin 30"
    assert env.get_template("sales::print/order.html").render() == "<h1>Order</h1>Total 100"


def test_a_template_extending_itself_with_nothing_below_is_a_clear_error(tmp_path):
    loader = ModuleTemplateLoader([_provider(tmp_path, "lonely", {"a.html": '{% extends "a.html" %}'})])

    with pytest.raises(TemplateNotFound, match="extends itself"):
        Environment(loader=loader).get_template("a.html")


def test_unknown_names_providers_and_paths_outside_the_folders_are_not_found(tmp_path):
    (tmp_path / "secret.html").write_text("secret")
    loader = ModuleTemplateLoader([_provider(tmp_path, "sales", {"a.html": "a"})])
    env = Environment(loader=loader)

    for name in ("missing.html", "crm::a.html", "../secret.html"):
        with pytest.raises(TemplateNotFound):
            env.get_template(name)
    assert loader.list_templates() == ["a.html"]

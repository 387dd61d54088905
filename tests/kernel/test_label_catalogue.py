"""Every model, field and selection value a user can meet has a name in English and in Chinese:
the kernel's models, base's, and those of the contributed partner_rating module."""

from __future__ import annotations

from pathlib import Path

import pytest

from loom.kernel import manifest
from loom.kernel.i18n import LANGUAGES, catalog
from loom.kernel.i18n.labels import field_label, lookup, model_label, required_label_ids, selection_label
from loom.kernel.registry import Registry

PARTNER_RATING = Path(__file__).resolve().parents[2] / "plugins_contrib" / "loom_partner_rating"


@pytest.fixture(scope="module")
def registry():
    """The kernel, base and partner_rating, found as if its distribution were installed."""
    plugin = manifest.read_manifest(PARTNER_RATING / "loom_partner_rating", "loom_partner_rating",
                                    distribution="loom-partner-rating")
    found = {**manifest.discover(), plugin.name: plugin}
    patch = pytest.MonkeyPatch()
    patch.syspath_prepend(str(PARTNER_RATING))
    patch.setattr(manifest, "discover", lambda extra_paths=(): found)
    catalog.cache_clear()
    yield Registry(["base", "partner_rating"], found)
    patch.undo()
    catalog.cache_clear()


def test_the_catalogue_covers_every_installed_model_field_and_selection_value(registry):
    required = list(required_label_ids(registry))
    assert len(required) > 350  # the walk itself works: kernel, base and partner_rating together
    missing = [(ids[0], lang) for ids in required for lang in LANGUAGES
               if not any(lookup(message_id, lang) for message_id in ids)]
    assert missing == []


def test_a_chinese_user_reads_partners_in_business_chinese(registry):
    fields = registry.fields("base.partner")
    assert model_label(registry, "base.partner", "zh_CN") == "合作伙伴"
    assert field_label("base.partner", "tax_id", fields["tax_id"], "zh_CN") == "税号（统一社会信用代码）"
    assert selection_label("base.partner", "type", fields["type"], "contact", "zh_CN") == "联系人"
    assert field_label("base.partner", "credit_rating", fields["credit_rating"], "zh_CN") == "信用评级"
    assert field_label("base.partner", "id", fields["id"], "zh_CN") == "编号"


def test_english_labels_come_from_the_catalogue(registry):
    fields = registry.fields("loom.user")
    assert model_label(registry, "loom.user", "en") == "User"
    assert field_label("loom.user", "tz", fields["tz"], "en") == "Time zone"
    assert selection_label("loom.user", "lang", fields["lang"], "zh_CN", "en") == "简体中文"


def test_a_label_missing_in_the_catalogue_falls_back_to_the_declared_one(registry):
    info = registry.fields("base.partner")["tax_id"]
    stray = type(info)(name="tax_id", kind="string", module="nowhere", label="Declared label")
    assert field_label("base.partner", "tax_id", stray, "zh_CN") == "Declared label"
    assert field_label("base.partner", "parent_id", type(info)(name="parent_id", kind="many2one",
                                                               module="nowhere"), "en") == "Parent"


def test_the_openapi_document_names_models_fields_and_choices_in_both_languages(registry):
    from loom.kernel.api.openapi import openapi_document

    schemas = openapi_document(registry)["components"]["schemas"]
    partner = schemas["base.partner"]
    assert partner["title"] == "Partner" and partner["x-labels"]["zh_CN"] == "合作伙伴"
    assert partner["properties"]["tax_id"]["x-labels"] == {"en": "Tax id (USCC)", "zh_CN": "税号（统一社会信用代码）"}
    assert partner["properties"]["type"]["enum"][0] == "contact"  # the values stay as stored
    assert partner["properties"]["type"]["x-enum-labels"]["contact"] == {"en": "Contact", "zh_CN": "联系人"}
    assert schemas["base.partner.write"]["properties"]["credit_rating"]["title"] == "Credit rating"

"""Product texts: templates whose empty fields vanish cleanly; records safe for Chroma."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from retrieval.errors import ConfigError
from retrieval.index.records import catalogue_records
from retrieval.index.text import DEFAULT_TEMPLATE, TextTemplate, content_hash
from retrieval.products import Catalogue, Product


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"title": "RED CAKE STAND", "category": "Kitchen", "description": "Three tiers."},
         "RED CAKE STAND. Kitchen. Three tiers."),
        ({"title": "RED CAKE STAND", "category": "", "description": "Three tiers."},
         "RED CAKE STAND. Three tiers."),
        ({"title": "RED CAKE STAND", "category": "", "description": ""}, "RED CAKE STAND"),
        ({"title": "RED CAKE STAND", "category": None, "description": pd.NA}, "RED CAKE STAND"),
        ({"title": "RED CAKE STAND", "category": float("nan"), "description": "  "}, "RED CAKE STAND"),
        ({"title": "", "category": "Kitchen", "description": "x"}, "Kitchen. x"),
        ({"title": "  RED \n CAKE   STAND ", "category": "", "description": ""}, "RED CAKE STAND"),
    ],
)
def test_default_template_drops_empty_fields_with_their_separators(values, expected):
    assert TextTemplate(DEFAULT_TEMPLATE).render(values) == expected


def test_trailing_text_belongs_to_the_last_field():
    template = TextTemplate("{title} ({category})")
    assert template.render({"title": "MUG", "category": "Kitchen"}) == "MUG (Kitchen)"
    assert template.render({"title": "MUG", "category": ""}) == "MUG"


def test_leading_text_always_shows_and_format_specs_apply():
    template = TextTemplate("Product: {title}, {price:.2f} GBP")
    assert template.render({"title": "MUG", "price": 2.5}) == "Product: MUG, 2.50 GBP"
    assert template.render({"title": "MUG", "price": math.nan}) == "Product: MUG"


@pytest.mark.parametrize("bad", ["no fields", "{}", "{0}", "{title!r}", "{title"])
def test_bad_templates_are_config_errors(bad):
    with pytest.raises(ConfigError):
        TextTemplate(bad)


def test_unknown_field_is_named():
    with pytest.raises(ConfigError, match="colour"):
        TextTemplate("{title} {colour}").check_fields(["title", "category"])


def test_content_hash_depends_on_text_and_model_key():
    assert content_hash("MUG", "model-a") == content_hash("MUG", "model-a")
    assert content_hash("MUG", "model-a") != content_hash("MUG", "model-b")
    assert content_hash("MUG", "model-a") != content_hash("MUG ", "model-a")


def test_records_hold_no_none_and_keep_attributes():
    catalogue = Catalogue.from_products(
        [
            Product("A1", "RED MUG", price=2.5, popularity=7, attributes={"colour": "red"}),
            Product("B2", "BLUE MUG", category="Kitchen"),
        ]
    )
    records = catalogue_records(catalogue, TextTemplate("{title}. {colour}"), key="k")
    assert records.ids == ["A1", "B2"]
    assert records.texts == ["RED MUG. red", "BLUE MUG"]
    a, b = records.metadatas
    assert a == {"title": "RED MUG", "category": "", "popularity": 7, "price": 2.5,
                 "colour": "red", "content_hash": records.hashes[0]}
    assert "price" not in b and "colour" not in b  # Chroma metadata cannot hold None
    assert all(v is not None for m in records.metadatas for v in m.values())


def test_fingerprint_sees_metadata_changes_but_not_row_order():
    products = [Product("A1", "RED MUG", price=2.5), Product("B2", "BLUE MUG", price=3.0)]
    template = TextTemplate()
    base = catalogue_records(Catalogue.from_products(products), template, "k").fingerprint()
    reordered = catalogue_records(Catalogue.from_products(products[::-1]), template, "k").fingerprint()
    repriced = catalogue_records(
        Catalogue.from_products([products[0], Product("B2", "BLUE MUG", price=3.5)]), template, "k"
    ).fingerprint()
    assert base == reordered
    assert base != repriced

"""The HTTP response models and the assistant's result classes describe one shape: a field
added to either without the other fails here (and, at run time, `extra="forbid"` turns a key
the models lack into an error instead of passing it through unchecked)."""

from __future__ import annotations

import dataclasses

import pytest
from pydantic import ValidationError

from assistant import results
from assistant.agent.grounding import Verdict
from assistant.api import Reply
from ui.http import models as m


@pytest.mark.parametrize("model", list(m.RESPONSE_SHAPES), ids=lambda model: model.__name__)
def test_each_response_model_has_exactly_the_keys_of_its_result_class(model):
    assert set(model.model_fields) == results.json_keys(m.RESPONSE_SHAPES[model])


def test_a_reply_holds_exactly_the_keys_reply_to_dict_writes():
    assert set(m.Reply.model_fields) == set(Reply("hi").to_dict())
    assert set(m.GroundingVerdict.model_fields) == set(Verdict([]).to_dict())
    assert set(m.ReplyEvidence.model_fields) == results.json_keys(results.Evidence) | {"product_id"}
    assert set(m.ReplyProduct.model_fields) == set().union(*map(results.json_keys, m.REPLY_PRODUCTS))
    every_kind = {type(p) for kind in vars(results).values() if isinstance(kind, type)
                  and issubclass(kind, results.ToolOutput) for p in _about_examples(kind)}
    assert every_kind <= set(m.REPLY_PRODUCTS)


def _about_examples(kind):
    """Instances of what `kind.about()` returns, from one filled-in example of each kind."""
    examples = {
        results.Listing: results.Listing(products=(LISTED,)),
        results.ProductDetails: results.ProductDetails(product=INFO),
        results.Explanation: results.Explanation(product=results.Shown("1", "A", 1.0), position=1),
        results.Comparison: results.Comparison(products=(INFO, INFO)),
        results.BasketView: results.BasketView(added=results.Moved(INFO, 1)),
        results.CustomerHistory: results.CustomerHistory(customer_id="c", orders=1, last_order=None,
                                                         products=(results.OrderedProduct("1", "A", 1.0, 2),)),
        results.CustomerProfile: results.CustomerProfile(customer_id="c", orders=1, lines=(), products=(LISTED,)),
    }
    return examples[kind].about() if kind in examples else []


LISTED = results.Listed("1", "A", 1.0, "c", "match", (results.Evidence("rules", "why", confidence=0.5),))
INFO = results.ProductInfo("1", "A", 1.0, "c", 3, "words", {"colour": "red"})


def test_a_field_added_to_a_result_class_is_drift():
    # What the check above catches: the same class with one more field no longer matches.
    grown = dataclasses.make_dataclass("Grown", [("colour", str)], bases=(results.BasketLine,), frozen=True)
    assert results.json_keys(grown) - set(m.BasketLine.model_fields) == {"colour"}


def test_a_key_the_models_lack_is_refused_not_passed_through():
    line = results.BasketLine("1", "A", 1.0, 2, 2.0).to_json()
    assert m.BasketLine.model_validate(line).model_dump() == line
    with pytest.raises(ValidationError, match="colour"):
        m.BasketLine.model_validate({**line, "colour": "red"})


def test_filled_in_results_validate_against_their_models():
    filled = {
        m.Recommendations: results.Listing(products=(LISTED,), question="q", no_match=True, relaxed=("widened",),
                                           filters=results.Filters(1.0, 2.0, ("bags",))),
        m.Basket: results.BasketView(lines=(results.BasketLine("1", "A", 1.0, 1, 1.0),), items=1, total=1.0,
                                     added=results.Moved(INFO, 1)),
        m.ProductDetails: INFO,
    }
    for model, value in filled.items():
        assert model.model_validate(value.to_json()).model_dump(exclude_unset=True) == value.to_json()

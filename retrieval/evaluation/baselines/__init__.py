"""Baseline recommenders every new ranker is compared against."""

from .cooccurrence import CooccurrenceKNN
from .implicit_models import ALS, BM25ItemKNN
from .matrix import ItemSpace, ScoringRecommender, popularity, top_k
from .popularity import Popularity
from .repeat import RepeatPurchases, RepeatThenPopular

__all__ = [
    "ALS",
    "BM25ItemKNN",
    "CooccurrenceKNN",
    "ItemSpace",
    "Popularity",
    "RepeatPurchases",
    "RepeatThenPopular",
    "ScoringRecommender",
    "popularity",
    "top_k",
]

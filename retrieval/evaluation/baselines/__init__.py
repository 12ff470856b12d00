"""Baseline recommenders every new ranker is compared against."""

from .cooccurrence import CooccurrenceKNN
from .ease import EASE
from .implicit_models import ALS, BM25ItemKNN
from .lightgcn import LightGCN
from .matrix import ItemSpace, ScoringRecommender, popularity, top_k
from .popularity import Popularity
from .repeat import RepeatPurchases, RepeatThenPopular
from .tifu import TifuKNN

__all__ = [
    "ALS",
    "BM25ItemKNN",
    "CooccurrenceKNN",
    "EASE",
    "ItemSpace",
    "LightGCN",
    "Popularity",
    "RepeatPurchases",
    "RepeatThenPopular",
    "ScoringRecommender",
    "TifuKNN",
    "popularity",
    "top_k",
]

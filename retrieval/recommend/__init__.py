"""Retrieval: a question plus a history become explained candidates."""

from .fusion import FusionWeights
from .retriever import Retriever
from .types import Candidate, Evidence, Filters, Recommendations

__all__ = ["Candidate", "Evidence", "Filters", "FusionWeights", "Recommendations", "Retriever"]

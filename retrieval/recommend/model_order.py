"""A fitted model's item order against the catalogue's, for sources that score in the model's."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np


class ModelOrder:
    """Row `to_model[c]` of the model is catalogue row c (-1: the model does not know it)."""

    def __init__(self, model_position: Mapping[str, int], catalogue_ids: Sequence[str]) -> None:
        self.to_model = np.array([model_position.get(pid, -1) for pid in catalogue_ids], dtype=np.int64)
        self.valid = self.to_model >= 0
        self.to_catalogue_row = {int(m): c for c, m in enumerate(self.to_model) if m >= 0}
        # A model is usually fitted on the catalogue's own ids in order: no re-indexing then.
        self.same = len(model_position) == len(catalogue_ids) and bool(
            (self.to_model == np.arange(len(catalogue_ids))).all())

    def to_catalogue(self, scores: np.ndarray) -> np.ndarray:
        """Model-ordered scores in catalogue order, float64, 0 where the model has no score."""
        if self.same:
            return scores.astype(np.float64)
        out = np.zeros(len(self.to_model))
        out[self.valid] = scores[self.to_model[self.valid]]
        return out

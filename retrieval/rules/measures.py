"""Rule measures computed, vectorised, from integer counts alone.

Every engine reduces its output to three count arrays (rule, antecedent, consequent) plus
the basket count n; this module turns them into the measures, so two engines that agree
on counts agree on every measure bit for bit. Definitions follow mlxtend 0.25:

    support            = count(A ∪ c) / n
    confidence         = count(A ∪ c) / count(A)
    lift               = confidence / consequent_support
    leverage           = support - antecedent_support * consequent_support
    conviction         = (1 - consequent_support) / (1 - confidence); inf when confidence == 1
    zhangs_metric      = leverage / max(support * (1 - antecedent_support),
                                        antecedent_support * (consequent_support - support));
                         0 where that denominator is 0
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .model import COUNT_COLUMNS, MEASURE_COLUMNS


def rule_measures(
    rule_count: np.ndarray,
    antecedent_count: np.ndarray,
    consequent_count: np.ndarray,
    n_baskets: int,
) -> pd.DataFrame:
    """A frame with the count columns and every measure column, one row per rule."""
    ac = np.asarray(rule_count, dtype=np.int64)
    a = np.asarray(antecedent_count, dtype=np.int64)
    c = np.asarray(consequent_count, dtype=np.int64)
    n = float(n_baskets)
    s_ac, s_a, s_c = ac / n, a / n, c / n
    confidence = ac / a
    leverage = s_ac - s_a * s_c
    with np.errstate(divide="ignore", invalid="ignore"):
        # Integer test for "confidence is 1" so float rounding never decides it.
        conviction = np.where(ac == a, np.inf, (1.0 - s_c) / (1.0 - confidence))
        denom = np.maximum(s_ac * (1.0 - s_a), s_a * (s_c - s_ac))
        zhang = np.where(denom == 0, 0.0, leverage / denom)
    columns = {
        COUNT_COLUMNS[0]: ac,
        COUNT_COLUMNS[1]: a,
        COUNT_COLUMNS[2]: c,
        "support": s_ac,
        "confidence": confidence,
        "lift": confidence / s_c,
        "leverage": leverage,
        "conviction": conviction,
        "zhangs_metric": zhang,
        "antecedent_support": s_a,
        "consequent_support": s_c,
    }
    assert tuple(columns)[3:] == MEASURE_COLUMNS  # keeps this table and the model in step
    return pd.DataFrame(columns)

"""Association rules: mine frequent itemsets and single-consequent rules, store, apply.

    from retrieval.rules import MiningParams, mine_and_store, load_rules, apply_rules

    store = mine_and_store(dataset)                  # mine the baskets, save under the data root
    store = load_rules()                             # later: reload the saved rules
    for cand in apply_rules(store, ["85123A", "71053"], k=5):
        print(cand.product_id, cand.score, cand.evidence[0].describe())
"""

from .apply import RuleCandidate, apply_rules, apply_rules_to_history
from .mine import ENGINES, mine_and_store, mine_rules
from .model import Itemset, Rule
from .params import MiningParams
from .persist import RulesMeta, save_rules
from .ruleset import RuleSet
from .store import RuleStore, load_rules

__all__ = [
    "ENGINES",
    "Itemset",
    "MiningParams",
    "Rule",
    "RuleCandidate",
    "RuleSet",
    "RuleStore",
    "RulesMeta",
    "apply_rules",
    "apply_rules_to_history",
    "load_rules",
    "mine_and_store",
    "mine_rules",
    "save_rules",
]

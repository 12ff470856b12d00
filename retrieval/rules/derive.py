"""Single-consequent rules from frequent itemsets and their counts (no basket access).

For every frequent itemset S with |S| >= 2 and every item c in S, the rule S - {c} -> c
has rule count count(S), antecedent count count(S - {c}) and consequent count count({c});
both subsets are frequent by anti-monotonicity, so their counts are in the table. Both
engines get their rules this way, so equal itemset counts mean equal rules and measures;
the Spark engine need not reverse-engineer counts from Spark's float confidence and lift,
and the local engine saves pyfim a second pass over the baskets. Tests pin the output to
pyfim's and Spark's own rule generators.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import DataError


def rules_from_itemsets(
    sets: Sequence[tuple[str, ...]], counts: Sequence[int]
) -> tuple[list[tuple[str, ...]], list[str], list[int], list[int], list[int]]:
    """Antecedents, consequents, rule/antecedent/consequent counts. `sets` must be sorted tuples."""
    count_of = dict(zip(sets, counts, strict=True))
    ants: list[tuple[str, ...]] = []
    cons: list[str] = []
    ac: list[int] = []
    a: list[int] = []
    c: list[int] = []
    for items, n in count_of.items():
        if len(items) < 2:
            continue
        for k, head in enumerate(items):
            body = items[:k] + items[k + 1 :]  # still sorted
            try:
                body_count, head_count = count_of[body], count_of[(head,)]
            except KeyError as exc:
                raise DataError(f"itemset table is not downward closed: {exc} is missing") from exc
            ants.append(body)
            cons.append(head)
            ac.append(n)
            a.append(body_count)
            c.append(head_count)
    return ants, cons, ac, a, c

"""`shopassist rules`: mine association rules from the baskets and print the strongest."""

from __future__ import annotations

import argparse
import time

from retrieval.datasets import resolve_dataset
from retrieval.errors import ConfigError, NotFoundError
from retrieval.rules.model import MEASURE_COLUMNS
from retrieval.rules.params import (
    DEFAULT_MAX_LEN,
    DEFAULT_MIN_CONFIDENCE,
    DEFAULT_MIN_LIFT,
    DEFAULT_MIN_SUPPORT,
    parse_min_support,
)
from retrieval.rules.ruleset import SORTABLE

TITLE_WIDTH = 38


def register(sub, parents) -> None:
    p = sub.add_parser(
        "rules",
        parents=parents,
        help="mine association rules from the baskets and print the top ones",
        description="Mine frequent itemsets and single-consequent association rules from the "
        "baskets (--dataset DIR, else the dataset saved under the data root, else the bundled "
        "Online Retail file) and print the top rules with product titles. Min support written "
        "with a decimal point is a fraction of baskets (0.005, 1.0 = every basket); written as "
        "a whole number it is a basket count (99, 1 = one basket).",
    )
    p.add_argument("--dataset", metavar="DIR",
                   help="cleaned dataset folder (from `ingest --out`; default: the saved one, else the bundled file)")
    p.add_argument("--min-support", type=parse_min_support, default=DEFAULT_MIN_SUPPORT, metavar="X",
                   help=f"fraction in (0, 1] such as 0.005, or basket count >= 1 such as 99 (default {DEFAULT_MIN_SUPPORT})")
    p.add_argument("--min-confidence", type=float, default=DEFAULT_MIN_CONFIDENCE, metavar="C",
                   help=f"in [0, 1] (default {DEFAULT_MIN_CONFIDENCE})")
    p.add_argument("--min-lift", type=float, default=DEFAULT_MIN_LIFT, metavar="L",
                   help=f"(default {DEFAULT_MIN_LIFT})")
    p.add_argument("--max-len", type=int, default=DEFAULT_MAX_LEN, metavar="N",
                   help=f"longest itemset; 0 for no limit (default {DEFAULT_MAX_LEN})")
    p.add_argument("--exclude", action="append", default=[], metavar="ID",
                   help="product id to leave out of mining (repeatable)")
    p.add_argument("--sort-by", choices=SORTABLE, default="confidence", metavar="MEASURE",
                   help=f"one of {', '.join(MEASURE_COLUMNS)}, rule_count (default confidence)")
    p.add_argument("--item", metavar="ID_OR_WORD",
                   help="only rules mentioning this product id, or products whose title has this word")
    p.add_argument("--top", type=int, default=20, metavar="N", help="rules to print (default 20)")
    p.add_argument("--csv", metavar="FILE", help="also write all matching rules to FILE")
    p.add_argument("--engine", choices=["local", "spark"], default="local",
                   help="local (pyfim, fast) or spark (pyspark FPGrowth); same results")
    p.add_argument("--spark-master", metavar="URL", help="Spark master (default local[2])")
    p.add_argument("--save", action="store_true",
                   help="save the rules under the data root for the assistant to use")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from retrieval.rules import MiningParams, mine_rules, save_rules

    if args.top < 1:
        raise ConfigError(f"--top must be >= 1, got {args.top}")
    params = MiningParams(
        min_support=args.min_support, min_confidence=args.min_confidence,
        min_lift=args.min_lift, max_len=args.max_len or None, exclude=frozenset(args.exclude),
    )
    resolved = resolve_dataset(args.dataset, args.home)
    print(resolved.describe())
    dataset = resolved.dataset
    started = time.perf_counter()
    ruleset = mine_rules(dataset.baskets, params, engine=args.engine, spark_master=args.spark_master)
    elapsed = time.perf_counter() - started
    print(f"{len(ruleset.itemsets)} frequent itemsets and {len(ruleset)} rules from "
          f"{ruleset.n_baskets} baskets (min support {ruleset.min_count} baskets, "
          f"min confidence {params.min_confidence:g}, engine {ruleset.engine}, {elapsed:.1f} s)")
    titles = dataset.catalogue.frame["title"].astype(str).to_dict()
    shown = ruleset
    if args.item:
        shown = ruleset.involving(_resolve(args.item, titles))
        print(f"{len(shown)} rules mention {args.item!r}")
    from retrieval.rules.ruleset import sort_rules

    frame = sort_rules(shown.rules, args.sort_by)
    print(_table(frame.head(args.top), titles))
    if args.csv:
        out = frame.assign(
            antecedent=frame["antecedent"].map(" + ".join),
            antecedent_titles=frame["antecedent"].map(lambda a: " + ".join(titles.get(i, i) for i in a)),
            consequent_title=frame["consequent"].map(lambda c: titles.get(c, c)),
        )
        out.to_csv(args.csv, index=False)
        print(f"wrote {len(out)} rules to {args.csv}")
    if args.save:
        folder = save_rules(ruleset, args.home, fingerprint=dataset.fingerprint())
        print(f"saved {len(ruleset)} rules to {folder}")
    return 0


def _resolve(query: str, titles: dict[str, str]) -> set[str]:
    """A product id as given, else every product whose title contains the word(s)."""
    if query in titles:
        return {query}
    word = query.casefold()
    found = {pid for pid, title in titles.items() if word in title.casefold()}
    if not found:
        raise NotFoundError(f"no product id or title matches {query!r}")
    return found


def _table(frame, titles: dict[str, str]) -> str:
    def name(item: str) -> str:
        # Shorten the title, never the id: the id is what a person copies into --item.
        title = titles.get(item, "")
        room = max(8, TITLE_WIDTH - len(item) - 3)
        if len(title) > room:
            title = title[: room - 1] + "…"
        return f"{title} [{item}]" if title else item

    if frame.empty:
        return "(no rules)"
    rows = [("#", "if the basket has", "then also", "supp", "conf", "lift", "count")]
    for k, r in enumerate(frame.itertuples(index=False), 1):
        rows.append((str(k), " + ".join(name(i) for i in r.antecedent), name(r.consequent),
                     f"{r.support:.3f}", f"{r.confidence:.2f}", f"{r.lift:.1f}", str(r.rule_count)))
    widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
                     for row in rows)

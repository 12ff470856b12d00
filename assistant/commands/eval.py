"""`shopassist eval`: offline evaluation of every registered recommender on the temporal split."""

from __future__ import annotations

import argparse
import logging
import time

log = logging.getLogger(__name__)


def register(subparsers, parents) -> None:
    p = subparsers.add_parser(
        "eval",
        parents=parents,
        help="compare recommenders offline on a temporal hold-out",
        description=(
            "Fit every recommender on the baskets before the cut (last day minus 3 months) and "
            "rank items for each customer's next basket after it. Prints a table and writes "
            "JSON and a PNG chart."
        ),
    )
    p.add_argument(
        "--dataset",
        metavar="DIR",
        help="a cleaned dataset folder (default: <home>/dataset if saved, else the bundled "
        "Online Retail data)",
    )
    p.add_argument(
        "--k", nargs="+", type=int, default=[5, 10, 20], metavar="K", help="cut-offs (5 10 20)"
    )
    p.add_argument("--json", metavar="FILE", help="results JSON (default <home>/eval/results.json)")
    p.add_argument("--png", metavar="FILE", help="bar chart (default <home>/eval/results.png)")
    p.add_argument("--only", nargs="+", metavar="NAME", help="evaluate only these recommenders")
    p.add_argument(
        "--split",
        choices=["test", "validation"],
        default="test",
        help="the test split, or the validation split (test period removed) for tuning",
    )
    p.add_argument(
        "--cuts",
        type=int,
        default=1,
        metavar="N",
        help="evaluate at N cuts a month apart (the latest first) and pool their customers: "
        "N times the time, narrower intervals (default 1)",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from retrieval.config import data_root
    from retrieval.datasets import resolve_dataset
    from retrieval.errors import ConfigError
    from retrieval.evaluation import run_evaluation

    if any(k <= 0 for k in args.k):
        raise ConfigError("--k values must be positive integers")
    if args.cuts < 1:
        raise ConfigError("--cuts must be 1 or more")
    start = time.perf_counter()
    resolved = resolve_dataset(args.dataset, args.home)
    print(resolved.describe())
    dataset = resolved.dataset
    results = run_evaluation(
        dataset, names=args.only, ks=args.k, split=args.split, home=data_root(args.home),
        cuts=args.cuts,
    )
    out = data_root(args.home) / "eval"
    suffix = "" if args.split == "test" else f"-{args.split}"
    json_path = results.save_json(args.json or out / f"results{suffix}.json")
    png_path = results.plot(args.png or out / f"results{suffix}.png", keys=_chart_keys(args.k))
    print(results.table())
    print(f"\nwrote {json_path}\nwrote {png_path}")
    log.info("evaluation took %.1f s", time.perf_counter() - start)
    return 0


def _chart_keys(ks: list[int]) -> tuple[str, str]:
    k = 10 if 10 in ks else max(ks)
    return (f"ndcg@{k}", f"recall@{k}")

"""Try ranker features and settings on the evaluation's own candidates, in minutes not hours.

`dump` fits every source exactly as `shopassist eval`'s hybrid does (on the inner cut for the
training rows, on the test split's train part for the test rows) and saves each shopper's
candidates, feature rows, target and dated history. `run` then trains LightGBM per variant
on those rows and scores the test rows with the evaluation's NDCG@10 and Recall@10, so a new
feature is judged without refitting any source. The variant `base` reproduces the hybrid's
figures of a full evaluation run on the same machine (checked on the bundled shop: 0.2882 /
0.0932 both ways, 2026-12-02).

    python -m bench.ranker_ablation dump --dataset DIR --home H --out rows.pkl
    python -m bench.ranker_ablation run rows.pkl --dataset DIR --home H --variants base,age,km150 \
        [--write "shop name"]   # the table into bench/RESULTS.md

Variants (joined with "+"): `base`; `age` (days since the item's first and last sale in the
shop); `catalogue` / `kmN` (the shopper's rhythm over the product's catalogue category, or
over N k-means clusters of the product vectors: share of their baskets holding the group,
days since, days since over their own interval); `carry` (how often the item, across
shoppers and for this one, is in the basket after a basket holding it; the shopper's overall
carry-over; how many of their last 1 / 3 / 5 baskets hold it); `trans` (next-basket
transitions from the shopper's latest baskets' items, FPMC-style: mean, max and lift of
P(candidate next | item now)); `adopt` (shoppers who first bought the item in the last 28
days); `labK` (graded training labels: 2 for the next basket, 1 for the K-1 baskets after
it); `refit` (retrained on every shopper for the rounds the held-out fifth chose); `bagK`
(K boosters, each with its own held-out fifth, averaged); `p:key=value;...` (LightGBM
parameters). `labK` needs rows dumped with customer ids (this version of `dump`).
"""

from __future__ import annotations

import argparse
import logging
import pickle
import time

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)
ABOUT = ("Each variant retrains both modes' LambdaRank models on the saved inner-cut rows "
         "(`dump`: the same sources, candidates and features as the evaluation's hybrid) and scores "
         "the saved test rows. `base` is the served ranker: on the bundled shop its figures equal "
         "the full evaluation's, on Complete Journey they are within 0.001 (LightGCN trains to a "
         "time budget). LightGBM's seed alone (`p:seed=...`) moves NDCG@10 by up to 0.0016 on the "
         "bundled shop in this run (0.003 in an earlier one) and 0.002 on Complete Journey: that "
         "is this table's noise floor. Rows made by "
         "`python -m bench.ranker_ablation dump --dataset D --home H --out ROWS`.")
DAY = 86400.0


def dump(dataset_dir: str, home: str, out: str) -> None:
    from retrieval.dataset import Dataset
    from retrieval.evaluation.cases import make_split, mode_cases
    from retrieval.evaluation.hybrid import EVAL_RULE_PARAMS, catalogue_vectors
    from retrieval.evaluation.split import temporal_split
    from retrieval.ranking.features import FeatureSpace
    from retrieval.ranking.fitting import fit_retriever, item_stats
    from retrieval.ranking.items import ItemStats
    from retrieval.ranking.ranker import DEFAULT_SETTINGS, candidate_features, day_after
    from retrieval.ranking.training import request_context
    from retrieval.recommend.threads import blas_threads

    dataset = Dataset.load(dataset_dir)
    catalogue = dataset.catalogue
    vectors = catalogue_vectors(catalogue, home)
    split = make_split(dataset, "test")
    depth = DEFAULT_SETTINGS.depth

    def rows(retriever, stats, sp, now, sample: int):
        space = FeatureSpace.of(retriever)
        found = {}
        for mode in ("all", "new"):
            histories, targets, _ = mode_cases(sp, mode)
            cases = list(zip(histories, targets, strict=True))
            step = max(1, -(-len(cases) // sample)) if sample else 1  # as train_ranker samples
            got, started = [], time.perf_counter()
            for history, target in cases[::step]:
                request = request_context(retriever, history.baskets, now, mode, depth)
                lists = retriever.source_lists(request, depth)
                ids, x, _ = candidate_features(space, stats, retriever.vectors.matrix, request.ctx, lists)
                dated = [(b.timestamp, list(dict.fromkeys(b.items))) for b in history.baskets]
                got.append((ids, x, tuple(target), dated, history.customer_id))
            log.info("%s: %d shoppers in %.0f s", mode, len(got), time.perf_counter() - started)
            found[mode] = got
        return found, space.names

    ids = [str(i) for i in catalogue.frame.index]
    prices = catalogue.frame["price"].to_numpy(float)
    with blas_threads():
        inner = temporal_split(split.train, DEFAULT_SETTINGS.label_months, name="ranker")
        stats = ItemStats.compute(inner.train, ids, prices, inner.cut)
        train, names = rows(fit_retriever(inner.train, catalogue, vectors, EVAL_RULE_PARAMS, stats=stats),
                            stats, inner, inner.cut, DEFAULT_SETTINGS.max_shoppers)
        stats = item_stats(split.train, catalogue)
        now = day_after(split.train)
        test, _ = rows(fit_retriever(split.train, catalogue, vectors, EVAL_RULE_PARAMS, stats=stats),
                       stats, split, now, 0)
    with open(out, "wb") as f:
        pickle.dump({"train": train, "test": test, "names": names, "inner_cut": inner.cut, "cut": now}, f)


class Extras:
    """Extra feature columns for the saved rows, as of each rows' own moment."""

    def __init__(self, dataset_dir: str, home: str, variants: list[str]) -> None:
        from retrieval.dataset import Dataset

        self.dataset = Dataset.load(dataset_dir)
        self.home = home
        frame = self.dataset.catalogue.frame
        self.ids = [str(i) for i in frame.index]
        self.pos = {p: i for i, p in enumerate(self.ids)}
        kinds = {part for v in variants if not v.startswith("p:") for part in v.split("+")}
        self.groups = {k: self._groups(k) for k in kinds if k == "catalogue" or k.startswith("km")}
        self._ages: dict[pd.Timestamp, tuple[np.ndarray, np.ndarray]] = {}
        self._item_cols: dict[tuple[str, pd.Timestamp], np.ndarray] = {}

    def _known_lines(self, now: pd.Timestamp) -> pd.DataFrame:
        lines = self.dataset.baskets.lines
        lines = lines[(lines["timestamp"] < now) & lines["customer_id"].notna()]
        lines = lines.drop_duplicates(["basket_id", "product_id"])
        col = lines["product_id"].astype(str).map(self.pos)
        return lines[col.notna().to_numpy()].assign(_c=col[col.notna()].astype(np.int64).to_numpy())

    @staticmethod
    def _basket_order(lines: pd.DataFrame) -> pd.DataFrame:
        """One row per basket in `lines`, each shopper's baskets oldest first, numbered from 0."""
        order = lines[["customer_id", "basket_id", "timestamp"]].drop_duplicates("basket_id")
        return order.sort_values(["customer_id", "timestamp"], kind="stable").reset_index(drop=True)

    def carry(self, now: pd.Timestamp) -> np.ndarray:
        """Per item: the share of its purchases (a shopper's basket holding it, with a later
        basket) whose shopper's next basket held it too."""
        key = ("carry", now)
        if key not in self._item_cols:
            lines = self._known_lines(now)
            order = self._basket_order(lines)
            order["_r"] = order.groupby("customer_id").cumcount()
            last = order.groupby("customer_id")["_r"].transform("max")
            order["_last"] = order["_r"] == last
            lines = lines.merge(order[["basket_id", "_r", "_last"]], on="basket_id")
            occ = lines[~lines["_last"]]
            nxt = lines[["customer_id", "_r", "_c"]].assign(_r=lines["_r"] - 1)
            both = occ.merge(nxt, on=["customer_id", "_r", "_c"])
            n = len(self.ids)
            a = np.bincount(occ["_c"], minlength=n).astype(float)
            b = np.bincount(both["_c"], minlength=n).astype(float)
            self._item_cols[key] = np.where(a > 0, b / np.maximum(a, 1), np.nan)
        return self._item_cols[key]

    def adopters(self, now: pd.Timestamp) -> np.ndarray:
        """Per item: shoppers whose first purchase of it fell in the last 28 days, as a share
        of all baskets then, and as a share of its buyers then."""
        key = ("adopt", now)
        if key not in self._item_cols:
            lines = self._known_lines(now)
            first = lines.groupby(["_c", "customer_id"])["timestamp"].min()
            since = now - pd.Timedelta(days=28)
            recent = lines[lines["timestamp"] >= since]
            n = len(self.ids)
            new = np.bincount(first[first >= since].index.get_level_values(0), minlength=n).astype(float)
            buyers = np.bincount(recent.drop_duplicates(["_c", "customer_id"])["_c"], minlength=n).astype(float)
            baskets = max(1, recent["basket_id"].nunique())
            self._item_cols[key] = np.column_stack([new / baskets, np.where(buyers > 0, new / np.maximum(buyers, 1), np.nan)])
        return self._item_cols[key]

    def transitions(self, now: pd.Timestamp):
        """Item-to-next-basket transitions over every shopper's consecutive baskets before
        `now`: T[i, j] = P(j in the next basket | i in this one), and each j's base rate."""
        key = ("trans", now)
        if key not in self._item_cols:
            from scipy import sparse

            lines = self._known_lines(now)
            order = self._basket_order(lines)
            order["_row"] = np.arange(len(order))
            same = order["customer_id"].to_numpy()[1:] == order["customer_id"].to_numpy()[:-1]
            rows = lines["basket_id"].map(order.set_index("basket_id")["_row"]).to_numpy()
            n, m = len(self.ids), len(order)
            x = sparse.csr_matrix((np.ones(len(rows)), (rows, lines["_c"].to_numpy())), shape=(m, n))
            has_next = np.flatnonzero(same)
            t = (x[has_next].T @ x[has_next + 1]).tocsr()
            occ = np.asarray(x[has_next].sum(axis=0)).ravel()
            t = sparse.diags(1.0 / np.maximum(occ, 1)) @ t
            base = np.asarray(x[has_next + 1].sum(axis=0)).ravel() / max(1, len(has_next))
            self._item_cols[key] = (t.tocsr(), base)
        return self._item_cols[key]

    def trans_features(self, candidates, at: np.ndarray, history, now) -> np.ndarray:
        t, base = self.transitions(now)
        out = np.full((len(candidates), 4), np.nan)
        if not history:
            return out
        weights = np.zeros(len(self.ids))
        for age, (_, items) in enumerate(reversed(history[-3:])):
            rows = [self.pos[p] for p in items if p in self.pos]
            if rows:
                weights[rows] += 0.6 ** age / len(rows)
        last = [self.pos[p] for p in history[-1][1] if p in self.pos]
        if last:
            block = t[last][:, at].toarray()
            out[:, 0] = block.mean(axis=0)
            out[:, 1] = block.max(axis=0)
            out[:, 2] = out[:, 0] / np.maximum(base[at], 1e-6)
        out[:, 3] = (t.T @ weights)[at]
        return out

    def later_baskets(self, start, end, k: int) -> dict[str, list[set]]:
        """Each customer's first `k` baskets in [start, end), oldest first, as sets of ids."""
        lines = self.dataset.baskets.lines
        lines = lines[(lines["timestamp"] >= start) & (lines["timestamp"] < end) & lines["customer_id"].notna()]
        first = lines.groupby("basket_id")["timestamp"].transform("min")
        lines = lines.assign(_t=first).sort_values(["customer_id", "_t", "basket_id"], kind="stable")
        out: dict[str, list[set]] = {}
        for (cust, _), group in lines.groupby(["customer_id", "basket_id"], sort=False):
            got = out.setdefault(str(cust), [])
            if len(got) < k:
                got.append(set(group["product_id"].astype(str)))
        return out

    @staticmethod
    def own_carry(candidates, history) -> np.ndarray:
        """The shopper's own carry-over: for each candidate, the share of their baskets holding
        it (but the latest) whose next basket held it too; their overall carry share; and how
        many of their last 1 / 3 / 5 baskets hold it."""
        sets = [set(items) for _, items in history]
        out = np.full((len(candidates), 5), np.nan)
        if not sets:
            return out
        held: dict[str, list[int]] = {}
        for t, items in enumerate(sets):
            for p in items:
                held.setdefault(p, []).append(t)
        pairs = [len(a & b) / len(a) for a, b in zip(sets[:-1], sets[1:], strict=True) if a]
        last = len(sets) - 1
        for j, c in enumerate(candidates):
            at = held.get(c, [])
            before = [t for t in at if t < last]
            if before:
                out[j, 0] = sum(1 for t in before if c in sets[t + 1]) / len(before)
            out[j, 2:] = [sum(1 for t in at if t > last - k) for k in (1, 3, 5)]
        out[:, 1] = float(np.mean(pairs)) if pairs else np.nan
        return out

    def _groups(self, kind: str) -> np.ndarray:
        frame = self.dataset.catalogue.frame
        if kind == "catalogue":
            names = frame["category"].fillna("").astype(str)
            codes, _ = pd.factorize(names)
            return np.where(names.to_numpy() == "", -1, codes)
        from sklearn.cluster import MiniBatchKMeans

        from retrieval.evaluation.hybrid import catalogue_vectors

        vectors = catalogue_vectors(self.dataset.catalogue, self.home)
        order = {p: i for i, p in enumerate(vectors.ids)}
        matrix = vectors.matrix[[order[p] for p in self.ids]]
        return MiniBatchKMeans(int(kind[2:]), random_state=7, n_init=3, batch_size=4096).fit_predict(matrix)

    def ages(self, now: pd.Timestamp) -> tuple[np.ndarray, np.ndarray]:
        if now not in self._ages:
            lines = self.dataset.baskets.lines
            lines = lines[lines["timestamp"] < now]
            span = lines.groupby(lines["product_id"].astype(str))["timestamp"].agg(["min", "max"])
            first, last = np.full(len(self.ids), np.nan), np.full(len(self.ids), np.nan)
            at = np.array([self.pos.get(p, -1) for p in span.index])
            ok = at >= 0
            first[at[ok]] = (now - span["min"][ok]).dt.total_seconds().to_numpy() / DAY
            last[at[ok]] = (now - span["max"][ok]).dt.total_seconds().to_numpy() / DAY
            self._ages[now] = (first, last)
        return self._ages[now]

    def group_rhythm(self, candidates, history, now, codes: np.ndarray) -> np.ndarray:
        seen: dict[int, list[float]] = {}  # group -> [baskets, first time, last time]
        for when, items in history:
            t = pd.Timestamp(when).timestamp()
            for g in {int(codes[self.pos[p]]) for p in items if p in self.pos}:
                r = seen.setdefault(g, [0, t, t])
                r[0] += 1
                r[2] = t
        end = pd.Timestamp(now).timestamp()
        out = np.full((len(candidates), 3), np.nan)
        out[:, 0] = 0.0
        for j, c in enumerate(candidates):
            r = seen.get(int(codes[self.pos[c]]))
            if r is None:
                continue
            out[j, 0] = r[0] / max(1, len(history))
            out[j, 1] = (end - r[2]) / DAY
            if r[0] > 1 and r[2] > r[1]:
                out[j, 2] = out[j, 1] / ((r[2] - r[1]) / DAY / (r[0] - 1))
        return out

    def rows(self, part, now, variant: str) -> list[np.ndarray]:
        kinds = [] if variant.startswith("p:") else [k for k in variant.split("+") if k != "refit" and not k.startswith("bag")]
        out = []
        for candidates, x, _, history, *_ in part:
            cols = [x]
            at = np.array([self.pos[c] for c in candidates], dtype=np.int64)  # catalogue positions
            for kind in kinds:
                if kind in self.groups:
                    cols.append(self.group_rhythm(candidates, history, now, self.groups[kind]))
                elif kind == "carry":
                    cols.append(np.column_stack([self.carry(now)[at], self.own_carry(candidates, history)]))
                elif kind == "trans":
                    cols.append(self.trans_features(candidates, at, history, now))
                elif kind == "adopt":
                    cols.append(self.adopters(now)[at])
                elif kind == "age":
                    first, last = self.ages(now)
                    cols.append(np.column_stack([first[at], last[at]]))
            out.append(np.hstack(cols).astype(np.float32))
        return out


def labels_from(candidates, baskets: list[set], y: np.ndarray) -> np.ndarray:
    """Graded labels: 2 for the next basket's items (`y`), 1 for the items of the baskets after it."""
    out = 2 * y
    rest = set().union(*baskets[1:]) if len(baskets) > 1 else set()
    for j, c in enumerate(candidates):
        if not out[j] and c in rest:
            out[j] = 1
    return out


class Bag:
    """Boosters averaged (each early-stopped on its own held-out fifth)."""

    def __init__(self, boosters) -> None:
        self.boosters = boosters

    def predict(self, x):
        return np.mean([b.predict(x) for b in self.boosters], axis=0)

    def current_iteration(self) -> int:
        return sum(b.current_iteration() for b in self.boosters)


def booster_for(data, mode: str, variant: str):
    """`fit_booster` with a variant's LightGBM parameters set for this one fit."""
    import retrieval.ranking.model as model

    saved, saved_modes = dict(model.PARAMS), {k: dict(v) for k, v in model.MODE_PARAMS.items()}
    try:
        if variant.startswith("p:"):
            for pair in variant[2:].split(";"):
                key, raw = pair.split("=")
                value: object = raw
                for kind in (int, float):
                    try:
                        value = kind(raw)
                        break
                    except ValueError:
                        continue
                model.PARAMS[key] = value
                for per_mode in model.MODE_PARAMS.values():
                    per_mode.pop(key, None)
            if model.PARAMS["objective"] == "binary":
                model.PARAMS["metric"] = "auc"
        rounds = model.PARAMS.pop("rounds", 300)
        bags = [int(k[3:]) for k in variant.split("+") if k.startswith("bag")]
        if bags:
            return Bag([model.fit_booster(data, rounds, mode=mode, seed=7 + 1000 * i) for i in range(bags[0])])
        booster = model.fit_booster(data, rounds, mode=mode)
        if "refit" in variant.split("+"):  # again on every shopper, for the rounds the held-out fifth chose
            import lightgbm as lgb

            rounds = max(10, round(booster.current_iteration() * 1.25))
            params = {**model.PARAMS, **model.MODE_PARAMS.get(mode, {}), "num_threads": 1}
            booster = lgb.train(params, lgb.Dataset(data.features, data.labels, group=data.groups),
                                num_boost_round=rounds)
        return booster
    finally:
        model.PARAMS.clear()
        model.PARAMS.update(saved)
        model.MODE_PARAMS.clear()
        model.MODE_PARAMS.update(saved_modes)


def run(rows_file: str, dataset_dir: str, home: str, variants: list[str]) -> dict[str, dict]:
    from retrieval.evaluation.metrics import ndcg_at_k, recall_at_k
    from retrieval.ranking.model import TrainingData

    with open(rows_file, "rb") as f:
        saved = pickle.load(f)
    extras = Extras(dataset_dir, home, variants)
    results = {}
    for variant in variants:
        result = {}
        later = None
        lab = [k for k in variant.split("+") if k.startswith("lab")]
        if lab:
            later = extras.later_baskets(saved["inner_cut"], saved["cut"], int(lab[0][3:]))
        for mode in ("all", "new"):
            train, test = saved["train"][mode], saved["test"][mode]
            xs, ys, groups = [], [], []
            for (candidates, _, target, _, *who), x in zip(train, extras.rows(train, saved["inner_cut"], variant),
                                                     strict=True):
                y = np.array([c in set(target) for c in candidates], np.float32)
                if later is not None and who:
                    y = labels_from(candidates, later.get(who[0], []), y)
                if y.sum():
                    xs.append(x)
                    ys.append(y)
                    groups.append(len(candidates))
            booster = booster_for(TrainingData(np.vstack(xs), np.concatenate(ys), groups, len(groups)), mode,
                                  variant)
            ndcg = recall = 0.0
            for (candidates, _, target, *_), x in zip(test, extras.rows(test, saved["cut"], variant), strict=True):
                shown: list[str] = []
                if candidates:
                    order = np.lexsort((np.array(candidates), -booster.predict(x)))[:10]
                    shown = [candidates[i] for i in order]
                ndcg += ndcg_at_k(shown, target, 10)
                recall += recall_at_k(shown, target, 10)
            result[mode] = {"ndcg@10": round(ndcg / len(test), 4), "recall@10": round(recall / len(test), 4),
                            "rounds": booster.current_iteration()}
        results[variant] = result
        print(variant, result, flush=True)  # noqa: T201 - a bench's report
    return results


def table(results: dict[str, dict]) -> str:
    base = results.get("base")
    head = ["variant", "all ndcg@10", "all recall@10", "new ndcg@10", "new recall@10"]
    if base:
        head += ["ndcg@10 vs base, all / new"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for variant, r in results.items():
        cells = [f"`{variant}`", *(f"{r[m][k]:.4f}" for m in ("all", "new") for k in ("ndcg@10", "recall@10"))]
        if base:
            cells.append(" / ".join(f"{r[m]['ndcg@10'] / base[m]['ndcg@10']:.3f}x" for m in ("all", "new")))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump")
    d.add_argument("--dataset", required=True)
    d.add_argument("--home", required=True)
    d.add_argument("--out", required=True)
    r = sub.add_parser("run")
    r.add_argument("rows")
    r.add_argument("--dataset", required=True)
    r.add_argument("--home", required=True)
    r.add_argument("--variants", default="base")
    r.add_argument("--write", metavar="SHOP", help="write the table into bench/RESULTS.md under this shop's name")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    if args.command == "dump":
        dump(args.dataset, args.home, args.out)
    else:
        results = run(args.rows, args.dataset, args.home, args.variants.split(","))
        if args.write:
            from bench._results import write_section

            write_section(f"Ranker ablation: {args.write}",
                          f"python -m bench.ranker_ablation run ROWS --dataset D --home H --variants {args.variants}",
                          ABOUT + "\n\n" + table(results))


if __name__ == "__main__":
    main()

"""What an evaluation run produces: figures per recommender and mode, as JSON, text and PNG."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..storage import write_json_atomic
from .compare import PeerComparison
from .metrics import METRICS, metric_key

# The two ways every figure is reported (see runner.py for the exact definitions).
MODES = ("all", "new")
MODE_TITLES = {
    "all": "all items of the next basket",
    "new": "items new to the customer (past items excluded from the lists)",
}
SHORT = {
    "precision": "prec",
    "recall": "recall",
    "f1": "f1",
    "ndcg": "ndcg",
    "map": "map",
    "hit": "hit",
    "coverage": "cov",
}


@dataclass
class ModeResult:
    """One recommender's averaged metrics in one mode."""

    recommender: str
    mode: str
    users: int
    metrics: dict[str, float]


@dataclass
class Timing:
    recommender: str
    fit_seconds: float
    recommend_seconds: float


@dataclass
class EvalResults:
    split: dict[str, object]
    ks: tuple[int, ...]
    catalogue_size: int
    users: dict[str, int]
    rows: list[ModeResult] = field(default_factory=list)
    timings: list[Timing] = field(default_factory=list)
    # The hybrid against the best peer per mode and metric (empty when either is missing).
    comparisons: list[PeerComparison] = field(default_factory=list)
    # Over several cuts: the same comparison at each cut alone, to show how far it moves.
    cut_comparisons: list[PeerComparison] = field(default_factory=list)
    # Each (recommender, mode)'s per-case values and each mode's case customers, in one order,
    # for paired comparisons of any two rows (`compare.paired_ratio`); not saved.
    per_user: dict[tuple[str, str], dict[str, list[float]]] = field(default_factory=dict, repr=False)
    clusters: dict[str, list[str]] = field(default_factory=dict, repr=False)

    @property
    def recommenders(self) -> list[str]:
        return list(dict.fromkeys(r.recommender for r in self.rows))

    def get(self, recommender: str, mode: str, key: str) -> float:
        """One figure, e.g. ``get("repeat", "all", "ndcg@10")``."""
        for row in self.rows:
            if row.recommender == recommender and row.mode == mode:
                return row.metrics[key]
        raise KeyError(f"no result for {recommender!r} in mode {mode!r}")

    def best(self, key: str = "ndcg@10", mode: str = "all") -> str:
        """The recommender with the highest `key` in `mode` (first registered on ties)."""
        rows = [r for r in self.rows if r.mode == mode]
        if not rows:
            raise KeyError(f"no results in mode {mode!r}")
        return max(rows, key=lambda r: r.metrics[key]).recommender

    @property
    def cut_text(self) -> str:
        """"cut 2011-09-09", or over several cuts "cuts 2011-09-09, 2011-08-09, ..."."""
        cuts = self.split.get("cuts")
        if isinstance(cuts, list) and len(cuts) > 1:
            return "cuts " + ", ".join(str(c.get("cut"))[:10] for c in cuts)
        return f"cut {str(self.split.get('cut'))[:10]}"

    @property
    def case_unit(self) -> str:
        """What a mode's count counts: users, or over several cuts their next baskets."""
        return "next baskets" if self.cut_text.startswith("cuts ") else "users"

    def to_dict(self) -> dict:
        return {
            "split": self.split,
            "ks": list(self.ks),
            "catalogue_size": self.catalogue_size,
            "users": self.users,
            "rows": [asdict(r) for r in self.rows],
            "timings": [asdict(t) for t in self.timings],
            "comparisons": [asdict(c) for c in self.comparisons],
            "cut_comparisons": [asdict(c) for c in self.cut_comparisons],
        }

    @classmethod
    def from_dict(cls, d: dict) -> EvalResults:
        return cls(
            split=d["split"],
            ks=tuple(d["ks"]),
            catalogue_size=d["catalogue_size"],
            users=d["users"],
            rows=[ModeResult(**r) for r in d["rows"]],
            timings=[Timing(**t) for t in d["timings"]],
            # Results saved before the comparisons existed read as having none.
            comparisons=[PeerComparison(**c) for c in d.get("comparisons", [])],
            cut_comparisons=[PeerComparison(**c) for c in d.get("cut_comparisons", [])],
        )

    def save_json(self, path: str | os.PathLike[str]) -> Path:
        return write_json_atomic(path, self.to_dict())

    def table(self) -> str:
        """Plain-text tables: one block per mode and k, rows = recommenders."""
        s = self.split
        lines = [
            f"Offline evaluation on the {s.get('name')} split: {self.cut_text},"
            f" {s.get('train_baskets', 0):,} train baskets, catalogue {self.catalogue_size:,} items",
        ]
        width = max([len("recommender"), *(len(n) for n in self.recommenders)])
        header = f"{'recommender':<{width}}" + "".join(f"{SHORT[m]:>8}" for m in METRICS)
        for mode in MODES:
            if mode not in self.users:
                continue
            lines += ["", f"== {mode}: {MODE_TITLES[mode]} ({self.users[mode]:,} {self.case_unit}) =="]
            for k in self.ks:
                lines += ["", f"@{k}", header]
                for row in (r for r in self.rows if r.mode == mode):
                    cells = "".join(f"{row.metrics[metric_key(m, k)]:>8.4f}" for m in METRICS)
                    lines.append(f"{row.recommender:<{width}}{cells}")
        if self.timings:
            lines += ["", "seconds (fit / recommend, both modes)"]
            for t in self.timings:
                lines.append(
                    f"{t.recommender:<{width}}{t.fit_seconds:>8.1f}{t.recommend_seconds:>8.1f}"
                )
        if self.comparisons:
            lines += ["", "against the best peer (95% paired bootstrap interval over the test customers)"]
            lines += [c.line for c in self.comparisons]
        if self.cut_comparisons:
            lines += ["", "at each cut alone"]
            lines += [c.line for c in self.cut_comparisons]
        return "\n".join(lines)

    def caption(self, keys: tuple[str, ...] = ("ndcg@10", "recall@10")) -> str:
        """The comparisons on `keys`, a line each, for under the chart ("" when there are none)."""
        return "\n".join(f"{c.ours} / best peer {c.peer} ({c.mode}, {c.metric}): {c.ratio:.2f}x, "
                         f"95% interval {c.low:.2f}-{c.high:.2f}x" for c in self.comparisons if c.metric in keys)

    def plot(
        self, path: str | os.PathLike[str], keys: tuple[str, ...] = ("ndcg@10", "recall@10")
    ) -> Path:
        """A bar chart per metric key: recommenders on the x axis, one bar per mode."""
        # Figure without pyplot: no global backend switch, safe inside a UI process.
        from matplotlib.figure import Figure

        names = self.recommenders
        modes = [m for m in MODES if m in self.users]
        fig = Figure(figsize=(max(6.0, 1.1 * len(names) * len(keys)), 4.2), layout="constrained")
        axes = fig.subplots(1, len(keys), squeeze=False)[0]
        width = 0.8 / max(len(modes), 1)
        for ax, key in zip(axes, keys, strict=True):
            for j, mode in enumerate(modes):
                values = [self.get(n, mode, key) for n in names]
                xs = [i + (j - (len(modes) - 1) / 2) * width for i in range(len(names))]
                bars = ax.bar(xs, values, width, label=f"{mode} ({self.users[mode]:,} {self.case_unit})")
                ax.bar_label(bars, fmt="%.3f", fontsize=7, padding=1)
            ax.set_xticks(range(len(names)), names, rotation=30, ha="right")
            ax.set_title(key)
            ax.set_ylim(bottom=0)
            ax.legend(fontsize=8)
        fig.suptitle(f"{self.split.get('name')} split, {self.cut_text}")
        caption = self.caption(keys)
        if caption:
            fig.supxlabel(caption, fontsize=8)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=120)
        return path

"""Pictures of association rules, for people who would rather look than read: support against
confidence coloured by lift, and the strongest rules around one item as a network."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from .text import shorten

# Lift as bands: Gradio's scatter plot colours by category, and a reader compares bands anyway.
LIFT_BANDS = ((1.0, "lift < 1"), (2.0, "lift 1–2"), (5.0, "lift 2–5"), (20.0, "lift 5–20"),
              (math.inf, "lift ≥ 20"))
BAND_COLOURS = dict(zip([b for _, b in LIFT_BANDS],
                        ["#9e9e9e", "#90caf9", "#42a5f5", "#ef6c00", "#b71c1c"], strict=True))


def lift_band(lift: float) -> str:
    for upper, name in LIFT_BANDS:
        if lift < upper:
            return name
    return LIFT_BANDS[-1][1]


def scatter_frame(rules: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """One row per rule: support, confidence, lift, its band and the rule as a sentence."""
    rows = [{"support": float(r["support"]), "confidence": float(r["confidence"]),
             "lift": round(float(r["lift"]), 2), "lift band": lift_band(float(r["lift"])),
             "rule": shorten(r.get("text", ""), 140)} for r in rules]
    return pd.DataFrame(rows, columns=["support", "confidence", "lift", "lift band", "rule"])


def rule_network(centre: str, rules: Sequence[Mapping[str, Any]],
                 title_of: Callable[[str], str], max_nodes: int = 14) -> Figure:
    """The strongest rules around `centre` (a product id): items as nodes on a circle around
    it, an arrow from each "if bought" item to the "then" item, wider for higher confidence
    and coloured by lift."""
    from matplotlib import cm, colormaps, colors

    fig = Figure(figsize=(7.5, 6.0), layout="constrained")
    ax = fig.subplots()
    ax.set_axis_off()
    nodes = [centre]
    edges: list[tuple[str, str, float, float]] = []
    for r in rules:
        ends = [*r["antecedent"], r["consequent"]]
        if len(set(nodes) | set(ends)) > max_nodes:
            continue
        nodes += [n for n in ends if n not in nodes]
        edges += [(a, r["consequent"], float(r["confidence"]), float(r["lift"]))
                  for a in r["antecedent"] if a != r["consequent"]]
    if not edges:
        ax.text(0.5, 0.5, "no rules around this item at these thresholds", ha="center",
                va="center", transform=ax.transAxes, parse_math=False)
        return fig
    ring = nodes[1:]
    place = {centre: (0.0, 0.0)}
    for i, n in enumerate(ring):
        angle = 2 * math.pi * i / len(ring) + math.pi / 2
        place[n] = (math.cos(angle), math.sin(angle))
    lifts = [e[3] for e in edges]
    norm = colors.Normalize(vmin=min(lifts), vmax=max(max(lifts), min(lifts) + 1e-9))
    cmap = colormaps["viridis"]
    for a, c, confidence, lift in sorted(edges, key=lambda e: e[3]):
        ax.annotate("", xy=place[c], xytext=place[a], arrowprops={
            "arrowstyle": "-|>", "color": cmap(norm(lift)), "lw": 0.8 + 4.0 * confidence,
            "alpha": 0.85, "shrinkA": 14, "shrinkB": 14, "connectionstyle": "arc3,rad=0.08"})
    for n, (x, y) in place.items():
        ax.scatter([x], [y], s=420 if n == centre else 220, zorder=3,
                   color="#ef6c00" if n == centre else "#42a5f5", edgecolors="white")
        # parse_math=False: a "$" in a product title is text, not the start of mathtext.
        ax.text(x, y - 0.13, shorten(title_of(n), 26), ha="center", va="top", fontsize=8,
                parse_math=False, zorder=4)
    ax.set_xlim(-1.45, 1.45)
    ax.set_ylim(-1.35, 1.25)
    ax.set_aspect("equal")
    fig.colorbar(cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.7, label="lift")
    ax.set_title(shorten(f"strongest rules around {title_of(centre)}", 70), fontsize=10,
                 parse_math=False)
    return fig

"""The rules explorer of the console: search an item, set minimum support, confidence and lift,
read a sortable table, download it as CSV, and look at the rules as a scatter and a network."""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from assistant import ShoppingAssistant
from retrieval.errors import ShopassistError

from .notify import warn
from .plots import BAND_COLOURS, rule_network, scatter_frame
from .text import csv_cell, markdown_text

SORT_BY = ["lift", "confidence", "support", "leverage", "conviction"]
TABLE_COLUMNS = ["if bought", "then", "support", "confidence", "lift", "leverage", "conviction",
                 "baskets", "if ids", "then id"]
MAX_ROWS = 500
NETWORK_RULES = 12


def slider_ranges(service: ShoppingAssistant) -> dict[str, float]:
    """Upper ends for the sliders from the strongest rules there are (fixed ones without rules)."""
    ranges = {"support": 0.05, "lift": 50.0}
    for key in ranges:
        try:
            top = service.rules(k=1, by=key).get("rules") or []
        except ShopassistError:
            return ranges
        if top:
            ranges[key] = float(top[0][key])
    return ranges


def build_rules_explorer(service: ShoppingAssistant, authorized: gr.State) -> None:
    """Lay out the explorer inside the current Blocks context; every handler checks
    `authorized` (server-side session state set by the console login)."""
    ranges = slider_ranges(service)
    title_of = _title_lookup(service)
    downloads = Path(tempfile.mkdtemp(prefix="shopassist-rules-"))
    # The CSVs must outlive each request (the browser fetches them later), not the server.
    atexit.register(shutil.rmtree, downloads, ignore_errors=True)

    with gr.Row():
        item = gr.Textbox(label="Item (id or part of a title; empty: all rules)",
                          elem_id="rules-item", scale=3)
        side = gr.Radio(["any", "antecedent", "consequent"], value="any", label="Item on side",
                        elem_id="rules-side", scale=2)
        by = gr.Dropdown(SORT_BY, value="lift", label="Strongest by", elem_id="rules-by", scale=1)
    with gr.Row():
        min_support = gr.Slider(0.0, round(ranges["support"], 4), value=0.0,
                                step=_step(ranges["support"]), label="Min support",
                                elem_id="rules-min-support")
        min_confidence = gr.Slider(0.0, 1.0, value=0.0, step=0.01, label="Min confidence",
                                   elem_id="rules-min-confidence")
        min_lift = gr.Slider(0.0, float(int(ranges["lift"]) + 1), value=0.0, step=0.5,
                             label="Min lift", elem_id="rules-min-lift")
        rows = gr.Slider(10, MAX_ROWS, value=100, step=10, label="Rows", elem_id="rules-rows")
    show = gr.Button("Show rules", variant="primary", elem_id="rules-show")
    summary = gr.Markdown(elem_id="rules-summary")
    table = gr.Dataframe(headers=TABLE_COLUMNS, interactive=False, wrap=True, max_height=420,
                         elem_id="rules-table", label="Rules (click a header to sort)")
    csv = gr.DownloadButton("Download CSV", value=None, elem_id="rules-csv", size="sm")
    with gr.Row():
        scatter = gr.ScatterPlot(x="support", y="confidence", color="lift band",
                                 color_map=BAND_COLOURS, tooltip=["rule", "support", "confidence",
                                                                  "lift"],
                                 label="Support and confidence, coloured by lift",
                                 elem_id="rules-scatter", height=440)
        network = gr.Plot(show_label=False, elem_id="rules-network")

    def explore(ok: bool, ref: str, on: str, key: str, support: float, confidence: float,
                lift: float, k: float, request: gr.Request) -> tuple[Any, ...]:
        if not ok:
            warn("Log in to the console first.")
            return (gr.skip(),) * 5
        ref = (ref or "").strip()
        try:
            found = service.rules(ref or None, k=int(k), by=key, side=on, min_support=support,
                                  min_confidence=confidence, min_lift=lift)
        except ShopassistError as exc:
            text = warn(exc)
            return markdown_text(text), _frame([], title_of), None, None, None, None
        rules = found.get("rules") or []
        centre = (found.get("item") or {}).get("product_id")
        frame = _frame(rules, title_of)
        path = _write_csv(frame, downloads, request)
        heading = (f"around {title_of(centre)} ({centre})" if centre else "over all items")
        text = markdown_text(f"{found.get('matched', len(rules)):,} rules {heading}; "
                             f"showing the {len(rules)} strongest by {key}.")
        picture = None
        if centre:
            near = service.rules(centre, k=NETWORK_RULES, by="lift", side="any",
                                 min_support=support, min_confidence=confidence, min_lift=lift)
            picture = rule_network(centre, near.get("rules") or [], title_of)
        return text, frame, gr.DownloadButton(value=str(path)), scatter_frame(rules), picture

    inputs = [authorized, item, side, by, min_support, min_confidence, min_lift, rows]
    outputs = [summary, table, csv, scatter, network]
    # One visible trigger list: the button, Enter in the item box, or letting go of a slider.
    gr.on([show.click, item.submit, min_support.release, min_confidence.release,
           min_lift.release], explore, inputs, outputs, api_visibility="private",
          concurrency_limit=4)


def _frame(rules: list[Mapping[str, Any]], title_of: Callable[[str], str]) -> pd.DataFrame:
    rows = [[" + ".join(title_of(a) for a in r["antecedent"]), title_of(r["consequent"]),
             round(float(r["support"]), 5), round(float(r["confidence"]), 4),
             round(float(r["lift"]), 3), round(float(r.get("leverage", 0.0)), 5),
             _finite(r.get("conviction")), int(r.get("rule_count", 0)),
             " + ".join(r["antecedent"]), r["consequent"]] for r in rules]
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def _finite(value: Any) -> float | None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return round(v, 3) if v != float("inf") else None


def _write_csv(frame: pd.DataFrame, folder: Path, request: gr.Request) -> Path:
    """The table as CSV, one file per browser session (overwritten by its next search)."""
    name = f"rules-{(getattr(request, 'session_hash', None) or 'anon')[:16]}.csv"
    path = folder / name
    frame.map(csv_cell).to_csv(path, index=False)
    return path


def _title_lookup(service: ShoppingAssistant) -> Callable[[str], str]:
    @functools.lru_cache(maxsize=8192)
    def title_of(pid: str) -> str:
        try:
            return str(service.product(pid).get("title", pid))
        except ShopassistError:
            return pid

    return title_of


def _step(upper: float) -> float:
    return max(upper / 100.0, 1e-4)

"""`python -m bench.conversations`: run the shopper tasks and print (and record) the scores."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import sys
import time
from typing import Any

from . import CATEGORIES, Task, run, select, summarise, table


def poisoned(base: Any, poison) -> Any:  # noqa: ANN001 - a Retriever and a tasks.Poison
    """A copy of the retriever whose catalogue carries the planted text (the approach of
    tests/assistant/test_injection_corpus.py): same vectors, rules and co-purchase."""
    from retrieval.products import Catalogue
    from retrieval.recommend import Retriever

    frame = base.catalogue.frame.copy()
    hit = frame["title"].astype(str).str.contains(poison.match, regex=False)
    if "title" in poison.where:
        frame.loc[hit, "title"] = frame.loc[hit, "title"].astype(str) + " " + poison.payload
    if "description" in poison.where:
        frame.loc[hit, "description"] = poison.payload
    dirty = Retriever(Catalogue(frame), base.vectors, encode_query=base.encode_query,
                      weights=base.weights, discover_weights=base.discover_weights, shop=base.shop)
    dirty.sources = dict(base.sources)
    return dirty


class Factory:
    """One assistant per (role, poison), all over the same bundled retriever and model options."""

    def __init__(self, model: str, retriever: Any = None, dataset: Any = None, **options: Any) -> None:
        if retriever is None:
            from bench.bench_agent import build_assistant

            base = build_assistant()
            retriever, dataset = base.retriever, base.dataset
        self.retriever, self.dataset = retriever, dataset
        self.rule_store = None
        # One model for every assistant: an "auto" model probes its server once, as one
        # serving process would (each probe would also evict the server's cached prompt).
        from assistant.agent.models import make_model

        self.model, self.options = make_model(model, **options), {}
        self._retrievers: dict[Any, Any] = {}
        self._shops: dict[Any, Any] = {}

    def __call__(self, task: Task) -> Any:
        from assistant import ShoppingAssistant

        key = (task.role, task.poison.key if task.poison else None)
        if key not in self._shops:
            retriever = self.retriever
            if task.poison is not None:
                if task.poison.key not in self._retrievers:
                    self._retrievers[task.poison.key] = poisoned(self.retriever, task.poison)
                retriever = self._retrievers[task.poison.key]
            self._shops[key] = ShoppingAssistant(retriever, self.dataset, model=self.model, role=task.role,
                                                 rule_store=self.rule_store, **self.options)
        return self._shops[key]


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.conversations", description=__doc__.splitlines()[0])
    p.add_argument("--model", choices=("offline", "openai"), default="offline")
    p.add_argument("--base-url")
    p.add_argument("--model-name")
    p.add_argument("--api-key")
    p.add_argument("--tool-mode", choices=("native", "constrained", "auto"))
    p.add_argument("--serve-gguf", metavar="PATH", help="serve this GGUF with llama.cpp and use --model openai on it")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--only", choices=CATEGORIES, help="one category of tasks")
    p.add_argument("--task", action="append", metavar="NAME",
                   help="only this task (repeatable; a check of a few tasks, so RESULTS.md is left alone)")
    p.add_argument("--json", metavar="FILE", help="per-task results with failures and transcripts")
    p.add_argument("--full-json", action="store_true", help="with --json: keep whole tool results")
    p.add_argument("--no-write", action="store_true", help="leave bench/RESULTS.md alone")
    p.add_argument("-q", "--quiet", action="store_true", help="no per-task progress lines")
    return p.parse_args(argv)


def options(args: argparse.Namespace, base_url: str | None) -> dict[str, Any]:
    if args.model == "offline":
        return {"tool_mode": args.tool_mode} if args.tool_mode else {}
    out: dict[str, Any] = {"base_url": base_url, "model_name": args.model_name, "api_key": args.api_key}
    if args.serve_gguf and not args.api_key:
        out["api_key"] = "local"  # llama.cpp's server wants no key; the client wants one
    if args.tool_mode:
        out["tool_mode"] = args.tool_mode
    return {k: v for k, v in out.items() if v is not None}


def label(args: argparse.Namespace) -> str:
    if args.serve_gguf:
        return os.path.basename(args.serve_gguf)
    if args.model == "openai":
        return f"openai: {args.model_name or os.environ.get('SHOPASSIST_OPENAI_MODEL', 'default')}" + (
            f", {args.tool_mode}" if args.tool_mode else "")
    return "offline"


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.serve_gguf:
        args.model = "openai"
    tasks = select(args.only, names=args.task)
    with contextlib.ExitStack() as stack:
        base_url = args.base_url
        if args.serve_gguf:
            from bench.llm_server import serve  # lazily: only this option needs llama.cpp

            base_url = stack.enter_context(serve(args.serve_gguf))
        t0 = time.perf_counter()
        factory = Factory(args.model, **options(args, base_url))
        print(f"set-up {time.perf_counter() - t0:.1f} s; {len(tasks)} tasks x {args.repeats} repeats", flush=True)
        factory(tasks[0]).chat("warm-up", "a lunch bag under £2")  # the encoder's first query is slow

        def progress(r) -> None:  # noqa: ANN001
            if not args.quiet:
                print(f"  [{r.repeat + 1}] {'pass' if r.passed else 'FAIL'} {r.category:9} {r.task}"
                      + ("" if r.passed else f" -- {r.reason}"), flush=True)

        results = run(factory, tasks, args.repeats, progress)
    summary = summarise(results)
    body = table(summary)
    name = label(args)
    print(f"\nShopper tasks ({name}), {summary['tasks']} tasks x {args.repeats} repeats\n\n{body}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"model": name, "argv": sys.argv, "summary": summary,
                       "results": [r.to_dict(args.full_json) for r in results]}, fh, indent=1, default=str)
        print(f"\nper-task results: {args.json}")
    if not args.no_write and not args.task:
        from bench._results import write_section

        command = ".venv/bin/python -m bench.conversations " + " ".join(
            shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:]) if a)
        failing = "\n".join(f"- `{n}` ({f['category']}, failed {f['failed']}/{f['of']}): {f['reason']}"
                            for n, f in summary["failing"].items())
        write_section(f"Shopper tasks ({name})", _redact(command),
                      f"{summary['tasks']} scripted multi-turn tasks (bench/conversations/tasks.py) over the bundled "
                      f"Online Retail shop, {args.repeats} repeat(s), fresh sessions each; a task passes when every "
                      f"check of every turn passes.\n\n{body}" + (f"\n\nFailing tasks:\n\n{failing}" if failing else ""))
    return 0


def _redact(command: str) -> str:
    """No API key in RESULTS.md."""
    parts = shlex.split(command)
    for i, p in enumerate(parts[:-1]):
        if p == "--api-key":
            parts[i + 1] = "***"
    return " ".join(shlex.quote(p) for p in parts)


if __name__ == "__main__":
    sys.exit(main())

"""Shopper-task benchmark: simulated shoppers and service agents talk to `ShoppingAssistant`
through scripted multi-turn tasks, each with machine-checked outcomes (see tasks.py, checks.py).

    .venv/bin/python -m bench.conversations                      # offline planner, 3 repeats
    .venv/bin/python -m bench.conversations --repeats 1 --no-write --json /tmp/conv.json
    .venv/bin/python -m bench.conversations --model openai --base-url http://127.0.0.1:8080/v1 --model-name qwen

From code (a test, a notebook):

    from bench.conversations import TASKS, run, summarise
    results = run(lambda task: ShoppingAssistant(retriever, dataset, role=task.role), TASKS, repeats=1)
    summarise(results)["pass^1"]

A task passes in one repeat when every check of every turn passes; the checks every turn
gets (`checks.ALWAYS`: an answer, no invented product or figure, no tool internals, no
system-prompt leak, no basket change nobody asked for) count too. pass^1 is the mean over
repeats of the share of tasks passed; pass^k the share of tasks passed in all k repeats
(tau-bench's measures).
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .checks import ALWAYS, TurnRecord, View, run_checks
from .tasks import CATEGORIES, TASKS, Poison, Step, Task, select

__all__ = ["CATEGORIES", "TASKS", "Poison", "Step", "Task", "TaskResult", "evaluate", "run", "run_task", "select",
           "summarise", "percentile", "table"]


@dataclass
class TaskResult:
    task: str
    category: str
    repeat: int
    session_id: str
    turns: list[TurnRecord]
    failures: list[dict[str, Any]] = field(default_factory=list)  # {turn, check, reason}

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def reason(self) -> str | None:
        """The first failing check, as one line."""
        if not self.failures:
            return None
        f = self.failures[0]
        return f"turn {f['turn'] + 1} ({f['check']}): {f['reason']}"

    def to_dict(self, full: bool = False) -> dict[str, Any]:
        return {"task": self.task, "category": self.category, "repeat": self.repeat, "passed": self.passed,
                "reason": self.reason, "failures": self.failures, "session_id": self.session_id,
                "transcript": [t.to_dict(full) for t in self.turns]}


def basket_of(assistant: Any, session_id: str) -> dict[str, int]:
    return {line["product_id"]: int(line["quantity"]) for line in assistant.basket(session_id).get("basket", [])}


def evaluate(task: Task, turns: list[TurnRecord], catalogue_ids: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    """Every failing check of a recorded conversation (pure: no assistant needed)."""
    setup = frozenset(pid for pid, _ in task.basket)
    failures = []
    for i, step in enumerate(task.steps[: len(turns)]):
        view = View(turns, i, catalogue_ids, setup)
        checks = [*ALWAYS, *task.every_turn, *step.checks, *(task.final if i == len(task.steps) - 1 else ())]
        failures += [{"turn": i, "check": kind, "reason": reason} for kind, reason in run_checks(view, checks)]
    if len(turns) < len(task.steps):
        failures.append({"turn": len(turns), "check": "answered", "reason": "conversation cut short"})
    return failures


def run_task(assistant: Any, task: Task, repeat: int = 0, session_id: str | None = None) -> TaskResult:
    """Play one task against one assistant in a fresh session and check it."""
    sid = session_id or f"{task.name}-r{repeat}-{uuid.uuid4().hex[:8]}"
    for pid, qty in task.basket:
        assistant.add_to_basket(sid, pid, qty)
    turns: list[TurnRecord] = []
    for step in task.steps:
        before = basket_of(assistant, sid)
        record = TurnRecord(step.say, basket_before=before)
        start = time.perf_counter()
        try:
            reply = assistant.chat(sid, step.say, customer_id=task.customer_id)
        except Exception as exc:  # the benchmark records it; the task fails on `answered`
            record.ms = (time.perf_counter() - start) * 1000
            record.error = f"{type(exc).__name__}: {exc}"
        else:
            record.ms = (time.perf_counter() - start) * 1000
            record.text, record.tool_calls = reply.text or "", list(reply.tool_calls)
            record.products, record.grounding = list(reply.products), dict(reply.grounding)
        record.basket_after = basket_of(assistant, sid)
        turns.append(record)
    ids = frozenset(getattr(getattr(assistant, "retriever", None), "titles", {}) or ())
    return TaskResult(task.name, task.category, repeat, sid, turns, evaluate(task, turns, ids))


def run(assistant_factory: Callable[[Task], Any], tasks: Iterable[Task] = TASKS, repeats: int = 3,
        progress: Callable[[TaskResult], None] | None = None) -> list[TaskResult]:
    """Every task `repeats` times, each time in a fresh session. `assistant_factory(task)`
    returns the assistant for a task (its role, its poisoned catalogue if any); it may hand
    out the same assistant again: sessions never repeat."""
    tasks = list(tasks)
    results = []
    for repeat in range(repeats):
        for task in tasks:
            result = run_task(assistant_factory(task), task, repeat)
            results.append(result)
            if progress:
                progress(result)
    return results


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))] if ordered else 0.0


def summarise(results: list[TaskResult]) -> dict[str, Any]:
    """Per category and overall: pass^1 (mean over repeats of the pass rate) and pass^k (the
    share of tasks that pass in every one of the k repeats); turn latency; the failing tasks."""
    by_task: dict[str, list[TaskResult]] = defaultdict(list)
    for r in results:
        by_task[r.task].append(r)
    k = min((len(v) for v in by_task.values()), default=0)

    def measures(names: list[str]) -> dict[str, Any]:
        runs = [r for n in names for r in by_task[n]]
        repeats = sorted({r.repeat for r in runs})
        per_repeat = [sum(r.passed for r in runs if r.repeat == x) / max(1, sum(r.repeat == x for r in runs))
                      for x in repeats]
        return {"tasks": len(names), "runs": len(runs),
                "pass^1": sum(per_repeat) / len(per_repeat) if per_repeat else 0.0,
                f"pass^{k}": sum(all(r.passed for r in by_task[n]) for n in names) / len(names) if names else 0.0}

    categories: dict[str, list[str]] = defaultdict(list)
    for name, runs in by_task.items():
        categories[runs[0].category].append(name)
    ms = [t.ms for r in results for t in r.turns]
    failing = {}
    for name, runs in by_task.items():
        bad = [r for r in runs if not r.passed]
        if bad:
            failing[name] = {"category": runs[0].category, "failed": len(bad), "of": len(runs), "reason": bad[0].reason}
    return {
        "k": k,
        "categories": {c: measures(categories[c]) for c in [*CATEGORIES, *sorted(set(categories) - set(CATEGORIES))]
                       if c in categories},
        **measures(list(by_task)),
        "turns": len(ms), "latency_ms_mean": sum(ms) / len(ms) if ms else 0.0, "latency_ms_p95": percentile(ms, 95),
        "failing": failing,
    }


def table(summary: dict[str, Any]) -> str:
    k = summary["k"]
    cols = ["pass^1"] + ([f"pass^{k}"] if k > 1 else [])
    rows = ["| category | tasks | " + " | ".join(cols) + " |", "|---|---|" + "---|" * len(cols)]
    for name, m in [*summary["categories"].items(), ("**all**", summary)]:
        rows.append(f"| {name} | {m['tasks']} | " + " | ".join(f"{m[c]:.0%}" for c in cols) + " |")
    rows.append("")
    rows.append(f"Turn latency (one `ShoppingAssistant.chat` call, {summary['turns']} turns): "
                f"mean {summary['latency_ms_mean']:.0f} ms, p95 {summary['latency_ms_p95']:.0f} ms.")
    return "\n".join(rows)

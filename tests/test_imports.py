"""The import graph of the three packages: no cycle, and imports flow only ui -> assistant -> retrieval.

The graph is read from the source with `ast`, not by importing it, so every import counts:
module level, under `if TYPE_CHECKING:` and inside functions (a lazy import is still a
dependency; it only moves the failure from start-up to first use). An edge goes to the most
specific module the statement names: `from .types import Filters` is an edge to
`retrieval.recommend.types`, `from . import commands` one to `assistant.commands`.
"""

from __future__ import annotations

import ast
from pathlib import Path

from retrieval.config import REPO_ROOT

# Lower layers never import higher ones.
LAYERS = {"retrieval": 0, "assistant": 1, "ui": 2}


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _sources() -> dict[str, Path]:
    found = {}
    for top in LAYERS:
        for path in sorted((REPO_ROOT / top).rglob("*.py")):
            found[_module_name(path)] = path
    return found


def _imports(module: str, path: Path, known: set[str]) -> set[str]:
    """First-party modules `module` imports anywhere in its source."""
    is_package = path.name == "__init__.py"
    package = module if is_package else module.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module or ""
            # `from pkg import name`: name is a submodule or something pkg defines.
            names = [f"{source}.{alias.name}" if f"{source}.{alias.name}" in known else source
                     for alias in node.names]
        else:
            continue
        for name in names:
            # `import a.b.c` where only a.b is ours (c an attribute) still depends on a.b.
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module:
                targets.add(name)
    return targets


def _graph() -> dict[str, set[str]]:
    sources = _sources()
    known = set(sources)
    return {module: _imports(module, path, known) for module, path in sources.items()}


def _components(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components with more than one module: Tarjan's algorithm,
    iterative (the graph is deep enough to matter for recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[set[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(component)
    return components


def _shortest_cycle(graph: dict[str, set[str]], start: str, within: set[str]) -> list[str]:
    """The shortest cycle from `start` back to it inside `within` (breadth-first)."""
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(graph[node] & within):
                if child == start:
                    return [*paths[node], start]
                if child not in paths:
                    paths[child] = [*paths[node], child]
                    following.append(child)
        frontier = following
    raise AssertionError(f"{start} is on no cycle within {sorted(within)}")


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The shortest cycle through each module that is on one, each once, written from its
    smallest module: start -> ... -> start. A component can hold several cycles that share
    modules; listing one per module names every edge a fix has to break."""
    found: dict[tuple[str, ...], list[str]] = {}
    for component in _components(graph):
        for start in sorted(component):
            cycle = _shortest_cycle(graph, start, component)[:-1]
            first = cycle.index(min(cycle))
            rotated = cycle[first:] + cycle[:first]
            found.setdefault(tuple(rotated), [*rotated, rotated[0]])
    return sorted(found.values())


def test_the_graph_reader_sees_every_kind_of_import():
    # Guards the reader itself, so that "no cycle" below cannot pass by seeing no edges.
    graph = _graph()
    assert "retrieval.errors" in graph["assistant.cli"]  # absolute, module level
    assert "assistant.commands" in graph["assistant.cli"]  # `from . import commands`
    assert "assistant.prepare" in graph["assistant.commands.build"]  # relative, inside a function
    assert "retrieval.index.product_index" in graph["assistant.prepare"]  # inside a function
    assert "retrieval.recommend.types" in graph["retrieval.recommend.filters"]
    assert "retrieval.money" in graph["ui.text"]  # only under `if TYPE_CHECKING:`


def test_imports_flow_only_from_ui_to_assistant_to_retrieval():
    upward = sorted(
        f"{module} imports {target}"
        for module, targets in _graph().items()
        for target in targets
        if LAYERS[target.split(".")[0]] > LAYERS[module.split(".")[0]]
    )
    assert not upward, "imports against the layering ui -> assistant -> retrieval:\n" + "\n".join(upward)


def test_the_import_graph_has_no_cycle():
    cycles = _cycles(_graph())
    components = "\n".join(", ".join(sorted(c)) for c in _components(_graph()))
    assert not cycles, ("import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)
                        + "\nin the strongly connected components:\n" + components)


def test_the_cycle_finder_finds_a_planted_cycle():
    # "e" names itself: the reader never records such an edge, and it is no cycle here either.
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"e"}}
    assert _cycles(graph) == [["a", "b", "c", "a"]]

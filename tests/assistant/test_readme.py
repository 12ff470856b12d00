"""README.md's own code blocks, read from the file: the Python example runs as written (only
`open()` is pointed at the test data), every `shopassist` command line parses with today's
CLI, every `make` target it names exists, and the mapping it shows is a valid one that
agrees with examples/superstore.toml."""

from __future__ import annotations

import re
import shlex
import tomllib

import pytest

from assistant import ShoppingAssistant
from assistant.cli import build_parser
from retrieval.config import REPO_ROOT
from retrieval.ingest.mapped import ColumnMap

README = REPO_ROOT / "README.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
ENV_ASSIGNMENT = re.compile(r"^[A-Z_][A-Z0-9_]*=")

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _blocks(language: str) -> list[tuple[str, str]]:
    """(section heading, code) of every fenced block in `language`, in README order."""
    text = README.read_text()
    found = []
    for match in FENCE.finditer(text):
        if match.group(1) == language:
            headings = re.findall(r"^#+ (.+)$", text[: match.start()], re.MULTILINE)
            found.append((headings[-1] if headings else "", match.group(2)))
    return found


def _command_lines(tool: str) -> list[list[str]]:
    """Each command line of the bash blocks that runs `tool` (continuations joined, comments
    and leading VAR=value assignments dropped), as argv after the tool's name."""
    lines = []
    for _, code in _blocks("bash"):
        for line in code.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            while words and ENV_ASSIGNMENT.match(words[0]):
                words.pop(0)
            if words and (words[0] == tool or words[0].endswith(f"/{tool}")):
                lines.append(words[1:])
    return lines


def test_readme_python_example_runs(monkeypatch, bundled_retriever, bundled_dataset, capsys):
    (example,) = [code for heading, code in _blocks("python") if heading == "Python API"]
    monkeypatch.setattr(ShoppingAssistant, "open",
                        staticmethod(lambda *a, **k: ShoppingAssistant(bundled_retriever, bundled_dataset)))
    exec(compile(example, str(README), "exec"), {})
    out = capsys.readouterr().out
    assert "£" in out and "['bought_together']" in out
    assert "bought together with" in out or "also bought it" in out


def test_every_readme_python_block_is_valid_python():
    blocks = _blocks("python")
    assert len(blocks) >= 2  # the Python API and the gradio_client example
    for heading, code in blocks:
        compile(code, f"{README} ({heading})", "exec")


def test_every_readme_shopassist_command_parses(capsys):
    commands = _command_lines("shopassist")
    # The command-line section alone lists 14; fewer means this reader lost some.
    assert len(commands) >= 20, commands
    parser = build_parser()
    refused = []
    for argv in commands:
        try:
            args = parser.parse_args(argv)
        except SystemExit:
            refused.append(f"shopassist {shlex.join(argv)}: {capsys.readouterr().err.strip()}")
            continue
        assert args.command == argv[0] and callable(args.handler), argv
    assert not refused, "\n".join(refused)


def test_every_readme_make_target_exists():
    targets = {words[0] for words in _command_lines("make") if words}
    assert {"run", "test", "check-llm"} <= targets, targets
    makefile = (REPO_ROOT / "Makefile").read_text()
    defined = set(re.findall(r"^([\w-]+):", makefile, re.MULTILINE))
    assert targets <= defined, targets - defined


def test_readme_mapping_is_valid_and_matches_the_example_file(tmp_path):
    (mapping,) = [code for _, code in _blocks("toml")]
    path = tmp_path / "mapping.toml"
    path.write_text(mapping)
    ColumnMap.from_toml(path)  # raises ConfigError on an unknown key or role
    shown = tomllib.loads(mapping)
    example = tomllib.loads((REPO_ROOT / "examples" / "superstore.toml").read_text())
    assert shown["columns"] == example["columns"] and shown["format"] == example["format"]
    # The README shows two of the file's example prompts.
    assert set(shown["shop"].pop("examples")) <= set(example["shop"].pop("examples"))
    assert shown["shop"] == example["shop"]

"""`--min-support` means the same in `build` and `rules`: the spelling decides count or fraction."""

from __future__ import annotations

import pytest

from assistant.cli import build_parser
from retrieval.rules import MiningParams

COMMANDS = (["rules"], ["build"])


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize(
    "text, value",
    [
        ("1", 1),  # one basket
        ("99", 99),
        ("1.0", 1.0),  # every basket
        ("0.005", 0.005),
        (".5", 0.5),
        ("1/200", 0.005),
    ],
)
def test_whole_numbers_are_counts_and_decimals_are_fractions(command, text, value):
    parsed = build_parser().parse_args([*command, "--min-support", text]).min_support
    assert parsed == value and type(parsed) is type(value)
    # MiningParams reads an int as a count and a float as a fraction, as the flag does.
    expected = value if isinstance(value, int) else max(1, round(value * 400))
    assert MiningParams(min_support=parsed).min_count(400) == expected


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("text", ["0", "-1", "1.5", "abc", "0.0", "nan", "inf", "2/1", "1/0", ""])
def test_anything_else_is_an_argparse_error_naming_the_flag_and_both_forms(command, text, capsys):
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args([*command, "--min-support", text])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert f"shopassist {command[0]}: error: argument --min-support: {text!r} is neither" in err
    assert "a fraction of the baskets in (0, 1]" in err and "a basket count" in err


def test_both_commands_default_to_the_same_fraction():
    rules = build_parser().parse_args(["rules"]).min_support
    build = build_parser().parse_args(["build"]).min_support
    assert rules == MiningParams().min_support
    assert build is None  # build then keeps MiningParams' default, the same 0.005

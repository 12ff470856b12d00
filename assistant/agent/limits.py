"""How long and how much one chat turn may take, so a slow or stuck model never hangs a shopper.

Read once from the environment (or passed in): the tool rounds of a turn, the wall-clock
budget of the whole turn, the timeout of one model request, and the tokens one request may
write (llama.cpp's server, for one, writes without limit unless told).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from retrieval.errors import ConfigError


@dataclass(frozen=True)
class TurnLimits:
    max_rounds: int = 3
    turn_seconds: float = 60.0
    call_seconds: float = 30.0
    max_tokens: int = 256  # a tool call needs < 100; an answer of a few sentences fits

    def __post_init__(self) -> None:
        for name in ("max_rounds", "turn_seconds", "call_seconds", "max_tokens"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
                raise ConfigError(f"{name} must be a positive number, got {value!r}.")

    @classmethod
    def from_env(cls, **overrides: float | int | None) -> TurnLimits:
        """Defaults, then SHOPASSIST_MAX_ROUNDS / _TURN_SECONDS / _MODEL_TIMEOUT / _MAX_TOKENS,
        then explicit arguments (None means "not given")."""
        env = {"max_rounds": ("SHOPASSIST_MAX_ROUNDS", int), "turn_seconds": ("SHOPASSIST_TURN_SECONDS", float),
               "call_seconds": ("SHOPASSIST_MODEL_TIMEOUT", float), "max_tokens": ("SHOPASSIST_MAX_TOKENS", int)}
        values: dict[str, Any] = {}  # an int or a float by field, each checked by __post_init__
        for name, (var, kind) in env.items():
            raw = os.environ.get(var)
            if raw:
                try:
                    values[name] = kind(raw)
                except ValueError:
                    raise ConfigError(f"{var} must be a number, got {raw!r}.") from None
            override = overrides.get(name)
            if override is not None:
                values[name] = override
        return cls(**values)

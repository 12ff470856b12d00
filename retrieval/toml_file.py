"""Reading a TOML settings file (a column mapping, a shop profile) with errors that name it."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from .errors import ConfigError


def read_toml(path: str | os.PathLike[str], kind: str) -> dict[str, Any]:
    """The parsed file; a missing or malformed one is a ConfigError naming `kind` and the path."""
    path = Path(path)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{kind} {path}: no such file.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{kind} {path}: not valid TOML ({exc}).") from None

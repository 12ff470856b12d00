"""shopassist's assistant: the shopping agent and its shells.

Integrators import from here: `ShoppingAssistant` answers chat messages with tool-backed,
grounded replies; `Session` is one conversation's memory. The names load on first use, so
`shopassist build` and the other commands do not pay for importing LangChain.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = ["Reply", "Session", "SessionStore", "ShoppingAssistant", "Turn", "open_sessions"]

_WHERE = {"Reply": ".api", "ShoppingAssistant": ".api", "Session": ".session", "SessionStore": ".session_store",
          "Turn": ".session", "open_sessions": ".session_setup"}

if TYPE_CHECKING:
    from .api import Reply, ShoppingAssistant
    from .session import Session, Turn
    from .session_setup import open_sessions
    from .session_store import SessionStore


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

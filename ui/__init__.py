"""shopassist's web shell: the Gradio app and the HTTP API, served by one process.

`create_app(assistant)` builds the Gradio Blocks (shopper chat and customer-service console);
`create_api(assistant)` builds the FastAPI app; `launch(...)` serves both on loopback. Nothing
here holds logic: handlers call the public `assistant` API and turn its errors into messages.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = ["build_server", "create_api", "create_app", "launch"]

_WHERE = {"create_app": ".app", "create_api": ".http", "build_server": ".server", "launch": ".server"}

if TYPE_CHECKING:
    from .app import create_app
    from .http import create_api
    from .server import build_server, launch


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

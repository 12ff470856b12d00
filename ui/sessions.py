"""Which assistant session a browser event belongs to.

Each browser session (Gradio's `session_hash`, one per page load or API client) is its own
assistant session, so two shoppers never see each other's basket. "Clear" starts a new
conversation in the same browser session: `generation` counts those.
"""

from __future__ import annotations

import uuid

import gradio as gr


def session_id(request: gr.Request | None, generation: int = 0, scope: str = "shop") -> str:
    key = getattr(request, "session_hash", None) if request is not None else None
    if not key:
        # No browser session (a bare HTTP call): a one-off id rather than a shared one.
        key = f"anon-{uuid.uuid4().hex}"
    return f"{scope}:{key}:{int(generation or 0)}"

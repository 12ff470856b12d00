"""Domain errors become a toast, never a traceback.

Handlers catch `ShopassistError` (the user's or the data's fault, with a message fit to show)
and call `warn`; anything else is a bug and propagates to Gradio's error handling.
"""

from __future__ import annotations

import logging

import gradio as gr

from .text import html_text

log = logging.getLogger(__name__)


def warn(problem: BaseException | str) -> str:
    """Show `problem` as a warning toast and return its text (for a status line).
    Gradio renders toasts as HTML, and messages may quote what a person typed: escaped."""
    text = str(problem)
    log.info("shown to the user: %s", text)
    gr.Warning(html_text(text))
    return text

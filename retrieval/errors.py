"""Errors split by who caused them.

`ShopassistError` and its subclasses are the user's or the data's fault and carry a message
fit to show as-is (the CLI prints it without a traceback). Anything else is a bug and
propagates.
"""

from __future__ import annotations

import os


class ShopassistError(Exception):
    """Base for every error a shell may show to a person as a plain message."""


class DataError(ShopassistError):
    """Bad input data: names the file and, where known, the line and the column."""

    def __init__(
        self,
        message: str,
        *,
        path: str | os.PathLike[str] | None = None,
        line: int | None = None,
        column: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.path = None if path is None else str(path)
        self.line = line
        self.column = column
        self.reason = message
        self.hint = hint
        where = []
        if self.path is not None:
            where.append(f"file {self.path}")
        if line is not None:
            where.append(f"line {line}")
        if column is not None:
            where.append(f"column {column!r}")
        text = (", ".join(where) + ": " if where else "") + message
        if hint:
            text += f" {hint}"
        super().__init__(text)


class ConfigError(ShopassistError):
    """A bad argument, option or configuration value."""


class IndexNotFoundError(ShopassistError):
    """No built index where one was expected; the message names the command that builds it."""


class ModelMismatchError(ShopassistError):
    """An index built with one encoder was opened with another."""


class StoreUnavailableError(ShopassistError):
    """The vector store (e.g. a Chroma server) cannot be reached."""


class NotFoundError(ShopassistError):
    """An unknown product id, customer id or session id."""


class AccessDeniedError(ShopassistError):
    """The caller's role may not see this (a customer's history needs the service role)."""

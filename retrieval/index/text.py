"""The text a product is embedded as, from a template such as "{title}. {category}. {description}".

Catalogues are patchy (the bundled one has titles only), so a field that is empty is
dropped together with the separator in front of it: "{title}. {category}. {description}"
renders "RED RETROSPOT CAKE STAND" rather than "RED RETROSPOT CAKE STAND. . ".
"""

from __future__ import annotations

import hashlib
import math
import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..errors import ConfigError

DEFAULT_TEMPLATE = "{title}. {category}. {description}"

_SPACES = re.compile(r"\s+")
# What may dangle at the start once leading fields are dropped ("{category}: {title}").
_LEADING_JUNK = " \t.,;:-|/"


@dataclass(frozen=True)
class _Part:
    before: str  # literal text owned by this field: dropped with it when it is empty
    field: str
    spec: str
    after: str = ""  # only the last field owns the template's trailing text


class TextTemplate:
    """A str.format template whose empty fields vanish with their separators."""

    def __init__(self, template: str = DEFAULT_TEMPLATE) -> None:
        self.template = template
        self._head, self._parts = _parse(template)

    @property
    def fields(self) -> list[str]:
        return [p.field for p in self._parts]

    def check_fields(self, available: Iterable[str]) -> None:
        missing = sorted(set(self.fields) - set(available))
        if missing:
            raise ConfigError(
                f"text template {self.template!r} names unknown fields {missing}; "
                f"available: {sorted(available)}"
            )

    def render(self, values: Mapping[str, object]) -> str:
        pieces = [self._head]
        for part in self._parts:
            value = _clean(values.get(part.field), part.spec)
            if value:
                pieces += [part.before, value, part.after]
        text = "".join(pieces).lstrip(_LEADING_JUNK).rstrip()
        return text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TextTemplate) and other.template == self.template

    def __hash__(self) -> int:
        return hash(self.template)

    def __repr__(self) -> str:
        return f"TextTemplate({self.template!r})"


def _parse(template: str) -> tuple[str, list[_Part]]:
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ConfigError(f"bad text template {template!r}: {exc}") from None
    head, pending = "", ""
    parts: list[_Part] = []
    for literal, field, spec, conversion in parsed:
        if field is None:  # trailing literal after the last field
            pending = literal
            break
        if not field or not field.isidentifier():
            raise ConfigError(f"text template {template!r}: fields must be named, like {{title}}")
        if conversion:
            raise ConfigError(f"text template {template!r}: conversions (!r, !s) are not supported")
        if not parts:
            head, literal = literal, ""  # text before the first field always shows
        parts.append(_Part(literal, field, spec or ""))
    if not parts:
        raise ConfigError(f"text template {template!r} names no field, e.g. {{title}}")
    if pending:
        last = parts[-1]
        parts[-1] = _Part(last.before, last.field, last.spec, pending)
    return head, parts


def _clean(value: object, spec: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    try:
        if value != value:  # pandas NA and NaT compare unequal to themselves
            return ""
    except (TypeError, ValueError):  # pd.NA refuses to be a bool
        return ""
    try:
        text = format(value, spec)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"cannot format {value!r} with {{:{spec}}}: {exc}") from None
    return _SPACES.sub(" ", text).strip()


def content_hash(text: str, key: str) -> str:
    """Identifies a vector: the same text under the same model and prefix embeds the same."""
    return hashlib.sha256(f"{key}\x00{text}".encode()).hexdigest()[:24]

"""A shop's profile: its name, what it sells, its currency and locale, and example requests.

Set in a mapping file's `[shop]` table (or by `ingest`/`build` flags), saved with the
dataset, and read by everything that speaks to a shopper: the system prompt, the written
answers, the web cards, the console, the HTTP answers and the CLI. The bundled data's
profile lives beside it (`data/online_retail/shop.toml`), not in code.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .money import Money, money_for
from .toml_file import read_toml


@dataclass(frozen=True)
class ShopProfile:
    name: str = "the shop"
    sells: str = ""  # one line on what it sells, e.g. "office supplies, furniture and technology"
    currency: str | None = None  # ISO 4217; None: prices are shown as plain numbers
    locale: str = "en"
    examples: tuple[str, ...] = ()  # requests shown to shoppers as examples

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ConfigError("the shop's name must be a non-empty string.")
        object.__setattr__(self, "examples", tuple(self.examples))
        self.money  # noqa: B018 - validates the currency and locale now, not at the first answer

    @property
    def money(self) -> Money:
        return money_for(self.currency, self.locale)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "examples": list(self.examples)}

    @classmethod
    def from_dict(cls, values: dict[str, Any], source: str = "shop profile") -> ShopProfile:
        allowed = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - allowed)
        if unknown:
            raise ConfigError(f"{source}: unknown keys {unknown} under [shop]; allowed: {', '.join(sorted(allowed))}.")
        for key in ("name", "sells", "locale"):
            if key in values and not isinstance(values[key], str):
                raise ConfigError(f"{source}: [shop] {key} must be a string, got {values[key]!r}.")
        examples = values.get("examples", ())
        if isinstance(examples, str) or not all(isinstance(e, str) for e in examples):
            raise ConfigError(f"{source}: [shop] examples must be a list of strings.")
        try:
            return cls(**{**values, "examples": tuple(examples)})
        except ConfigError as exc:
            raise ConfigError(f"{source}: {exc}") from None

    @classmethod
    def from_toml(cls, path: str | Path) -> ShopProfile:
        """The `[shop]` table of a TOML file (a mapping file or a profile of its own)."""
        path = Path(path)
        data = read_toml(path, "shop profile")
        if not isinstance(data.get("shop"), dict):
            raise ConfigError(f"shop profile {path}: no [shop] table.")
        return cls.from_dict(data["shop"], source=f"shop profile {path}")

    def with_options(self, **options: Any) -> ShopProfile:
        """This profile with the given fields replaced (None: kept), validated."""
        chosen = {k: v for k, v in options.items() if v is not None}
        return replace(self, **chosen) if chosen else self

    def describe(self) -> str:
        """One line for the system prompt: "Superstore, which sells office supplies ..."."""
        return f"{self.name}, which sells {self.sells}" if self.sells else self.name


PROFILE_FILE = "shop.toml"


def profile_beside(source: str | Path | None) -> ShopProfile:
    """The profile kept beside an export (`shop.toml` in its folder, as the bundled data
    has), else the neutral one: how a dataset saved without a profile gets its own."""
    if source:
        candidate = Path(source).parent / PROFILE_FILE
        if candidate.is_file():
            return ShopProfile.from_toml(candidate)
    return ShopProfile()

"""A shop's currency in text: amounts written for shoppers, and amounts read back from text.

`Money("USD", "en_US").format(3.99)` is "$3.99" (Babel's CLDR formats, never by hand). The
same object knows every way a shopper or a model writes that currency (symbols, the ISO
code, the currency's words, its minor unit and a few spoken forms) so that questions
("under 20 bucks", "20 USD", "R$ 50") and answers are read with one set of patterns.

A shop with no currency set (`Money(None)`) shows plain numbers and reads bare ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from .errors import ConfigError

# Spoken forms Babel does not carry: slang for the unit, and amounts named by one word.
SLANG = {"GBP": ("quid",), "USD": ("bucks", "buck"), "AUD": ("bucks",), "CAD": ("bucks",), "NZD": ("bucks",)}
NAMED_AMOUNTS = {"GBP": {"fiver": 5.0, "tenner": 10.0}}
# Minor units as shoppers write them: "50p", "99 cents".
MINOR = {"GBP": ("pence", "penny", "p"), "EUR": ("cents", "cent"), "USD": ("cents", "cent", "¢")}
DEFAULT_MINOR = ("cents", "cent")

# A number as written in text: 1,234.50 / 1.234,50 / 3.99 / 3,99 / 20.
NUMBER = r"\d{1,3}(?:[,.\u00a0\u202f ]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"


def read_number(raw: str) -> float:
    """A number as a shopper or a formatter wrote it: the last separator followed by one or
    two digits is the decimal point; any other separator groups thousands."""
    raw = raw.strip()
    m = re.search(r"[.,](\d{1,2})$", raw)
    whole, frac = (raw[: m.start()], m.group(1)) if m else (raw, "")
    digits = re.sub(r"\D", "", whole)
    return float(f"{digits or 0}.{frac or 0}")


@dataclass(frozen=True)
class Amount:
    raw: str  # the whole phrase, e.g. "$3.99" or "50p"
    number: str  # its number as written
    value: float  # in the major unit


@dataclass(frozen=True)
class Money:
    currency: str | None = None  # ISO 4217 code
    locale: str = "en"

    def __post_init__(self) -> None:
        from babel import Locale, UnknownLocaleError
        from babel.numbers import is_currency

        if self.currency is not None and not is_currency(self.currency):
            raise ConfigError(f"currency must be an ISO 4217 code such as USD or EUR, got {self.currency!r}.")
        try:
            Locale.parse(self.locale)
        except (UnknownLocaleError, ValueError, TypeError):
            raise ConfigError(f"locale must be a CLDR locale such as en_US or de_DE, got {self.locale!r}.") from None

    def format(self, amount: float | None) -> str:
        """`amount` for a shopper: "$3.99", "3,99 €"; "price unknown" for a missing price."""
        if amount is None or amount != amount:  # None or NaN
            return "price unknown"
        if self.currency is None:
            from babel.numbers import format_decimal

            return format_decimal(amount, format="#,##0.00", locale=self.locale)
        from babel.numbers import format_currency

        return format_currency(amount, self.currency, locale=self.locale)

    def limit(self, amount: float) -> str:
        """A price limit as said in a sentence: whole amounts without ".00" ("$20", "$2.50")."""
        text = self.format(amount)
        return re.sub(r"[.,]00(?!\d)", "", text) if float(amount).is_integer() else text

    @cached_property
    def symbols(self) -> tuple[str, ...]:
        """Every symbol of the currency (the shop's locale's, English's) and its ISO code."""
        if self.currency is None:
            return ()
        from babel.numbers import get_currency_symbol

        found = {get_currency_symbol(self.currency, loc) for loc in (self.locale, "en", "en_US")}
        found.add(self.currency)
        return tuple(sorted((s for s in found if s), key=len, reverse=True))

    @cached_property
    def words(self) -> tuple[str, ...]:
        """The unit's words: "dollar", "dollars", "bucks" (from the English names, last word)."""
        if self.currency is None:
            return ()
        from babel.numbers import get_currency_name

        names = {get_currency_name(self.currency, n, "en").split()[-1].lower() for n in (1, 2)}
        names.update(SLANG.get(self.currency, ()))
        return tuple(sorted(names, key=len, reverse=True))

    @property
    def minor_words(self) -> tuple[str, ...]:
        if self.currency is None:
            return ()
        return MINOR.get(self.currency, DEFAULT_MINOR)

    @property
    def named_amounts(self) -> dict[str, float]:
        return NAMED_AMOUNTS.get(self.currency or "", {})

    @cached_property
    def before(self) -> str:
        """Regex: a symbol or code written before the number (may be empty)."""
        if not self.symbols:
            return "(?!)"
        return "(?:" + "|".join(_symbol(s) for s in self.symbols) + ")"

    @cached_property
    def after(self) -> str:
        """Regex: a symbol, code, word or minor unit written after the number."""
        words = [*self.words, *self.minor_words]
        alts = [_symbol(s) for s in self.symbols] + [rf"{re.escape(w)}\b" for w in words]
        return "(?:" + "|".join(alts) + ")" if alts else "(?!)"

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """An amount written as money: "$3.99", "3,99 €", "20 USD", "5 dollars", "50p"."""
        return re.compile(rf"(?:{self.before}\s?(?P<a>{NUMBER})|(?<![\w.,])(?P<b>{NUMBER})\s?{self.after})", re.I)

    @cached_property
    def minor_pattern(self) -> re.Pattern[str]:
        words = "|".join(re.escape(w) for w in self.minor_words) or "(?!)"
        return re.compile(rf"\d\s?(?:{words})(?:\b|$)", re.I)

    def value(self, number: str, phrase: str) -> float:
        """The major-unit value of `number` written in `phrase` ("50p" is 0.5)."""
        value = read_number(number)
        return value / 100 if self.minor_pattern.search(phrase) else value

    def find(self, text: str) -> list[Amount]:
        """Every amount written as money in `text`."""
        out = []
        for m in self.pattern.finditer(text):
            number = m.group("a") or m.group("b")
            out.append(Amount(m.group(0), number, self.value(number, m.group(0))))
        return out

    def mentions_money(self, phrase: str) -> bool:
        """Whether `phrase` writes its amount as money (a symbol, code, word or minor unit)."""
        return bool(self.pattern.search(phrase))


@lru_cache(maxsize=64)
def money_for(currency: str | None, locale: str = "en") -> Money:
    """The one `Money` of a currency and locale: checked once, its patterns compiled once
    (every tool result and every answer asks for its shop's money)."""
    return Money(currency, locale)


def _symbol(symbol: str) -> str:
    # Letters in a symbol ("US$", "R$", "USD") must not run into a word: "busd" is not money.
    escaped = re.escape(symbol)
    head = r"(?<![A-Za-z])" if symbol[0].isalpha() else ""
    tail = r"(?![A-Za-z])" if symbol[-1].isalpha() else ""
    return f"{head}{escaped}{tail}"

"""Understanding a shopper's question: price limits, product words, product mentions.

Pure text work (no catalogue): price phrases become numbers, the phrases that name a product
("goes with the white heart t-light holder", "cheaper than X") are cut out for the mention
resolver, and what is left is the text to search for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..money import Money

# Price phrases in the shop's currency (`Money`): "under $20", "less than 15 euros",
# "between 2 and 10 pounds", "R$ 50 or more", "50p". The patterns depend on the currency,
# so they are built once per `Money` (`_patterns`).
_NUM = r"(\d+(?:[.,]\d{1,2})?)"


@dataclass(frozen=True)
class _PricePatterns:
    money: re.Pattern[str]
    between: re.Pattern[str]
    range: re.Pattern[str]
    max: re.Pattern[str]
    min: re.Pattern[str]
    max_after: re.Pattern[str]  # "20 USD or less", "$20 max": the amount must be written as money
    min_after: re.Pattern[str]  # "R$ 50 or more"
    words: re.Pattern[str]  # "three pounds", "twenty dollars"
    named: re.Pattern[str]  # "a fiver"


@lru_cache(maxsize=32)
def _patterns(money: Money) -> _PricePatterns:
    before = rf"(?:{money.before}\s?)?"
    after = rf"(?:\s?{money.after})?"
    amount = rf"{before}{_NUM}{after}"
    marked = rf"(?:{money.before}\s?{_NUM}|(?<![\w.,]){_NUM}\s?{money.after})"
    units = "|".join(re.escape(w) for w in (*money.words, *money.minor_words)) or "(?!)"
    numbers = "|".join(sorted((w for w in _WORD_NUMBERS if w != "a hundred"), key=len, reverse=True))
    named = "|".join(re.escape(w) for w in money.named_amounts) or "(?!)"
    return _PricePatterns(
        money=re.compile(amount, re.I),
        between=re.compile(rf"\b(?:between|from)\s+{amount}\s+(?:and|to|-)\s+{amount}", re.I),
        range=re.compile(rf"{before}{_NUM}\s*(?:-|–|to)\s*{before}{_NUM}\s*{money.after}", re.I),
        max=re.compile(
            rf"\b(?:under|below|less than|cheaper than|up to|at most|max(?:imum)?|no more than|"
            rf"not more than|within|for less than|<)\s*{amount}", re.I),
        min=re.compile(rf"\b(?:over|above|more than|at least|min(?:imum)?|from|starting at|>)\s*{amount}", re.I),
        max_after=re.compile(rf"{marked}\s*(?:or less|or under|or below|or cheaper|max(?:imum)?|tops|at most)\b", re.I),
        min_after=re.compile(rf"{marked}\s*(?:or more|or over|or above|and up|and above|plus|minimum|at least)\b", re.I),
        words=re.compile(rf"\b(a hundred|{numbers})\s+({units})\b", re.I),
        named=re.compile(rf"\b(?:a\s+)?({named})\b", re.I),
    )


# Phrases that name a product rather than describe one. The named part runs to the end of
# the clause (a comma, "and", a price phrase or the end).
_MENTION = re.compile(
    r"\b(?P<rel>goes? with|go well with|to go with|with my|complete(?:s)? (?:my|the)|"
    r"similar to|something like|like|alternative(?:s)? to|instead of|cheaper than|"
    r"compare|details (?:of|for|about)|tell me about)\s+(?P<phrase>[^,.;?!]+)",
    re.I,
)
_RELATION = {
    "goes with": "with", "go with": "with", "go well with": "with", "to go with": "with",
    "with my": "with", "complete my": "with", "complete the": "with", "completes my": "with",
    "completes the": "with", "similar to": "like", "something like": "like", "like": "like",
    "alternative to": "like", "alternatives to": "like", "instead of": "like",
    "cheaper than": "cheaper_than", "compare": "compare", "details of": "details",
    "details for": "details", "details about": "details", "tell me about": "details",
}
_CLAUSE_END = re.compile(r"\s+(?:under|below|over|above|between|for less|that|which|please)\b.*$", re.I)
_LEADING_ARTICLE = re.compile(r"^(?:the|a|an|my|this|that|some)\s+", re.I)

STOPWORDS = frozenset(
    ["a", "an", "the", "and", "or", "of", "for", "to", "in", "on", "with", "without", "my", "me", "i", "we", "you", "your", "our", "some", "any", "something", "anything", "show", "find", "looking", "look", "want", "need", "get", "buy", "gift", "gifts", "present", "idea", "ideas", "please", "can", "could", "would", "like", "is", "are", "be", "it", "that", "this", "these", "those", "what", "which", "who", "have", "has", "cheap", "nice", "good", "best", "new", "items", "item", "products", "product", "things", "thing", "also", "more", "other", "than", "under", "over", "price", "around", "about", "goes", "go", "goes", "well", "cheaper", "compare", "similar", "alternative", "alternatives", "instead", "complete", "tell", "details"]
)
PLAIN = Money()  # no currency: bare numbers only
_WORD = re.compile(r"[a-z0-9][a-z0-9'\-]*")


@dataclass(frozen=True)
class Mention:
    """A phrase that names a catalogue product, and how it relates to the request."""

    relation: str  # "with" (goes with), "like" (similar), "cheaper_than", "compare", "details"
    phrase: str


@dataclass
class ParsedQuestion:
    text: str
    search_text: str
    min_price: float | None = None
    max_price: float | None = None
    mentions: list[Mention] = field(default_factory=list)
    words: tuple[str, ...] = ()
    price_phrases: list[str] = field(default_factory=list)
    cheapest_first: bool = False  # "cheap office chairs", "the cheapest teapot"
    popular_first: bool = False  # "your most popular mugs", "what do people buy most?"


_WORD_NUMBERS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                 "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
                 "forty": 40, "fifty": 50, "hundred": 100, "a hundred": 100}


def money_words(text: str, money: Money = PLAIN) -> str:
    """Amounts written in words as digits: "under three pounds" -> "under 3 pounds",
    "less than a fiver" -> "less than 5 pounds" (the currency's own words)."""
    p = _patterns(money)
    text = p.words.sub(lambda m: f"{_WORD_NUMBERS[m.group(1).lower()]} {m.group(2)}", text)
    unit = money.words[0] if money.words else ""
    return p.named.sub(lambda m: f"{money.named_amounts[m.group(1).lower()]:g} {unit}".rstrip(), text)


def parse_prices(text: str, money: Money = PLAIN) -> tuple[float | None, float | None, list[str]]:
    """Return (min, max, matched phrases). "between 2 and 10 pounds" -> (2, 10).
    Amounts in words are read too; the phrases are then those of `money_words(text)`."""
    p = _patterns(money)
    text = money_words(text, money)
    lo = hi = None
    found: list[str] = []
    for pattern in (p.between, p.range):
        m = pattern.search(text)
        if m:
            a, b = money.value(m.group(1), m.group(0)), money.value(m.group(2), m.group(0))
            lo, hi = min(a, b), max(a, b)
            found.append(m.group(0))
            text = text.replace(m.group(0), " ")
            break
    m = _first((p.max, p.max_after), text)
    if m:
        hi = money.value(next(g for g in m.groups() if g), m.group(0))
        found.append(m.group(0))
        text = text.replace(m.group(0), " ")
    m = _first((p.min, p.min_after), text)
    if m:
        lo = money.value(next(g for g in m.groups() if g), m.group(0))
        found.append(m.group(0))
    return lo, hi, found


def _first(patterns, text: str) -> re.Match[str] | None:
    """The match of the first pattern that matches `text` ("under $20" before "$20 max")."""
    return next((m for m in (p.search(text) for p in patterns) if m), None)


def extract_mentions(text: str, money: Money = PLAIN) -> list[Mention]:
    out = []
    for m in _MENTION.finditer(text):
        relation = _RELATION.get(re.sub(r"\s+", " ", m.group("rel").lower()), "like")
        phrase = _CLAUSE_END.sub("", m.group("phrase")).strip()
        phrase = _LEADING_ARTICLE.sub("", phrase).strip()
        if relation == "cheaper_than" and _patterns(money).money.fullmatch(phrase):
            continue  # "cheaper than $5" is a price limit, not a product
        if relation == "compare":
            out += [Mention("compare", p.strip()) for p in re.split(r"\s+(?:and|with|vs\.?|versus|or)\s+", phrase) if p.strip()]
        elif phrase:
            out.append(Mention(relation, phrase))
    return out


def content_words(text: str, money: Money = PLAIN) -> tuple[str, ...]:
    units = set(money.words) | set(money.minor_words)
    return tuple(w for w in _WORD.findall(text.lower()) if w not in STOPWORDS and w not in units and not w.isdigit())


# Asking for the low end of the range without a figure. Not "cheaper" (below the list shown,
# or "cheaper than X": a limit set elsewhere) and not "cheap" as in "cheap and cheerful"? That
# still asks for low prices.
_CHEAP = re.compile(r"\b(?:cheap|cheapest|inexpensive|budget|affordable|low[- ]cost|low[- ]priced|bargain)\b", re.I)


# Asking for what sells most: "best sellers", "your most popular candles", "what's trending",
# "what do people buy most?", "what candles do other customers get". The phrase is cut from
# the words to search ("sellers", "people" are no product). Not "hot" alone: hot water bottles.
_POPULAR = re.compile(
    r"\b(?:what'?s |what is |what are )?(?:(?:the |your )?(?:most )?popular|best[- ]?sell(?:ers?|ing)|top[- ]?sell(?:ers?|ing)|trending|"
    r"what'?s hot|in demand|(?:sells?|selling) (?:the )?(?:best|most)|"
    r"(?:do |are )?(?:(?:most|other) )?(?:people|others|customers|shoppers|everyone|everybody|folks)"
    r" (?:usually |normally |mostly )?(?:buy|get|order|choose|pick|love|like)\w*(?: (?:the )?most| a lot)?)"
    r"(?: (?:right )?now| at the moment| these days| lately| this (?:week|month|season|year))?\b",
    re.I)


def parse_question(text: str, money: Money = PLAIN) -> ParsedQuestion:
    """The question read in the shop's currency (`money`; plain numbers by default)."""
    text = money_words(text, money)
    lo, hi, phrases = parse_prices(text, money)
    mentions = extract_mentions(text, money)
    search = text
    for phrase in phrases:
        search = search.replace(phrase, " ")
    popular = bool(_POPULAR.search(search))
    search = re.sub(r"\s+", " ", _POPULAR.sub(" ", search)).strip()
    return ParsedQuestion(
        text=text,
        search_text=search,
        min_price=lo,
        max_price=hi,
        mentions=mentions,
        words=content_words(search, money),
        price_phrases=phrases,
        cheapest_first=bool(_CHEAP.search(search)),
        popular_first=popular,
    )

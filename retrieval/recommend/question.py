"""Understanding a shopper's question: price limits, product words, product mentions.

Pure text work (no catalogue): price phrases become numbers, the phrases that name a product
("goes with the white heart t-light holder", "cheaper than X") are cut out for the mention
resolver, and what is left is the text to search for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_NUM = r"(\d+(?:[.,]\d{1,2})?)"
_CUR_BEFORE = r"(?:£|gbp\s*|\$|€)?"
_CUR_AFTER = r"(?:\s*(?:£|pounds?|quid|gbp|p\b|pence))?"
_MONEY = rf"{_CUR_BEFORE}\s*{_NUM}{_CUR_AFTER}"

_BETWEEN = re.compile(rf"\b(?:between|from)\s+{_MONEY}\s+(?:and|to|-)\s+{_MONEY}", re.I)
_RANGE = re.compile(rf"{_CUR_BEFORE}{_NUM}\s*(?:-|–|to)\s*{_CUR_BEFORE}{_NUM}\s*(?:£|pounds?|quid|gbp)", re.I)
_MAX = re.compile(
    rf"\b(?:under|below|less than|cheaper than|up to|at most|max(?:imum)?|no more than|"
    rf"not more than|within|for less than|<)\s*{_MONEY}",
    re.I,
)
_MIN = re.compile(
    rf"\b(?:over|above|more than|at least|min(?:imum)?|from|starting at|>)\s*{_MONEY}", re.I
)
_PENCE = re.compile(r"\d\s*(?:p\b|pence)", re.I)

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
    ["a", "an", "the", "and", "or", "of", "for", "to", "in", "on", "with", "without", "my", "me", "i", "we", "you", "your", "our", "some", "any", "something", "anything", "show", "find", "looking", "look", "want", "need", "get", "buy", "gift", "gifts", "present", "idea", "ideas", "please", "can", "could", "would", "like", "is", "are", "be", "it", "that", "this", "these", "those", "what", "which", "who", "have", "has", "cheap", "nice", "good", "best", "new", "items", "item", "products", "product", "things", "thing", "also", "more", "other", "than", "under", "over", "price", "pounds", "pound", "quid", "around", "about", "goes", "go", "goes", "well", "cheaper", "compare", "similar", "alternative", "alternatives", "instead", "complete", "tell", "details"]
)
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


_WORD_NUMBERS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                 "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
                 "forty": 40, "fifty": 50, "hundred": 100, "a hundred": 100}
_WORD_MONEY = re.compile(r"\b(a hundred|" + "|".join(sorted((w for w in _WORD_NUMBERS if w != "a hundred"), key=len,
                                                              reverse=True)) + r")\s+(pounds?|quid|pence)\b", re.I)
_SLANG = re.compile(r"\b(?:a\s+)?(fiver|tenner)\b", re.I)


def money_words(text: str) -> str:
    """Amounts written in words as digits: "under three pounds" -> "under 3 pounds",
    "less than a fiver" -> "less than 5 pounds"."""
    text = _WORD_MONEY.sub(lambda m: f"{_WORD_NUMBERS[m.group(1).lower()]} {m.group(2)}", text)
    return _SLANG.sub(lambda m: "5 pounds" if m.group(1).lower() == "fiver" else "10 pounds", text)


def _money(raw: str, context: str) -> float:
    value = float(raw.replace(",", "."))
    return value / 100 if _PENCE.search(context) else value


def parse_prices(text: str) -> tuple[float | None, float | None, list[str]]:
    """Return (min, max, matched phrases). "between 2 and 10 pounds" -> (2, 10).
    Amounts in words are read too; the phrases are then those of `money_words(text)`."""
    text = money_words(text)
    lo = hi = None
    found: list[str] = []
    for pattern in (_BETWEEN, _RANGE):
        m = pattern.search(text)
        if m:
            a, b = _money(m.group(1), m.group(0)), _money(m.group(2), m.group(0))
            lo, hi = min(a, b), max(a, b)
            found.append(m.group(0))
            text = text.replace(m.group(0), " ")
            break
    m = _MAX.search(text)
    if m:
        hi = _money(m.group(1), m.group(0))
        found.append(m.group(0))
        text = text.replace(m.group(0), " ")
    m = _MIN.search(text)
    if m:
        lo = _money(m.group(1), m.group(0))
        found.append(m.group(0))
    return lo, hi, found


def extract_mentions(text: str) -> list[Mention]:
    out = []
    for m in _MENTION.finditer(text):
        relation = _RELATION.get(re.sub(r"\s+", " ", m.group("rel").lower()), "like")
        phrase = _CLAUSE_END.sub("", m.group("phrase")).strip()
        phrase = _LEADING_ARTICLE.sub("", phrase).strip()
        if relation == "cheaper_than" and re.fullmatch(_MONEY, phrase, re.I):
            continue  # "cheaper than £5" is a price limit, not a product
        if relation == "compare":
            out += [Mention("compare", p.strip()) for p in re.split(r"\s+(?:and|with|vs\.?|versus|or)\s+", phrase) if p.strip()]
        elif phrase:
            out.append(Mention(relation, phrase))
    return out


def content_words(text: str) -> tuple[str, ...]:
    return tuple(w for w in _WORD.findall(text.lower()) if w not in STOPWORDS and not w.isdigit())


def parse_question(text: str) -> ParsedQuestion:
    text = money_words(text)
    lo, hi, phrases = parse_prices(text)
    mentions = extract_mentions(text)
    search = text
    for phrase in phrases:
        search = search.replace(phrase, " ")
    search = re.sub(r"\s+", " ", search).strip()
    return ParsedQuestion(
        text=text,
        search_text=search,
        min_price=lo,
        max_price=hi,
        mentions=mentions,
        words=content_words(search),
        price_phrases=phrases,
    )

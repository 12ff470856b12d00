"""The one public retrieval call: a question and/or a history become explained candidates."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np

from ..baskets import Basket
from ..errors import ConfigError, NotFoundError
from ..products import Catalogue
from ..shop import ShopProfile
from ..vectors import ExactVectors
from . import item_neighbours
from .copurchase import CopurchaseModel, CopurchaseSource
from .filters import allowed_mask, relaxation_steps
from .fusion import Fused, FusionWeights, fuse
from .item_neighbours import NeighbourTable
from .lexicon import Lexicon
from .match_order import MATCH_POOL, cheapest_first, popular_first
from .mentions import MentionResolver, Resolved
from .question import ParsedQuestion, content_words, parse_question
from .sources import (
    CandidateSource,
    Context,
    NeighbourSource,
    PopularitySource,
    ProfileSource,
    RepeatSource,
    RulesSource,
    Scored,
    SemanticSource,
)
from .types import Candidate, Evidence, Filters, Recommendations

if TYPE_CHECKING:
    from ..ranking.ranker import Ranked, Ranker

log = logging.getLogger(__name__)

MAX_K = 200
# The shop's best sellers, for a question that asks for popular things and names none.
POPULAR_ONLY = FusionWeights(semantic=0, repeat=0, rules=0, copurchase=0, neighbours=0, profile=0, popularity=1)


@dataclass
class Request:
    """One prepared request: what every source reads, and what the answer must report."""

    ctx: Context
    filters: Filters
    relaxed: list[str]
    notes: list[str]


class Retriever:
    """Holds the catalogue, the vectors, the rules and the encoder; answers `recommend`."""

    def __init__(
        self,
        catalogue: Catalogue,
        vectors: ExactVectors,
        *,
        encode_query: Callable[[str], np.ndarray] | None = None,
        rules_apply: Callable | None = None,
        copurchase: CopurchaseModel | None = None,
        n_baskets: int = 1,
        weights: FusionWeights | None = None,
        discover_weights: FusionWeights | None = None,
        extra_sources: Sequence[CandidateSource] = (),
        ranker: Ranker | None = None,
        shop: ShopProfile | None = None,
        neighbour_table: Callable[[ExactVectors], NeighbourTable] | None = None,
    ) -> None:
        self.catalogue = catalogue
        # Whose shop this is: prices in questions are read, and told, in its currency.
        self.shop = shop or ShopProfile()
        self.money = self.shop.money
        frame = catalogue.frame
        self.ids: list[str] = [str(i) for i in frame.index]
        self.position = {pid: i for i, pid in enumerate(self.ids)}
        self.titles = dict(zip(self.ids, frame["title"].astype(str), strict=True))
        self.prices = frame["price"].to_numpy(dtype=np.float64)
        self.categories = frame["category"].fillna("").astype(str).str.lower().to_numpy()
        self.category_names = frozenset(c for c in self.categories if c)  # once, not per question
        self.vectors = vectors.aligned_to(self.ids)
        self.encode_query = encode_query
        # Two tuned mixes: the default, and "discover" for when owned items are excluded
        # (then buy-again is off and the other sources must carry the list).
        self.weights = weights or FusionWeights()
        self.discover_weights = discover_weights or self.weights
        self.resolver = MentionResolver(
            self.ids, list(self.titles.values()), self.vectors.matrix, encode_query,
            popularity=frame["popularity"].to_numpy(),
        )
        # Each product's nearest products, in this retriever's row order: `neighbour_table`
        # gets them for these vectors (serving: saved under the data root; default: this
        # process's memo, else computed; see item_neighbours.py).
        table = (neighbour_table or item_neighbours.neighbour_table)(self.vectors)
        if table.rows.shape[0] != len(self.ids):
            raise ValueError(f"a neighbour table of {table.rows.shape[0]} rows for {len(self.ids)} products")
        self.sources: dict[str, CandidateSource] = {
            "semantic": SemanticSource(self.vectors, Lexicon(list(self.titles.values()))),
            "repeat": RepeatSource(frame["popularity"].to_numpy(dtype=np.float64)),
            "neighbours": NeighbourSource(self.vectors, table=table),
            "profile": ProfileSource(self.vectors),
            "popularity": PopularitySource(frame["popularity"].to_numpy(), n_baskets),
        }
        if rules_apply is not None:
            self.sources["rules"] = RulesSource(rules_apply)
        if copurchase is not None:
            self.sources["copurchase"] = CopurchaseSource(copurchase, self.ids)
        for source in extra_sources:
            self.sources[source.name] = source
        # The learned ranker orders personal recommendations (a dated history, no question);
        # everything else, and a retriever without a valid model, is answered by the fusion.
        self.ranker = ranker

    def resolve(self, phrase: str) -> Resolved | None:
        return self.resolver.resolve(phrase)

    def recommend(
        self,
        question: str | None = None,
        history: Sequence[str] | Sequence[Basket] | None = None,
        k: int = 10,
        filters: Filters | None = None,
        weights: FusionWeights | None = None,
        now: datetime | None = None,
    ) -> Recommendations:
        """Up to k candidates for a question and/or a history, oldest first: product ids,
        or dated `Basket`s (then the learned ranker, when one is loaded, orders them, and
        `now` is the moment asked about: default the end of the shop's data).

        filters: price range, categories, exclude/restrict ids, and exclude_owned (leave out
        what the history already holds). When the filters leave fewer than k products they
        are loosened step by step and every candidate's evidence says so.
        """
        request = self.prepare(question, history, k, filters, now)
        q = request.ctx.question
        if weights is None and q is not None and q.popular_first and not q.words:
            # "what's popular?", "your best sellers": the shop's, whoever asks.
            weights = POPULAR_ONLY
        ranked = self.ranked(request, k) if weights is None else None
        if ranked is not None:
            return self.assemble_ranked(request, ranked)
        mix = weights or (self.discover_weights if request.filters.exclude_owned else self.weights)
        order = None
        if q is not None and q.words:
            order = "cheapest" if q.cheapest_first else "popular" if q.popular_first else None
        lists = self.source_lists(request, k * MATCH_POOL if order else k * 3, mix)
        fused = fuse(lists, mix, k * MATCH_POOL if order else k)
        if order == "cheapest" and q is not None:
            fused = cheapest_first(fused, q.words, self.catalogue, k, request.notes)
        elif order == "popular" and q is not None:
            popularity = self.sources["popularity"]
            assert isinstance(popularity, PopularitySource)  # set in __init__, never replaced
            fused = popular_first(fused, q.words, self.catalogue, k, request.notes,
                                  lambda pid: popularity.entry(pid, self.position[pid]))
        return self.assemble(request, fused)

    def similar_items(
        self, product_ids: str | Sequence[str], k: int = 10, filters: Filters | None = None
    ) -> Recommendations:
        """Alternatives: the products nearest to one or more products (never themselves)."""
        return self._anchored(product_ids, k, filters, FusionWeights(
            semantic=0, repeat=0, rules=0, copurchase=0, neighbours=1, profile=0, popularity=0.001))

    def bought_together(
        self, product_ids: str | Sequence[str], k: int = 10, filters: Filters | None = None
    ) -> Recommendations:
        """Add-ons: what baskets holding these products also hold (rules first, co-purchase after)."""
        return self._anchored(product_ids, k, filters, FusionWeights(
            semantic=0, repeat=0, rules=1, copurchase=0.5, neighbours=0, profile=0, popularity=0.001))

    def _anchored(self, product_ids, k, filters, weights) -> Recommendations:
        anchors = [product_ids] if isinstance(product_ids, str) else list(product_ids)
        unknown = [p for p in anchors if p not in self.position]
        if unknown:
            raise NotFoundError(f"unknown product id(s): {', '.join(map(repr, unknown))}")
        base = filters or Filters()
        filters = replace(base, exclude=tuple(dict.fromkeys([*base.exclude, *anchors])))
        request = self.prepare(None, None, k, filters)
        request.ctx.seeds = anchors
        lists = self.source_lists(request, k * 3, weights)
        return self.assemble(request, fuse(lists, weights, k))

    def ranked(self, request: Request, k: int) -> list[Ranked] | None:
        """The learned ranker's top k for this request, or None when the fusion answers."""
        mode = self.ranked_mode(request)
        ranker = self.ranker
        if mode is None or ranker is None:  # a mode is only ever given with a ranker
            return None
        return ranker.rank(request.ctx, self.source_lists(request, ranker.settings.depth), mode, k)

    def ranked_mode(self, request: Request) -> str | None:
        """The ranker's mode for this request, or None when the fusion answers."""
        ctx = request.ctx
        if self.ranker is None or not ctx.baskets or ctx.seeds or ctx.query_vector is not None:
            return None
        if ctx.question is not None and ctx.question.words:
            return None
        mode = "new" if request.filters.exclude_owned else "all"
        return mode if self.ranker.model.has(mode) else None

    def prepare(
        self,
        question: str | None = None,
        history: Sequence[str] | Sequence[Basket] | None = None,
        k: int = 10,
        filters: Filters | None = None,
        now: datetime | None = None,
    ) -> Request:
        """Parse the question, resolve mentions, build and (if needed) relax the filter mask."""
        if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= MAX_K:
            raise ConfigError(f"k must be an integer from 1 to {MAX_K}, got {k!r}.")
        baskets = [b for b in (history or []) if isinstance(b, Basket)]
        if baskets and now is not None:
            # Nothing bought at or after the moment asked about may inform the answer.
            baskets = [b for b in baskets if b.timestamp is None or b.timestamp < now]
        if baskets:
            history = [pid for b in baskets for pid in b.items]
            if any(b.timestamp is None for b in baskets):
                baskets = []  # without dates there is no rhythm to learn from
        history = [h for h in (history or []) if h in self.position]
        filters = filters or Filters()
        parsed = parse_question(question, self.money) if question and question.strip() else None
        notes: list[str] = []
        seeds, filters = self._apply_question(parsed, filters, notes)
        owned = set(history)
        relaxed: list[str] = []
        mask = allowed_mask(self, filters, owned)
        for step_name, looser in relaxation_steps(filters, self.money):
            if int(mask.sum()) >= k:
                break
            filters, mask = looser, allowed_mask(self, looser, owned)
            relaxed.append(step_name)
        ctx = Context(
            ids=self.ids, titles=self.titles, mask=mask, history=history, question=parsed, seeds=seeds,
            query_vector=self._query_vector(parsed), position=self.position,
            baskets=baskets, now=now, customer_id=_one_customer(baskets),
        )
        return Request(ctx, filters, relaxed, notes)

    def source_lists(
        self, request: Request, depth: int, weights: FusionWeights | None = None
    ) -> dict[str, list[Scored]]:
        """Every applicable source's own ranked list (fusion weights are applied later).

        With `weights`, sources weighted zero are not asked at all.
        """
        lists = {}
        for name, source in self.sources.items():
            if name == "repeat" and request.filters.exclude_owned:
                continue
            if weights is not None and weights.of(name) <= 0:
                continue
            lists[name] = source.candidates(request.ctx, depth)
        return lists

    def assemble(self, request: Request, fused: list[Fused]) -> Recommendations:
        candidates = []
        for f in fused:
            # The reason that put it here first; popularity is context, so it goes last.
            parts = sorted(f.parts, key=lambda p: (p[0] != f.role_source, p[0] == "popularity"))
            evidence = [entry.evidence for _, entry in parts]
            candidates.append(self._candidate(request, f.product_id, f.score, self.sources[f.role_source].role,
                                              evidence))
        return Recommendations(candidates, request.filters, request.relaxed, request.notes)

    def assemble_ranked(self, request: Request, ranked: list[Ranked]) -> Recommendations:
        candidates = [self._candidate(request, r.product_id, r.score, r.role, list(r.evidence)) for r in ranked]
        return Recommendations(candidates, request.filters, request.relaxed, request.notes)

    def _candidate(self, request: Request, pid: str, score: float, role, evidence: list[Evidence]) -> Candidate:
        if request.relaxed:
            evidence.append(Evidence("filter", "shown after loosening: " + "; ".join(request.relaxed)))
        return Candidate(self.catalogue.get(pid), score, role, evidence)

    def _apply_question(self, parsed: ParsedQuestion | None, filters: Filters, notes: list[str]):
        if parsed is None:
            return [], filters
        if parsed.min_price is not None and filters.min_price is None:
            filters = replace(filters, min_price=parsed.min_price)
        if parsed.max_price is not None and filters.max_price is None:
            filters = replace(filters, max_price=parsed.max_price)
        seeds = []
        for mention in parsed.mentions:
            found = self.resolver.resolve(mention.phrase)
            if found is None:
                notes.append(f"no product matches {mention.phrase!r}")
                continue
            if found.ambiguous and found.runner_up is not None:  # ambiguous implies a runner-up
                notes.append(f"{mention.phrase!r} could be {found.title} or {found.runner_up[1]}")
            seeds.append(found.product_id)
            if mention.relation == "cheaper_than":
                price = self.catalogue.get(found.product_id).price
                if price is not None:
                    filters = replace(filters, max_price=round(price - 0.01, 2))
        if seeds:
            filters = replace(filters, exclude=tuple(dict.fromkeys([*filters.exclude, *seeds])))
            # The named product is an anchor for add-ons and alternatives, not words to search.
            rest = parsed.search_text
            for mention in parsed.mentions:
                rest = rest.replace(mention.phrase, " ")
            parsed.search_text = " ".join(rest.split())
            parsed.words = content_words(parsed.search_text, self.money)
        words = set(parsed.words)
        cats = tuple(sorted(c for c in self.category_names if c in words))
        if cats and not filters.categories:
            filters = replace(filters, categories=cats)
        return seeds, filters

    def _query_vector(self, parsed: ParsedQuestion | None) -> np.ndarray | None:
        if parsed is None or self.encode_query is None or not parsed.words:
            return None
        return self.encode_query(parsed.search_text)


def _one_customer(baskets: Sequence[Basket]) -> str | None:
    """The customer whose own history this is, when every basket says the same one."""
    owners = {b.customer_id for b in baskets}
    return owners.pop() if len(owners) == 1 else None

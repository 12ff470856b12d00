"""`ShoppingAssistant`: the one object a shell (CLI, HTTP, UI) talks to.

    assistant = ShoppingAssistant.open()            # the built index under $SHOPASSIST_HOME
    reply = assistant.chat("s1", "a lunch bag under £2")
    reply.text, reply.products, reply.tool_calls
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from retrieval.config import data_root
from retrieval.errors import ConfigError, NotFoundError
from retrieval.recommend import Retriever

from .agent.grounding import Grounding, Ledger
from .agent.loop import MAX_ROUNDS, AgentLoop
from .agent.models import make_model
from .agent.prompts import SYSTEM_PROMPT, session_context
from .agent.tools import LIST_TOOLS, ToolBox
from .session import Session, SessionStore

log = logging.getLogger(__name__)

ROLES = ("shopper", "service")
HISTORY_TURNS = 6  # earlier turns sent to the model as plain text


@dataclass
class Reply:
    """One answer: the text, the products it is about, the tool calls made, and the evidence."""

    text: str
    products: list[dict[str, Any]] = field(default_factory=list)
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    session_id: str = ""
    grounding: dict[str, Any] = field(default_factory=dict)
    events: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "products": self.products, "tool_calls": self.tool_calls,
                "evidence": self.evidence, "session_id": self.session_id, "grounding": self.grounding,
                "events": self.events}


class ShoppingAssistant:
    def __init__(self, retriever: Retriever, dataset: Any = None, *, model: str | BaseChatModel = "offline",
                 role: str = "shopper", max_rounds: int = MAX_ROUNDS, sessions: SessionStore | None = None,
                 rule_store: Any = None, **model_options: Any) -> None:
        if role not in ROLES:
            raise ConfigError(f"role must be one of {', '.join(ROLES)}, got {role!r}.")
        self.retriever, self.dataset, self.role = retriever, dataset, role
        self.rule_store = rule_store  # retrieval.rules.RuleStore, for `rules()` without an item
        self.model = make_model(model, **model_options)
        self.sessions = sessions or SessionStore()
        self.loop = AgentLoop(self.model, Grounding(retriever.titles), max_rounds=max_rounds)

    @classmethod
    def open(cls, home: str | os.PathLike[str] | None = None, model: str | BaseChatModel = "offline",
             role: str = "shopper", **options: Any) -> ShoppingAssistant:
        """The assistant over what `shopassist build` saved under `home` (or $SHOPASSIST_HOME)."""
        from retrieval.dataset import Dataset
        from retrieval.errors import IndexNotFoundError
        from retrieval.recommend.loader import open_retriever
        from retrieval.rules.store import load_rules

        from .loading import load_saved_or_bundled

        dataset: Dataset = load_saved_or_bundled(None if home is None else str(home))
        retriever = open_retriever(home, dataset=dataset)
        try:
            store = load_rules(home)
        except IndexNotFoundError:
            store = None
        return cls(retriever, dataset, model=model, role=role, rule_store=store, **options)

    # -- chat ----------------------------------------------------------------------------
    def session(self, session_id: str, customer_id: str | None = None) -> Session:
        return self.sessions.get(session_id, customer_id)

    def chat(self, session_id: str, message: str, customer_id: str | None = None) -> Reply:
        session = self.sessions.get(session_id, customer_id)
        toolbox = ToolBox(self.retriever, session, self.role, self.dataset)
        ledger = Ledger(products=dict(session.known)).extend(session.shown)
        result = self.loop.run(self._messages(session, message), toolbox, ledger)
        self._remember(session, message, result, ledger)
        products = _products(result.results)
        return Reply(
            text=result.text, products=products,
            tool_calls=[r.to_dict() for r in result.results],
            evidence=[{"product_id": p["product_id"], **e} for p in products for e in p.get("evidence", [])],
            session_id=session_id, grounding=result.verdict.to_dict(), events=result.events,
        )

    def _messages(self, session: Session, message: str) -> list[BaseMessage]:
        msgs: list[BaseMessage] = [SystemMessage(SYSTEM_PROMPT), SystemMessage(session_context(session.context()))]
        for turn in session.turns[-HISTORY_TURNS:]:
            msgs.append(HumanMessage(turn.text) if turn.role == "user" else AIMessage(turn.text))
        msgs.append(HumanMessage(message))
        return msgs

    def _remember(self, session: Session, message: str, result, ledger: Ledger) -> None:
        session.add_turn("user", message)
        session.add_turn("assistant", result.text, [{"name": r.name, "args": r.args} for r in result.results])
        session.known.update(ledger.products)
        for r in result.results:
            if "error" in r.data:
                continue
            if r.name in LIST_TOOLS:
                session.shown = [{"product_id": p["product_id"], "title": p["title"], "price": p["price"]}
                                 for p in r.data.get("products", [])]
                session.focus = None  # a new list: "it" now means its first item
            if r.name == "search_products":
                session.last_search = {k: v for k, v in r.args.items() if k != "exclude"}
            single = r.data.get("product") or r.data.get("added") or r.data.get("anchor")
            if single:
                session.focus = {"product_id": single["product_id"], "title": single["title"],
                                 "price": single.get("price")}

    # -- sessions on disk ------------------------------------------------------------------
    def save_session(self, session_id: str, path: str | os.PathLike[str] | None = None) -> Path:
        if session_id not in self.sessions:
            raise NotFoundError(f"no session {session_id!r}")
        return self.sessions.get(session_id).save(path or sessions_dir() / f"{session_id}.json")

    def load_session(self, path: str | os.PathLike[str]) -> Session:
        session = Session.load(path)
        self.sessions.put(session)
        return session

    # -- direct calls, the same dict shapes as the tools -------------------------------------
    def _tools(self) -> ToolBox:
        return ToolBox(self.retriever, Session("_direct"), self.role, self.dataset)

    def recommend(self, question: str, min_price: float | None = None, max_price: float | None = None,
                  k: int = 5) -> dict[str, Any]:
        return self._tools().search_products(question, min_price, max_price, k)

    def related(self, product_id: str, kind: str = "similar", k: int = 5) -> dict[str, Any]:
        if kind not in ("similar", "together"):
            raise ConfigError(f"kind must be 'similar' or 'together', got {kind!r}.")
        tools = self._tools()
        tools.k = k
        return tools.similar_items(product_id) if kind == "similar" else tools.bought_together([product_id])

    def rules(self, item: str | None = None, k: int = 10, by: str = "lift") -> dict[str, Any]:
        """Association rules, strongest (`by`) first: all of them, or those whose antecedent holds
        `item`. Each carries its figures and a quotable sentence (`Rule.describe`)."""
        if self.rule_store is not None:
            import numpy as np

            store = self.rule_store
            pid = self._tools().resolve_id(item) if item else None
            rows = store.with_antecedent_item(pid) if pid else np.arange(len(store))
            rows = rows[np.argsort(-store.column(by)[rows], kind="stable")][:k]
            titles = self.retriever.titles
            return {"item": {"product_id": pid, "title": titles.get(pid)} if pid else None,
                    "rules": [{**r.to_dict(), "text": r.describe(titles)} for r in store.rules(rows.tolist())]}
        if item is None:
            raise ConfigError("no rule store loaded: name an item, or open the assistant with its rules.")
        tools = self._tools()
        tools.k = k
        data = tools.bought_together([item])
        rules = [{**e, "consequent": p["product_id"], "consequent_title": p["title"]}
                 for p in data.get("products", []) for e in p["evidence"] if e["source"] == "rules"]
        return {"item": data["anchors"][0], "rules": rules}


def sessions_dir(home: str | os.PathLike[str] | None = None) -> Path:
    return data_root(home) / "sessions"


def _products(results) -> list[dict[str, Any]]:
    """The products this turn is about: every product the tools returned, first seen first."""
    seen: dict[str, dict[str, Any]] = {}
    for r in results:
        d = r.data
        for p in [*d.get("products", []), *([d["product"]] if "product" in d else []),
                  *([d["added"]] if "added" in d else [])]:
            if isinstance(p, dict) and "product_id" in p:
                seen.setdefault(p["product_id"], p)
    return list(seen.values())

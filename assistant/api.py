"""`ShoppingAssistant`: the one object a shell (CLI, HTTP, UI) talks to.

    assistant = ShoppingAssistant.open()            # the built index under $SHOPASSIST_HOME
    reply = assistant.chat("s1", "a lunch bag under 2 pounds")
    reply.text, reply.results        # the typed tool results (`assistant.results`)
    reply.products, reply.tool_calls # the same in their JSON form
"""

from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from retrieval.config import data_root
from retrieval.errors import AccessDeniedError, ConfigError, NotFoundError
from retrieval.recommend import Retriever

from .agent.grounding import Grounding, Ledger
from .agent.hints import follow_up_hints
from .agent.limits import TurnLimits
from .agent.loop import AgentLoop
from .agent.models import make_model
from .agent.prompts import session_context, system_prompt
from .agent.tools import LIST_TOOLS, TOOL_NAMES, ToolBox
from .agent.writer import ToolResult
from .results import (
    BasketView,
    CustomerProfile,
    Explanation,
    Listing,
    OrderLine,
    ProductDetails,
    ProductRef,
    RuleLine,
    RulesView,
    ToolOutput,
    price,
    products_of,
)
from .session import Session
from .session_setup import open_sessions
from .session_store import SessionStore, Status
from .voice import about_customer

log = logging.getLogger(__name__)

ROLES = ("shopper", "service")
HISTORY_TURNS = 6  # earlier turns sent to the model as plain text
HISTORY_CHARS = 240  # of each earlier answer


@dataclass
class Reply:
    """One answer: the text, the tool calls made with their typed results, and the grounding
    verdict. `products`, `tool_calls` and `evidence` are the JSON forms programs read."""

    text: str
    results: list[ToolResult] = field(default_factory=list)
    session_id: str = ""
    grounding: dict[str, Any] = field(default_factory=dict)
    events: list[str] = field(default_factory=list)
    currency: str | None = None  # ISO 4217 code of the products' prices
    # "resumed", or "new" / "expired" when this message opened a new, empty session.
    session_status: Status = "resumed"

    @property
    def product_views(self) -> list[Any]:
        """The products this turn is about (typed): every product the tools returned, first seen first."""
        return products_of([r.output for r in self.results])

    @property
    def products(self) -> list[dict[str, Any]]:
        return [p.to_json() for p in self.product_views]

    @property
    def tool_calls(self) -> list[dict[str, Any]]:
        return [r.to_dict() for r in self.results]

    @property
    def evidence(self) -> list[dict[str, Any]]:
        return [{"product_id": p.product_id, **e.to_json()} for p in self.product_views for e in getattr(p, "evidence", ())]

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "currency": self.currency, "session_status": self.session_status,
                "products": self.products, "tool_calls": self.tool_calls,
                "evidence": self.evidence, "session_id": self.session_id, "grounding": self.grounding,
                "events": self.events}


class ShoppingAssistant:
    def __init__(self, retriever: Retriever, dataset: Any = None, *, model: str | BaseChatModel = "offline",
                 role: str = "shopper", max_rounds: int | None = None, sessions: SessionStore | None = None,
                 rule_store: Any = None, limits: TurnLimits | None = None, answers: str | None = None,
                 **model_options: Any) -> None:
        if role not in ROLES:
            raise ConfigError(f"role must be one of {', '.join(ROLES)}, got {role!r}.")
        self.retriever, self.dataset, self.role = retriever, dataset, role
        self.rule_store = rule_store  # retrieval.rules.RuleStore, for `rules()` without an item
        self.limits = limits or TurnLimits.from_env(max_rounds=max_rounds)
        self.model = make_model(model, limits=self.limits, **model_options)
        # SQLite under the data root unless $SHOPASSIST_SESSIONS_URL names another database.
        self.sessions = sessions or open_sessions(scope=role)
        # answers: "model" (the model writes them), "composed" (written from the evidence),
        # "auto" (composed for a model that needs constrained output); SHOPASSIST_ANSWERS.
        self.shop = retriever.shop
        self.system_prompt = system_prompt(self.shop)
        grounding = Grounding(retriever.titles, tool_names=TOOL_NAMES, money=retriever.money)
        self.loop = AgentLoop(self.model, grounding, limits=self.limits,
                              answers=answers or os.environ.get("SHOPASSIST_ANSWERS", "auto"))

    @classmethod
    def open(cls, home: str | os.PathLike[str] | None = None, model: str | BaseChatModel = "offline",
             role: str = "shopper", **options: Any) -> ShoppingAssistant:
        """The assistant over what `shopassist build` saved under `home` (or $SHOPASSIST_HOME)."""
        from retrieval.datasets import resolve_dataset
        from retrieval.recommend.loader import open_served
        from retrieval.recommend.threads import limit_blas_threads

        resolved = resolve_dataset(root=home)
        # ask/chat print the answer (or JSON) on stdout, so the data's origin goes to the log.
        log.info("%s", resolved.describe())
        dataset = resolved.dataset
        served = open_served(home, dataset=dataset)  # the rules are read once, for both
        retriever, store = served.retriever, served.rules
        limit_blas_threads()  # a serving process: one BLAS thread per query (see threads.py)
        # The sessions live with the data they are about (or in $SHOPASSIST_SESSIONS_URL).
        options.setdefault("sessions", open_sessions(home, scope=role))
        return cls(retriever, dataset, model=model, role=role, rule_store=store, **options)

    # -- chat ----------------------------------------------------------------------------
    def session(self, session_id: str) -> Session:
        """The session as stored now (an empty one when unknown or expired)."""
        return self.sessions.read(session_id) or Session(session_id)

    def delete_session(self, session_id: str) -> bool:
        """Forget a session: its turns and basket are removed from the store."""
        return self.sessions.delete(session_id)

    def chat(self, session_id: str, message: str, customer_id: str | None = None) -> Reply:
        # The turn holds the session's lock, and its changes are committed before it returns.
        with self.sessions.transaction(session_id, customer_id) as opened:
            reply = self._chat(opened.session, message)
            reply.session_status = opened.status
        return reply

    def sign_in(self, session_id: str, customer_id: str | None) -> dict[str, Any]:
        """Bind a shopper session to the customer the integrating app has signed in (None:
        signed out, a guest again): "what should I buy?" then draws on their own past orders.
        Call it from the app's own server, after its own login: whoever can bind a session
        reads that customer's order-based ideas. A customer with no orders yet is accepted
        (a new account); `orders` says how many this shop holds for them."""
        cid = str(customer_id).strip() if customer_id is not None else ""
        if customer_id is not None and not cid:
            raise ConfigError("customer_id must not be empty; pass None to sign the session out.")
        with self.sessions.transaction(session_id) as opened:
            opened.session.customer_id = cid or None
        orders = len(self.dataset.baskets.history(cid)) if cid and self.dataset is not None else 0
        return {"session_id": session_id, "customer_id": cid or None, "orders": orders}

    def _chat(self, session: Session, message: str) -> Reply:
        session_id = session.session_id
        toolbox = self._tools(session)
        toolbox.message = message  # the basket tools run only when this message asks for a change
        ledger = Ledger(products=dict(session.known)).extend(session.shown)
        result = self.loop.run(self._messages(session, message), toolbox, ledger)
        self._remember(session, message, result, ledger)
        return Reply(text=result.text, results=list(result.results), session_id=session_id,
                     grounding=result.verdict.to_dict(), events=result.events, currency=self.shop.currency)

    def _messages(self, session: Session, message: str) -> list[BaseMessage]:
        context = {**session.context(), "currency": self.shop.currency, "locale": self.shop.locale}
        msgs: list[BaseMessage] = [SystemMessage(self.system_prompt), SystemMessage(session_context(context))]
        for turn in session.turns[-HISTORY_TURNS:]:
            # Earlier answers only in brief: the list they showed is in the session state, and
            # a small model copies long earlier answers instead of answering.
            text = turn.text if turn.role == "user" or len(turn.text) <= HISTORY_CHARS else (
                turn.text[:HISTORY_CHARS].rsplit(" ", 1)[0] + " ...")
            msgs.append(HumanMessage(text) if turn.role == "user" else AIMessage(text))
        hint = follow_up_hints(message, context)  # "the third one" resolved in code, for the model
        if hint:
            msgs.append(SystemMessage(hint))
        msgs.append(HumanMessage(message))
        return msgs

    def _remember(self, session: Session, message: str, result, ledger: Ledger) -> None:
        session.add_turn("user", message)
        session.add_turn("assistant", result.text, [{"name": r.name, "args": r.args} for r in result.results])
        session.known.update(ledger.products)
        for r in result.results:
            if r.failed:
                continue
            if r.name in LIST_TOOLS and isinstance(r.output, Listing):
                session.shown = list(r.output.products)
                session.focus = None  # a new list: "it" now means its first item
            if r.name == "search_products":
                session.last_search = {k: v for k, v in r.args.items() if k != "exclude"}
            single = _singled_out(r.output)
            if single is not None:
                session.focus = {"product_id": single.product_id, "title": single.title, "price": single.price}

    # -- sessions on disk ------------------------------------------------------------------
    def save_session(self, session_id: str, path: str | os.PathLike[str] | None = None) -> Path:
        session = self.sessions.read(session_id)
        if session is None:
            raise NotFoundError(f"no session {session_id!r}")
        return session.save(path or sessions_dir() / f"{session_id}.json")

    def load_session(self, path: str | os.PathLike[str]) -> Session:
        session = Session.load(path)
        with self.sessions.transaction(session.session_id) as opened:
            opened.session.__dict__.update(session.__dict__)
        return session

    # -- direct calls: the tools' results in their JSON form ----------------------------------
    def _tools(self, session: Session | None = None) -> ToolBox:
        """This role's tools over a session (a throwaway one for the direct calls)."""
        return ToolBox(self.retriever, session or Session("_direct"), self.role, self.dataset)

    def recommend(self, question: str, min_price: float | None = None, max_price: float | None = None,
                  k: int = 5) -> dict[str, Any]:
        return self._tools().search_products(question, min_price, max_price, k).to_json()

    def related(self, product_id: str, kind: str = "similar", k: int = 5) -> dict[str, Any]:
        if kind not in ("similar", "together"):
            raise ConfigError(f"kind must be 'similar' or 'together', got {kind!r}.")
        tools = self._tools()
        tools.k = k
        found = tools.similar_items(product_id) if kind == "similar" else tools.bought_together([product_id])
        return found.to_json()

    def rules(self, item: str | None = None, k: int = 10, by: str = "lift", *,
              side: str = "antecedent", min_support: float = 0.0, min_confidence: float = 0.0,
              min_lift: float = 0.0) -> dict[str, Any]:
        """Association rules, strongest (`by`) first: all of them, or those holding `item` on
        `side` ("antecedent", "consequent" or "any"), at or above the given thresholds. Each
        carries its figures (`Rule.to_dict`) and a quotable sentence; the JSON of `RulesView`."""
        return self.rules_view(item, k, by, side=side, min_support=min_support, min_confidence=min_confidence,
                               min_lift=min_lift).to_json()

    def rules_view(self, item: str | None = None, k: int = 10, by: str = "lift", *,
                   side: str = "antecedent", min_support: float = 0.0, min_confidence: float = 0.0,
                   min_lift: float = 0.0) -> RulesView:
        """`rules` typed. Without a rule store, the rules the retriever quotes for what goes
        with `item` (its bought-together evidence), in the same shape."""
        if side not in ("antecedent", "consequent", "any"):
            raise ConfigError(f"side must be 'antecedent', 'consequent' or 'any', got {side!r}.")
        titles = self.retriever.titles
        if self.rule_store is not None:
            import numpy as np

            store = self.rule_store
            pid = self._tools().resolve_id(item) if item else None
            if pid is None:
                rows = np.arange(len(store))
            else:
                parts = [store.with_antecedent_item(pid)] if side != "consequent" else []
                parts += [store.with_consequent(pid)] if side != "antecedent" else []
                rows = np.unique(np.concatenate(parts))
            keep = ((store.column("support")[rows] >= min_support)
                    & (store.column("confidence")[rows] >= min_confidence)
                    & (store.column("lift")[rows] >= min_lift))
            rows = rows[keep]
            total = len(rows)
            rows = rows[np.argsort(-store.column(by)[rows], kind="stable")][: max(0, int(k))]
            return RulesView(item=ProductRef(pid, titles.get(pid)) if pid else None, matched=total,
                             rules=tuple(RuleLine(r, r.describe(titles)) for r in store.rules(rows.tolist())))
        if item is None:
            raise ConfigError("no rule store loaded: name an item, or open the assistant with its rules.")
        pid = self._tools().resolve_id(item)
        rec = self.retriever.bought_together(pid, k=k)
        rules = tuple(RuleLine.of(e.rule, e.text) for c in rec.candidates for e in c.evidence
                      if e.source == "rules" and e.rule)
        return RulesView(item=ProductRef(pid, titles[pid]), matched=len(rules), rules=rules)

    # -- products, baskets and customers (what the UI and HTTP shells show beside the chat) --
    def product(self, product_id: str) -> dict[str, Any]:
        """One product's details; NotFoundError for an unknown id."""
        pid = str(product_id).strip()
        if pid not in self.retriever.catalogue:
            raise NotFoundError(f"no product with id {pid!r}")
        return self._tools().details(pid).to_json()

    def basket(self, session_id: str) -> dict[str, Any]:
        """The session's basket: lines, item count, total."""
        return self._tools(self.session(session_id)).show_basket().to_json()

    def add_to_basket(self, session_id: str, product_id: str, quantity: int = 1) -> dict[str, Any]:
        """Add `quantity` of a product (id) to the session's basket; returns the basket."""
        pid = self.product(product_id)["product_id"]
        if int(quantity) < 1:
            raise ConfigError(f"quantity must be at least 1, got {quantity!r}.")
        with self.sessions.transaction(session_id) as opened:
            opened.session.add_to_basket(pid, int(quantity))
            opened.session.known[pid] = self.retriever.titles[pid]  # the agent may now name it
            return self._tools(opened.session).show_basket().to_json()

    def remove_from_basket(self, session_id: str, product_id: str, quantity: int | None = None) -> dict[str, Any]:
        """Take a product out of the session's basket (all of it unless `quantity`)."""
        pid = str(product_id).strip()
        with self.sessions.transaction(session_id) as opened:
            session = opened.session
            if pid not in session.basket:
                raise NotFoundError(f"product {pid!r} is not in the basket")
            session.add_to_basket(pid, -(session.basket[pid] if quantity is None else int(quantity)))
            return self._tools(session).show_basket().to_json()

    def basket_recommendations(self, session_id: str, k: int = 5) -> dict[str, Any]:
        """What goes with the session's basket (rules and co-purchase evidence), or the
        bestsellers while the basket is empty."""
        session = self.session(session_id)
        tools = self._tools(session)
        tools.k = k
        found = tools.bought_together(["basket"]) if session.basket else Listing.of(self.retriever.recommend(None, k=k))
        return found.to_json()

    def customer(self, customer_id: str, k: int = 10) -> dict[str, Any]:
        """A customer's purchase history and recommendations with their evidence. Only the
        customer-service role may call this; a shopper assistant raises AccessDeniedError."""
        self._require_service("a customer's history")
        if self.dataset is None:
            raise ConfigError("no basket history is loaded")
        cid = str(customer_id).strip()
        baskets = self.dataset.baskets.history(cid)
        if not baskets:
            raise NotFoundError(f"no orders for customer {cid!r}")
        titles, catalogue = self.retriever.titles, self.retriever.catalogue
        orders = tuple(OrderLine(b.basket_id, str(b.timestamp) if b.timestamp is not None else None, pid,
                                 titles.get(pid, pid), qty, price(catalogue.get(pid).price) if pid in titles else None)
                       for b in baskets for pid, qty in _quantities(b).items())
        rec = self.retriever.recommend(None, history=baskets, k=k)  # dated: the ranker applies
        return CustomerProfile.of(cid, len(baskets), orders, about_customer(rec)).to_json()

    def example_requests(self) -> list[str]:
        """Requests to show a new shopper: the shop profile's own, else two made from the
        catalogue's best seller (its title's first words and a price just above its own)."""
        if self.shop.examples:
            return list(self.shop.examples)
        frame = self.retriever.catalogue.frame
        if not len(frame):
            return ["show me your best sellers"]
        best = frame.sort_values("popularity", ascending=False, kind="stable").iloc[0]
        words = " ".join(str(best["title"]).lower().split()[:3])
        best_price = best["price"]
        limit = (f" under {self.retriever.money.limit(float(math.ceil(best_price)))}"
                 if best_price == best_price and best_price else "")
        return [f"{words}{limit}", f"what goes with the {str(best['title']).lower()}?"]

    def as_role(self, role: str) -> ShoppingAssistant:
        """A sibling assistant with another role over the same retriever, data, rules and
        model, with its own sessions (a console's chats never mix with shoppers')."""
        if role not in ROLES:
            raise ConfigError(f"role must be one of {', '.join(ROLES)}, got {role!r}.")
        twin = object.__new__(type(self))
        twin.__dict__.update(self.__dict__)
        twin.role, twin.sessions = role, self.sessions.with_scope(role)
        return twin

    def _require_service(self, what: str) -> None:
        if self.role != "service":
            raise AccessDeniedError(f"{what} is only for the customer-service role")


def sessions_dir(home: str | os.PathLike[str] | None = None) -> Path:
    return data_root(home) / "sessions"


def _singled_out(output: ToolOutput) -> Any:
    """The one product a result singles out ("it" from now on), if any: the product detailed,
    explained or added, the one a list is like, or the one taken out."""
    if isinstance(output, ProductDetails | Explanation):
        return output.product
    if isinstance(output, BasketView) and (output.added or output.removed):
        return output.added or output.removed
    if isinstance(output, Listing):
        return output.anchor
    return None


def _quantities(basket) -> dict[str, int]:
    """Quantity per product in one basket (lines of the same product added up)."""
    out: dict[str, int] = {}
    for line in basket.lines:
        out[line.product_id] = out.get(line.product_id, 0) + int(line.quantity)
    return out

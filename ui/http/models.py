"""The typed edge of the HTTP API: request bodies (strict: no coercion, no unknown fields)
and response models that describe the dicts `ShoppingAssistant` returns.

Response models allow extra fields and routes serialise with `exclude_unset`, so an HTTP
answer carries exactly the keys the Python API returned: optional keys it left out stay out
(no invented nulls), and a key the assistant gains later passes through instead of failing
validation. They document and check the shapes; they never reshape them.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

MAX_MESSAGE_CHARS = 4000
RULE_ORDER = Literal["rule_count", "antecedent_count", "consequent_count", "support", "confidence", "lift",
                     "leverage", "conviction", "zhangs_metric", "antecedent_support", "consequent_support"]


def _valid_unicode(text: str) -> str:
    # JSON "\ud800" is a lone surrogate, which no UTF-8 encoder (the tokenizer, the JSON
    # response) accepts. FastAPI's parser refuses it today; this keeps it a 422 whichever
    # parser decoded the body, rather than a failure deep inside the assistant.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text must be valid Unicode (it holds a lone surrogate)") from None
    return text


def _whole(value: Any) -> Any:
    # JSON Schema's "integer" includes 12.0; strict mode alone would refuse it. Only
    # integral floats are let through: "12", true and 12.5 still fail the strict int check.
    return int(value) if isinstance(value, float) and value.is_integer() else value


Message = Annotated[str, StringConstraints(max_length=MAX_MESSAGE_CHARS), AfterValidator(_valid_unicode)]
SessionId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$")]
CustomerId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
ProductRefText = Annotated[str, StringConstraints(min_length=1, max_length=200), AfterValidator(_valid_unicode)]
Price = Annotated[float, Field(ge=0, le=1_000_000, allow_inf_nan=False)]
WholeNumber = Annotated[int, BeforeValidator(_whole)]


class RequestModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class ChatRequest(RequestModel):
    session_id: SessionId = Field(description="The conversation; pick an unguessable id (e.g. a UUID).")
    message: Message = Field(description=f"What the shopper says (at most {MAX_MESSAGE_CHARS} characters).")


class ServiceChatRequest(ChatRequest):
    customer_id: CustomerId | None = Field(None, description="The customer the agent is helping, if any.")


class RecommendRequest(RequestModel):
    question: Message
    min_price: Price | None = None
    max_price: Price | None = None
    k: WholeNumber = Field(5, ge=1, le=20)


class BasketAdd(RequestModel):
    product_id: ProductRefText
    quantity: WholeNumber = Field(1, ge=1, le=1000)


# -- responses -------------------------------------------------------------------------------
class ResponseModel(BaseModel):
    model_config = ConfigDict(extra="allow")


class Evidence(ResponseModel):
    source: str
    text: str
    confidence: float | None = None
    lift: float | None = None
    support: float | None = None
    rule_count: int | None = None
    antecedent_count: int | None = None
    similarity: float | None = None
    related_to: str | None = None
    times_bought: int | None = None


class ProductRef(ResponseModel):
    product_id: str
    title: str | None = None


class Candidate(ResponseModel):
    product_id: str
    title: str
    price: float | None
    category: str | None = None
    role: str
    evidence: list[Evidence]


class Filters(ResponseModel):
    min_price: float | None = None
    max_price: float | None = None
    categories: list[str] | None = None


class Recommendations(ResponseModel):
    question: str | None = None
    anchor: ProductRef | None = None
    anchors: list[ProductRef] | None = None
    filters: Filters
    products: list[Candidate]
    relaxed: list[str] | None = None
    notes: list[str] | None = None


class ProductDetails(ResponseModel):
    product_id: str
    title: str
    price: float | None
    category: str | None = None
    bought_in_baskets: int | None = None
    description: str | None = None
    attributes: dict[str, Any] | None = None


class ToolCall(ResponseModel):
    name: str
    args: dict[str, Any]
    result: dict[str, Any]
    repeated: bool


class GroundingVerdict(ResponseModel):
    ok: bool
    problems: list[str]
    action: str


class ReplyProduct(ResponseModel):
    product_id: str
    title: str
    price: float | None = None


class _ProductKey(ResponseModel):
    product_id: str


class ReplyEvidence(Evidence, _ProductKey):  # this base order puts product_id first, as in the reply
    pass


class Reply(ResponseModel):
    text: str
    currency: str | None = Field(None, description="ISO 4217 code of the products' prices")
    session_status: Literal["new", "resumed", "expired"] = Field(
        "resumed", description="new / expired: this message started a new, empty session")
    products: list[ReplyProduct]
    tool_calls: list[ToolCall]
    evidence: list[ReplyEvidence]
    session_id: str
    grounding: GroundingVerdict
    events: list[str]


class RuleOut(ResponseModel):
    # Required are the two keys both of `ShoppingAssistant.rules`' shapes have (with a rule
    # store: `Rule.to_dict()` + text; without: bought-together evidence + consequent).
    antecedent: list[str] | None = None
    consequent: str
    rule_count: int | None = None
    antecedent_count: int | None = None
    consequent_count: int | None = None
    n_baskets: int | None = None
    support: float | None = None
    confidence: float | None = None
    lift: float | None = None
    leverage: float | None = None
    conviction: float | None = Field(None, description="null when infinite (confidence 1)")
    zhangs_metric: float | None = None
    antecedent_support: float | None = None
    consequent_support: float | None = None
    text: str


class Rules(ResponseModel):
    item: ProductRef | None
    matched: int
    rules: list[RuleOut]


class BasketLine(ResponseModel):
    product_id: str
    title: str
    price: float | None
    quantity: int
    line_total: float | None


class Basket(ResponseModel):
    basket: list[BasketLine]
    items: int
    total: float


class OrderLine(ResponseModel):
    basket_id: str
    date: str | None
    product_id: str
    title: str
    quantity: int
    price: float | None


class Customer(ResponseModel):
    customer_id: str
    orders: int
    lines: list[OrderLine]
    filters: Filters
    products: list[Candidate]
    relaxed: list[str] | None = None
    notes: list[str] | None = None


class Deleted(ResponseModel):
    deleted: str


class Health(ResponseModel):
    status: Literal["ok"]


class Shop(ResponseModel):
    name: str
    sells: str
    currency: str | None = Field(description="ISO 4217 code of every price in the API; null: not set")
    locale: str
    examples: list[str]


class ErrorDetail(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class ErrorInfo(BaseModel):
    type: str = Field(description="Stable machine-readable kind, e.g. not_found, invalid_request.")
    message: str
    details: list[ErrorDetail] | None = Field(None, description="Validation errors only.")


class ErrorResponse(BaseModel):
    error: ErrorInfo

"""The typed edge of the HTTP API: request bodies (strict: no coercion, no unknown fields)
and response models that describe the JSON forms of the assistant's results
(`assistant.results`).

Response models forbid unknown fields: a key the assistant gains must be added here too, and
`RESPONSE_SHAPES` pairs each model with the class whose JSON it describes, so a test fails on
any drift between the two. Routes serialise with `exclude_unset`, so an HTTP answer carries
exactly the keys the Python API returned: optional keys it left out stay out (no invented
nulls). The models document and check the shapes; they never reshape them.
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

from assistant import results
from retrieval.shop import ShopProfile

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


class SignIn(RequestModel):
    customer_id: CustomerId = Field(description="The customer your own login signed in.")


# -- responses -------------------------------------------------------------------------------
class ResponseModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


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
    customer_id: str | None = None
    orders: int | None = None
    filters: Filters
    products: list[Candidate]
    relaxed: list[str] | None = None
    notes: list[str] | None = None
    no_match: bool | None = Field(None, description="true: nothing is close; the products are the nearest alternatives")
    basis: Literal["orders", "basket", "bestsellers", "no orders", "popular"] | None = Field(
        None, description="ideas for the shopper themselves: picked from their orders, their basket, or the best "
        "sellers; 'no orders': buy again was asked with no past orders to pick from (no products); "
        "'popular': the shop's best sellers, asked for")


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
    # Any product a tool result is about: listed (with role and evidence), detailed, put in
    # the basket (with quantity) or bought by a customer (with orders_with_it).
    product_id: str
    title: str
    price: float | None = None
    category: str | None = None
    role: str | None = None
    evidence: list[Evidence] | None = None
    bought_in_baskets: int | None = None
    description: str | None = None
    attributes: dict[str, Any] | None = None
    quantity: int | None = None
    orders_with_it: int | None = None


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
    antecedent: list[str]
    consequent: str
    rule_count: int
    antecedent_count: int
    consequent_count: int
    n_baskets: int
    support: float
    confidence: float
    lift: float
    leverage: float
    conviction: float | None = Field(description="null when infinite (confidence 1)")
    zhangs_metric: float
    antecedent_support: float
    consequent_support: float
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


class MovedProduct(ProductDetails):
    quantity: int


class Basket(ResponseModel):
    added: MovedProduct | None = None
    removed: MovedProduct | None = None
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


class SignedIn(ResponseModel):
    session_id: str
    customer_id: str | None = Field(description="null: a guest (signed out)")
    orders: int = Field(description="Orders this shop holds for the customer (0: a new account)")


class Health(ResponseModel):
    status: Literal["ok"]


class Shop(ResponseModel):
    name: str
    sells: str
    currency: str | None = Field(description="ISO 4217 code of every price in the API; null: not set")
    locale: str
    examples: list[str]


# Each response model and the class whose JSON form it describes (checked by the tests).
RESPONSE_SHAPES: dict[type[BaseModel], type] = {
    Evidence: results.Evidence, ProductRef: results.ProductRef, Candidate: results.Listed,
    Filters: results.Filters, Recommendations: results.Listing, ProductDetails: results.ProductInfo,
    MovedProduct: results.Moved, BasketLine: results.BasketLine, Basket: results.BasketView,
    OrderLine: results.OrderLine, Customer: results.CustomerProfile, RuleOut: results.RuleLine,
    Rules: results.RulesView, Shop: ShopProfile,
}
# A reply's products: any of these (`ToolOutput.about`).
REPLY_PRODUCTS = (results.Listed, results.ProductInfo, results.Moved, results.OrderedProduct, results.Shown)


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

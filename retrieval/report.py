"""The ingest report: every row read is either kept or dropped for exactly one reason."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

# Human wording for each drop reason, in the order the cleaning applies them.
REASONS = {
    "missing_product_id": "no product id",
    "missing_basket_id": "no basket / invoice id",
    "cancellation": "cancellation invoice (starts with C)",
    "adjustment": "bad-debt adjustment invoice (starts with A)",
    "non_product_code": "not a product (postage, fees, discounts, vouchers, channel lines)",
    "stock_note": "stock-keeping note instead of a product name",
    "missing_description": "no description",
    "non_positive_quantity": "quantity zero or negative",
    "duplicate_row": "exact duplicate of an earlier row",
}


@dataclass
class IngestReport:
    source: str
    rows_read: int
    rows_kept: int
    dropped: dict[str, int] = field(default_factory=dict)
    kept_without_customer: int = 0
    baskets: int = 0
    customers: int = 0
    products: int = 0
    seconds: float = 0.0

    @property
    def rows_dropped(self) -> int:
        return sum(self.dropped.values())

    def check(self) -> None:
        """The numbers must add up exactly; a mismatch is a bug in the cleaning."""
        if self.rows_kept + self.rows_dropped != self.rows_read:
            raise AssertionError(
                f"ingest report does not add up: kept {self.rows_kept} + dropped "
                f"{self.rows_dropped} != read {self.rows_read}"
            )

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> IngestReport:
        return cls(**d)

    def render(self) -> str:
        width = max(len(v) for v in REASONS.values()) + 2
        lines = [
            f"Ingest report for {self.source}",
            f"  rows read                {self.rows_read:>9,}",
            f"  rows kept                {self.rows_kept:>9,}"
            f"   ({self.kept_without_customer:,} of them without a customer id: in baskets,"
            " not in customer histories)",
            f"  rows dropped             {self.rows_dropped:>9,}",
        ]
        for reason, n in self.dropped.items():
            if n:
                lines.append(f"    {REASONS.get(reason, reason):<{width}}{n:>9,}")
        lines += [
            f"  products                 {self.products:>9,}",
            f"  baskets                  {self.baskets:>9,}",
            f"  customers                {self.customers:>9,}",
            f"  took                     {self.seconds:>9.1f} s",
        ]
        return "\n".join(lines)

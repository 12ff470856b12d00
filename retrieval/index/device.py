"""Where an encoder runs (cuda, mps, cpu) and at which precision.

Torch is imported inside the functions: deciding a device is the first moment an encoder
needs torch, and importing it costs seconds.
"""

from __future__ import annotations

import logging
import platform
from functools import cache
from pathlib import Path

from ..errors import ConfigError

log = logging.getLogger(__name__)

PRECISIONS = ("auto", "fp32", "bf16", "fp16")

# CPU flags that mean bf16 matrix products run natively (not emulated through fp32).
_FAST_BF16_FLAGS = frozenset({"avx512_bf16", "amx_bf16", "bf16"})


def resolve_device(requested: str | None = None) -> str:
    """`auto`/None picks cuda, then mps, then cpu; anything else must be usable here."""
    import torch

    if requested in (None, "", "auto"):
        if torch.cuda.is_available():
            return "cuda"
        if torch.backends.mps.is_available():
            return "mps"
        return "cpu"
    try:
        kind = torch.device(requested).type
    except RuntimeError as exc:
        raise ConfigError(f"unknown device {requested!r}: {exc}") from None
    if kind == "cuda" and not torch.cuda.is_available():
        raise ConfigError(f"device {requested!r} asked for, but torch sees no CUDA GPU here")
    if kind == "cuda" and (torch.device(requested).index or 0) >= torch.cuda.device_count():
        raise ConfigError(f"device {requested!r} asked for, but only {torch.cuda.device_count()} GPU(s) exist")
    if kind == "mps" and not torch.backends.mps.is_available():
        raise ConfigError(f"device {requested!r} asked for, but MPS is not available here")
    if kind not in ("cpu", "cuda", "mps"):
        raise ConfigError(f"unsupported device {requested!r} (use auto, cpu, cuda, cuda:N or mps)")
    return str(requested)


@cache
def cpu_has_fast_bf16() -> bool:
    """True when the CPU multiplies bf16 natively (AVX512-BF16, AMX, Arm BF16).

    torch's own check (`mkldnn._is_mkldnn_bf16_supported`) also says yes for plain AVX-512,
    where bf16 is emulated and slower than fp32, so read the CPU flags instead.
    """
    cpuinfo = Path("/proc/cpuinfo")
    if not cpuinfo.exists():
        # macOS and others: Apple silicon runs MPS anyway; elsewhere fp32 is the safe choice.
        return False
    flags: set[str] = set()
    for line in cpuinfo.read_text(errors="replace").splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower() in ("flags", "features"):
            flags.update(value.split())
    fast = bool(flags & _FAST_BF16_FLAGS)
    log.debug("cpu %s: native bf16 %s", platform.processor() or platform.machine(), fast)
    return fast


def candidate_precision(device: str, requested: str = "auto") -> str:
    """The precision to try on `device`: explicit requests win; auto prefers the fast one.

    An automatic reduced precision is still only kept if it agrees with fp32 (the encoder
    measures that when it loads).
    """
    if requested not in PRECISIONS:
        raise ConfigError(f"unknown precision {requested!r} (use one of {', '.join(PRECISIONS)})")
    if requested != "auto":
        return requested
    kind = device.split(":")[0]
    if kind == "cuda":
        return "fp16"
    if kind == "cpu" and cpu_has_fast_bf16():
        return "bf16"
    return "fp32"


def torch_dtype(precision: str):
    import torch

    return {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}[precision]

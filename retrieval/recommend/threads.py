"""How many threads numpy's BLAS may use while recommendations are computed.

Measured on 2 cores: OpenBLAS threads that spin after each matrix-vector product fight
torch's threads, and a `recommend` (question encoding included) took 45 ms instead of
14 ms. One query's products gain nothing from more BLAS threads.

Nothing here runs on import or when a retriever is built: a serving shell that answers
questions calls `limit_blas_threads` once for its process (a process-wide setting, so
concurrent requests never undo each other's limit), and a single-threaded caller such as
the evaluation wraps its calls in `blas_threads`, which puts the old setting back after.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)

SERVING_BLAS_THREADS = 1


@functools.cache
def _controller():
    # Finding the loaded BLAS libraries walks the process's shared objects (milliseconds);
    # done once, so a limit per call costs microseconds.
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


@functools.cache
def limit_blas_threads(n: int = SERVING_BLAS_THREADS) -> None:
    """Keep BLAS to `n` threads for the rest of this process (once per `n`; serving shells).

    Call it once the retriever is open: only the BLAS libraries loaded by then are limited.
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=n, user_api="blas")
    log.debug("BLAS limited to %d thread(s) for this process", n)


@contextmanager
def blas_threads(n: int | None = SERVING_BLAS_THREADS) -> Iterator[None]:
    """BLAS limited to `n` threads inside the block (None: no limit); the setting before, after."""
    if n is None:
        yield
        return
    with _controller().limit(limits=n, user_api="blas"):
        yield

"""Run every benchmark in turn (`make bench`); each rewrites its own section of RESULTS.md.

They run one after another, never side by side: on 2 cores a concurrent job distorts the
ratios (see the notes inside each section).
"""

from __future__ import annotations

import subprocess
import sys

BENCHES = ("bench_encoder", "bench_build", "bench_rules", "bench_recommend", "bench_ranker", "bench_agent",
           "bench_sessions", "load", "load --servers 2")


def main() -> int:
    failed = []
    for bench in BENCHES:
        name, *args = bench.split()
        print(f"== {bench}", flush=True)
        if subprocess.run([sys.executable, "-m", f"bench.{name}", *args], check=False).returncode:
            failed.append(bench)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

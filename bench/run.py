"""Measure memo's speed on this machine, as figures from one run (not a test).

    .venv/bin/python bench/run.py [--repeat N]

Prints, from the same run: the median wall time of `memo build` (every audience and
format) and of each format alone; `memo --help` against bare Python start-up; and the
build's peak memory. The machine is shared and noisy, so compare ratios within one run.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def timed(cmd: list[str], repeat: int) -> tuple[float, int]:
    """Median seconds of ``cmd`` over ``repeat`` runs, and the largest child RSS in KiB."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    memo = str(BIN / "memo")
    with tempfile.TemporaryDirectory() as out:
        rows = []
        bare, _ = timed([sys.executable, "-c", "pass"], args.repeat * 2)
        helps, _ = timed([memo, "--help"], args.repeat * 2)
        rows.append(("python -c pass", bare, "1.00"))
        rows.append(("memo --help", helps, f"{helps / bare:.2f}"))
        full, peak = timed([memo, "build", "--out", out], args.repeat)
        rows.append(("memo build (2 audiences × pdf, docx, html)", full, f"{full / bare:.2f}"))
        for fmt in ("pdf", "docx", "html"):
            t, _ = timed([memo, "build", "-f", fmt, "--out", out], args.repeat)
            rows.append((f"memo build -f {fmt}", t, f"{t / bare:.2f}"))
        check, _ = timed([memo, "check"], args.repeat)
        rows.append(("memo check", check, f"{check / bare:.2f}"))
    print(f"median of {args.repeat} runs (×2 for the start-up rows), this machine, one run\n")
    print("| command | seconds | × python start-up |")
    print("|---|---:|---:|")
    for name, secs, ratio in rows:
        print(f"| {name} | {secs:.3f} | {ratio} |")
    print(f"\n`memo --help` costs {helps - bare:+.3f} s over bare Python start-up.")
    print(f"Peak memory of one process (largest child RSS): {peak / 1024:.0f} MiB")


if __name__ == "__main__":
    main()

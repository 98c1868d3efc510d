"""Where a cold build's time goes: every variant rendered and written in this one process,
timed part by part and profiled (not a test; issue 17 starts here).

    .venv/bin/python bench/profile_build.py [--top N] [--sort tottime|cumulative] [--out FILE]

Prints, per variant, the seconds of the render (templates to the checked document) and
of each writer (pdf, docx, html), the first variant paying the imports (shown apart);
then the floor the issue names, the sum of those times divided by the cores; then the
top N functions of a cProfile of the whole run. ``--out`` keeps the profile for
``python -m pstats`` or snakeviz. One process on purpose: a worker pool's children are
out of cProfile's reach, and the floor is what the work costs without them.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def run(content: Path, templates: Path) -> list[tuple[str, str, float]]:
    """(variant, part, seconds) for each variant's render and each of its formats."""
    from memo.build import plan
    from memo.content import load_project
    from memo.render import render
    from memo.writers import DEFAULT, writer

    start = time.perf_counter()
    project = load_project(content)
    times = [("(all)", "load", time.perf_counter() - start)]
    for v in plan(project):
        start = time.perf_counter()
        doc = render(project, v.audience, templates, v.lang, marks=True)
        times.append((v.name, "render", time.perf_counter() - start))
        for fmt in v.formats:
            start = time.perf_counter()
            writer(fmt)(doc if fmt == "docx" else doc.plain(), templates, DEFAULT)
            times.append((v.name, fmt, time.perf_counter() - start))
    return times


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--sort", default="tottime", choices=("tottime", "cumulative"))
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--content", type=Path, default=ROOT / "content")
    ap.add_argument("--templates", type=Path, default=ROOT / "templates")
    args = ap.parse_args()

    prof = cProfile.Profile()
    prof.enable()
    times = run(args.content, args.templates)
    prof.disable()

    parts = sorted({p for _, p, _ in times if p != "load"}, key=["render", "pdf", "docx",
                                                                 "html"].index)
    variants = list(dict.fromkeys(v for v, p, _ in times if p != "load"))
    print("| variant | " + " | ".join(parts) + " | total |")
    print("|---|" + "---:|" * (len(parts) + 1))
    for i, name in enumerate(variants):
        row = {p: s for v, p, s in times if v == name}
        cells = [f"{row[p]:.3f}" if p in row else "" for p in parts]
        note = " (first: imports)" if i == 0 else ""
        print(f"| {name}{note} | " + " | ".join(cells) + f" | {sum(row.values()):.3f} |")
    work = sum(s for v, p, s in times if p != "load")
    cores = os.cpu_count() or 1
    print(f"\nload {times[0][2]:.3f} s; all the work {work:.3f} s in one process "
          f"(under cProfile, which slows it); the floor on {cores} cores: "
          f"{work / cores:.3f} s\n")
    stats = pstats.Stats(prof)
    if args.out:
        stats.dump_stats(str(args.out))
    stats.sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()

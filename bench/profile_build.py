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


# (label, file ending, function): the calls whose cumulative time the table shares out
PARTS = [
    ("WeasyPrint: style and lay out the pages (HTML.render)", "weasyprint/__init__.py", "render"),
    ("WeasyPrint: draw, subset the fonts, write (Document.write_pdf)", "weasyprint/document.py",
     "write_pdf"),
    ("memo's PDF writer, besides WeasyPrint", "memo/writers/pdf.py", "write"),
    ("the DOCX writer (python-docx)", "memo/writers/docx.py", "write"),
    ("the HTML writer", "memo/writers/html.py", "write"),
    ("the render (Jinja2, the content's text, the checks)", "memo/render.py", "render"),
    ("of it, pandoc's citeproc (a process per variant)", "memo/citeproc.py", "run"),
]


def shares(stats: pstats.Stats, work: float) -> str:
    """Where the work went, by part, from the profile's cumulative times (the profiler
    slows Python code more than C, so the shares lean towards the Python parts)."""
    found = {}
    for (file, _, func), (_, _, _, cumulative, _) in stats.stats.items():
        for label, ending, name in PARTS:
            if func == name and file.endswith(ending):
                found[label] = found.get(label, 0.0) + cumulative
    pdf = found.get("memo's PDF writer, besides WeasyPrint", 0.0)
    weasy = sum(found.get(label, 0.0) for label, _, _ in PARTS[:2])
    found["memo's PDF writer, besides WeasyPrint"] = pdf - weasy
    total = sum(s for label, s in found.items() if not label.startswith("of it"))
    lines = ["| part | seconds (profiled) | share |", "|---|---:|---:|"]
    for label, _, _ in PARTS:
        lines.append(f"| {label} | {found.get(label, 0.0):.3f} | "
                     f"{100 * found.get(label, 0.0) / total:.0f}% |")
    return "\n".join(lines) + (f"\n\nWeasyPrint's own share of the work: "
                                f"{100 * weasy / total:.0f}% ({weasy:.3f} of {total:.3f} s "
                                f"profiled; {work:.3f} s timed)")


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
    print(shares(stats, work) + "\n")
    if args.out:
        stats.dump_stats(str(args.out))
    stats.sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()

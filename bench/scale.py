"""Scale: time per page and memory as the memo grows (not a test; issue 17).

    .venv/bin/python bench/scale.py [--factors 1,10,100] [--variants 50] [--plot FILE]

Builds, cold (empty output and citation cache), with the real engine (one worker per
core):

- the bundled memo with its precedents and recommendations repeated 1×, 10× and 100×
  (copies with new ids; page budgets dropped, the longer memos being the point);
- a matrix of ``--variants`` variants: the bundled memo with its partner profile copied
  until audiences × languages reach that many.

Prints, per run, the variants, pages, wall seconds, seconds per page (each variant's
worker seconds over its pages, then the median) and the largest worker's peak memory;
then draws every variant as a point, seconds per page against pages, into
``bench/scale.png``. ``--from FILE`` redraws from a run's saved figures (``--save``).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CONTENT, TEMPLATES = ROOT / "content", ROOT / "templates"

# run in a fresh interpreter: its children's peak memory is the workers' alone
_BUILD = """
import json, resource, sys, time
from pathlib import Path
from memo.build import build
start = time.perf_counter()
result = build(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), force=True)
wall = time.perf_counter() - start
assert result.ok, [f.message[:300] for f in result.failures]
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"wall": wall, "peak_mib": peak, "variants": [
    {"variant": o.variant, "seconds": o.seconds, "pages": o.pages} for o in result.outcomes]}))
"""


def _edit_yaml(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


def scaled(dst: Path, factor: int) -> Path:
    """The bundled content with ``factor`` copies of each precedent and recommendation."""
    shutil.copytree(CONTENT, dst)

    def repeat(key: str):
        def change(data):
            items = data[key]
            data[key] = items + [{**copy.deepcopy(item), "id": f"{item['id']}-{k}"}
                                 for k in range(2, factor + 1) for item in items]
        return change

    if factor > 1:
        _edit_yaml(dst / "precedents.yaml", repeat("precedents"))
        _edit_yaml(dst / "recommendations.yaml", repeat("recommendations"))
    for profile in (dst / "audiences").glob("*.yaml"):
        _edit_yaml(profile, lambda d: d.pop("budget", None))
    return dst


def matrix(dst: Path, variants: int) -> Path:
    """The bundled content with copies of the partner profile (three languages each),
    then of the Hill paper (English), until the matrix declares ``variants`` variants."""
    shutil.copytree(CONTENT, dst)
    memo = yaml.safe_load((dst / "memo.yaml").read_text(encoding="utf-8"))
    audiences = list(memo["variants"]["audiences"])
    have = 3 * 1 + 3  # staff, congress, principal in English; partner in three languages
    k = 2
    while have + 3 <= variants:
        shutil.copy(dst / "audiences" / "partner.yaml", dst / "audiences" / f"partner{k}.yaml")
        audiences.append(f"partner{k}")
        have += 3
        k += 1
    english = []  # then English-only copies of the Hill paper, to make up the count
    while have < variants:
        shutil.copy(dst / "audiences" / "congress.yaml", dst / "audiences" / f"hill{k}.yaml")
        english.append(f"hill{k}")
        have += 1
        k += 1

    def change(d):
        d["variants"]["audiences"] = audiences + english
        d["variants"]["exclude"][0]["audience"] += english

    _edit_yaml(dst / "memo.yaml", change)
    return dst


def run(content: Path, out: Path) -> dict:
    env = dict(os.environ, MEMO_CACHE=str(out.parent / f"{out.name}-cache"))
    proc = subprocess.run([sys.executable, "-c", _BUILD, str(content), str(TEMPLATES),
                           str(out)], capture_output=True, text=True, env=env, cwd=ROOT)
    if proc.returncode:
        sys.exit(f"{content}: the build failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def plot(runs: list[tuple[str, dict]], path: Path) -> None:
    """Each variant a point: its seconds per page against its pages (log scale), one
    colour per run (Pillow). Flat is the goal: a page costs the same in a long memo."""
    import math

    from PIL import Image, ImageDraw, ImageFont

    w, h, m = 900, 560, 70
    img = Image.new("RGB", (w, h), "white")
    d = ImageDraw.Draw(img)
    font = ImageFont.load_default()
    points = [(v["pages"], v["seconds"] / v["pages"], i) for i, (_, r) in enumerate(runs)
              for v in r["variants"] if v["pages"]]
    top = max(math.log10(p) for p, _, _ in points) * 1.05 or 1
    ymax = max(s for _, s, _ in points) * 1.1 or 1

    def xy(pages: float, per: float) -> tuple[float, float]:
        return (m + math.log10(pages) / top * (w - 1.5 * m),
                h - m - per / ymax * (h - 1.5 * m))

    d.line([(m, h - m), (w - m // 2, h - m)], fill="black")
    d.line([(m, h - m), (m, m // 2)], fill="black")
    for pages in (1, 2, 5, 10, 20, 50, 100, 200, 500):
        if math.log10(pages) <= top:
            x, _ = xy(pages, 0)
            d.line([(x, h - m), (x, h - m + 5)], fill="black")
            d.text((x - 6, h - m + 8), str(pages), fill="black", font=font)
    for t in range(6):
        _, y = xy(1, ymax * t / 5)
        d.text((8, y - 6), f"{ymax * t / 5:.2f}", fill="black", font=font)
    d.text((w // 2 - 90, h - 30), "pages of the variant's PDF (log scale)", fill="black",
           font=font)
    d.text((8, 12), "worker seconds per page (render, PDF, DOCX, HTML)", fill="black",
           font=font)
    colours = ["#1f4e79", "#c55a11", "#548235", "#7030a0", "#bf9000"]
    for p, s, i in points:
        x, y = xy(p, s)
        d.ellipse([x - 4, y - 4, x + 4, y + 4], outline=colours[i % 5], width=2)
    for i, (name, _) in enumerate(runs):
        d.rectangle([w - 260, 30 + 18 * i, w - 250, 40 + 18 * i], fill=colours[i % 5])
        d.text((w - 244, 28 + 18 * i), name, fill="black", font=font)
    img.save(path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--factors", default="1,10,100")
    ap.add_argument("--variants", type=int, default=50)
    ap.add_argument("--plot", type=Path, default=ROOT / "bench" / "scale.png")
    ap.add_argument("--save", type=Path, help="keep the figures of this run (JSON)")
    ap.add_argument("--from", dest="source", type=Path, help="redraw a saved run's figures")
    ap.add_argument("--write", action="store_true",
                    help="also put the table into bench/README.md, between its markers")
    args = ap.parse_args()
    runs = [tuple(r) for r in json.loads(args.source.read_text())] if args.source else []
    with tempfile.TemporaryDirectory() as tmp:
        for f in [] if runs else (int(x) for x in args.factors.split(",")):
            runs.append((f"{f}x precedents and recommendations",
                         run(scaled(Path(tmp) / f"x{f}", f), Path(tmp) / f"out{f}")))
        if args.variants and not args.source:
            runs.append((f"{args.variants}-variant matrix",
                         run(matrix(Path(tmp) / "matrix", args.variants),
                             Path(tmp) / "outm")))
    if args.save:
        args.save.write_text(json.dumps(runs, indent=1))
    rows = [f"{time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, cold, one run", "",
            "| run | variants | pages | wall s | s per page (median) | largest worker MiB |",
            "|---|---:|---:|---:|---:|---:|"]
    for name, r in runs:
        vs = r["variants"]
        pages = sum(v["pages"] or 0 for v in vs)
        per = statistics.median(v["seconds"] / v["pages"] for v in vs if v["pages"])
        rows.append(f"| {name} | {len(vs)} | {pages} | {r['wall']:.1f} | {per:.3f} "
                    f"| {r['peak_mib']:.0f} |")
    print("\n".join(rows))
    if args.write:
        sys.path.insert(0, str(ROOT / "bench"))
        from run import write_table

        write_table(rows, "<!-- bench/scale.py --write: begin -->",
                    "<!-- bench/scale.py --write: end -->")
    plot(runs, args.plot)
    print(f"plot: {args.plot.relative_to(ROOT) if args.plot.is_relative_to(ROOT) else args.plot}")


if __name__ == "__main__":
    main()

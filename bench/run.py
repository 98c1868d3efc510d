"""Measure memo's speed on this machine, as figures from one run (not a test).

    .venv/bin/python bench/run.py [--repeat N]

Prints, from the same run, as a Markdown table (medians of N runs, default 3):

- cold `memo batch --force` (the whole matrix: every variant × pdf, docx, html) against
  the peer a user would otherwise script: for each variant, one pandoc process per file,
  `pandoc V.html -o V.docx` and `pandoc V.html --pdf-engine=weasyprint -o V.pdf`, from
  the HTML memo itself wrote (`memo build -f html`), run one after another like a shell
  loop and 2 at a time like `xargs -P 2`. The headline is pandoc loop / memo batch;
- the warm re-run (`memo batch` again, nothing changed), as a share of the cold run;
- `memo batch --jobs 1 --force`, to show what the worker processes buy;
- `memo --help` against `python -c pass` (median of 2×N), and the difference;
- `memo serve`: from saving memo.yaml to the page served again with the edit (its
  watcher's reload message, then the render; a browser's own reload comes on top);
- the batch's peak memory: getrusage(RUSAGE_CHILDREN).ru_maxrss around a dedicated run,
  made first so no other child can have set it. It is the largest single process (the
  parent or one worker), not the sum;
- with ``--wheel``: memo as a user installs it. The wheel is built (``python -m build``),
  installed into a fresh virtual environment, and its ``memo --help`` timed against that
  environment's ``python -c pass``; the wheel's size and file count are printed.

The runs of each round are interleaved, so a noisy neighbour slows both sides alike; the
machine is shared, so compare ratios within one run, not seconds across runs. A pandoc
file that fails (non-zero exit, or no output) is reported under the table, not fatal.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MEMO = str(BIN / "memo")


def clock(cmd: list[str], cwd: Path | str = ROOT, **kw) -> float:
    """Seconds ``cmd`` takes; exits with its stderr if it fails (memo must work to be timed)."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True, **kw)
    took = time.perf_counter() - start
    if proc.returncode:
        sys.exit(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr}")
    return took


class Peer:
    """The pandoc loop over memo's HTML: one process per output file."""

    def __init__(self, html: Path, out: Path):
        self.env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
        self.jobs = []
        for src in sorted(html.glob("*.html")):
            self.jobs.append((["pandoc", str(src), "-o", str(out / f"{src.stem}.docx")],
                              out / f"{src.stem}.docx"))
            self.jobs.append((["pandoc", str(src), "--pdf-engine=weasyprint",
                               "-o", str(out / f"{src.stem}.pdf")], out / f"{src.stem}.pdf"))
        self.failures: dict[str, str] = {}   # file -> why, from any round
        self.stderr: dict[str, list[str]] = {}  # file -> its stderr lines, last round

    def _one(self, job) -> None:
        cmd, target = job
        target.unlink(missing_ok=True)
        proc = subprocess.run(cmd, env=self.env, cwd=target.parent, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
        lines = proc.stderr.splitlines()
        self.stderr[target.name] = lines
        if proc.returncode or not target.is_file() or not target.stat().st_size:
            why = f"exit {proc.returncode}" if proc.returncode else "no output"
            self.failures[target.name] = f"{why}: {lines[-1] if lines else '(no stderr)'}"

    def run(self, parallel: int) -> float:
        """Seconds for every file, ``parallel`` processes at a time (1: a shell loop)."""
        start = time.perf_counter()
        if parallel == 1:
            for job in self.jobs:
                self._one(job)
        else:
            with ThreadPoolExecutor(parallel) as pool:
                list(pool.map(self._one, self.jobs))
        return time.perf_counter() - start


SAVED = "Washington can help mend relations"  # in memo.yaml, printed in principal-en


def preview(n: int) -> list[float]:
    """Seconds from saving memo.yaml to `memo serve` answering with the edit, ``n`` times:
    its watcher's notice (the reload message on /events), then the page rendered again.
    A browser's own reload and layout come on top."""
    from urllib.request import urlopen

    with tempfile.TemporaryDirectory() as tmp:
        content = Path(tmp) / "content"
        shutil.copytree(ROOT / "content", content)
        proc = subprocess.Popen([MEMO, "serve", "--content", str(content), "--templates",
                                 str(ROOT / "templates"), "--port", "0"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            served = re.search(r"http://[\d.]+:\d+", proc.stdout.readline())
            if not served:
                sys.exit("memo serve did not say where it serves")
            page = f"{served.group(0)}/v/principal-en.html"
            memo = content / "memo.yaml"
            original = memo.read_text("utf-8")
            took = []
            for i in range(n):
                html = urlopen(page, timeout=60).read().decode()
                version = re.search(r"/events\?v=(\d+)", html).group(1)
                with urlopen(f"{served.group(0)}/events?v={version}", timeout=60) as events:
                    start = time.perf_counter()
                    memo.write_text(original.replace(SAVED, f"Edit {i}: {SAVED}", 1), "utf-8")
                    while events.readline().strip() not in (b"data: reload", b""):
                        pass
                html = urlopen(page, timeout=60).read().decode()
                took.append(time.perf_counter() - start)
                if f"Edit {i}: {SAVED}" not in html:
                    sys.exit("memo serve did not show the saved edit")
        finally:
            proc.terminate()
            proc.wait()
    return took


def installed_wheel(n: int) -> None:
    """Build the wheel, install it into a fresh venv, time its start-up; print the rows."""
    import zipfile

    with tempfile.TemporaryDirectory() as tmp:
        dist, venv = Path(tmp) / "dist", Path(tmp) / "venv"
        clock([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)])
        wheel = next(dist.glob("*.whl"))
        clock([sys.executable, "-m", "venv", str(venv)])
        clock([str(venv / "bin" / "python"), "-m", "pip", "install", "-q",
               "--disable-pip-version-check", "-c", str(ROOT / "constraints.txt"), str(wheel)])
        bare, helps = [], []
        for _ in range(2 * n):
            bare.append(clock([str(venv / "bin" / "python"), "-c", "pass"], cwd=tmp))
            helps.append(clock([str(venv / "bin" / "memo"), "--help"], cwd=tmp))
        with zipfile.ZipFile(wheel) as z:
            infos = z.infolist()
        bare, helps = statistics.median(bare), statistics.median(helps)
        print(f"\nInstalled wheel `{wheel.name}`: {wheel.stat().st_size / 1e6:.2f} MB, "
              f"{len(infos)} files, {sum(i.file_size for i in infos) / 1e6:.2f} MB unpacked")
        print("| measure (fresh venv, the wheel installed) | seconds | figure |")
        print("|---|---:|---:|")
        print(f"| python -c pass | {bare:.3f} | |")
        print(f"| memo --help | {helps:.3f} | {helps - bare:+.3f} s |")


FLOOR = """
import os, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from profile_build import run
from memo import citeproc
run(Path(sys.argv[2]), Path(sys.argv[3]))  # the imports and first-use costs, once
citeproc._memory.clear()
os.environ["MEMO_CACHE"] = sys.argv[4]  # the citations formatted again, as in a cold build
print(sum(s for v, p, s in run(Path(sys.argv[2]), Path(sys.argv[3])) if p != "load"))
"""


def floor(cache: Path) -> float:
    """Seconds of every file's render and write, in one warm process, the citation
    cache empty: the work itself, without start-up or scheduling (profile_build.run)."""
    proc = subprocess.run([sys.executable, "-c", FLOOR, str(ROOT / "bench"),
                           str(ROOT / "content"), str(ROOT / "templates"), str(cache)],
                          capture_output=True, text=True, cwd=ROOT,
                          env=dict(os.environ, MEMO_CACHE=str(cache) + "-first"))
    if proc.returncode:
        sys.exit(f"the floor's run failed:\n{proc.stderr[-2000:]}")
    return float(proc.stdout.strip().splitlines()[-1])


CAVEAT = "U.S. influence alone should"  # in content/caveats.yaml


def one_caveat(tmp: Path, n: int) -> tuple[float, list[str], list[str], int]:
    """A copy of the content built cold, then ``n`` times: one caveat's text edited and
    `memo batch` run again. (median seconds, the variants it rebuilt, the variants
    whose profiles show the caveats, how many variants in all)."""
    from memo.content import load_project
    from memo.plan import plan

    content, out = tmp / "caveat-content", tmp / "caveat-out"
    shutil.copytree(ROOT / "content", content)
    clock([MEMO, "batch", "--content", str(content), "--out", str(out)])
    project = load_project(content)
    variants = plan(project)
    shown = [v.name for v in variants if "caveats" in project.audiences[v.audience].sections]
    caveats = content / "caveats.yaml"
    original = caveats.read_text("utf-8")
    took, rebuilt = [], set()
    for i in range(n):
        caveats.write_text(original.replace(CAVEAT, f"Edit {i}: {CAVEAT}", 1), "utf-8")
        start = time.perf_counter()
        proc = subprocess.run([MEMO, "batch", "--content", str(content), "--out", str(out)],
                              capture_output=True, text=True, cwd=ROOT)
        took.append(time.perf_counter() - start)
        if proc.returncode:
            sys.exit(f"memo batch after a caveat's edit exited {proc.returncode}:\n"
                     f"{proc.stderr}")
        rebuilt |= {m.group(1) for m in re.finditer(r"^(\S+)\s+built\s", proc.stdout
                                                    + proc.stderr, re.M)}
    return statistics.median(took), sorted(rebuilt), shown, len(variants)


def check_against_failing_build(tmp: Path, n: int) -> tuple[float, float]:
    """Median seconds of `memo check` and of a `memo build` on the same invalid content
    (a precedent's year that is no year), interleaved; both must exit 2."""
    content = tmp / "broken-content"
    shutil.copytree(ROOT / "content", content)
    precedents = content / "precedents.yaml"
    precedents.write_text(precedents.read_text("utf-8").replace("years: 1965",
                                                                "years: soon", 1), "utf-8")
    checks, builds = [], []
    for _ in range(n):
        for cmd, into in ((["check"], checks), (["build", "--out", str(tmp / "broken-out")],
                                                 builds)):
            start = time.perf_counter()
            proc = subprocess.run([MEMO, *cmd, "--content", str(content)], cwd=ROOT,
                                  capture_output=True, text=True)
            into.append(time.perf_counter() - start)
            if proc.returncode != 2:
                sys.exit(f"memo {cmd[0]} on invalid content exited {proc.returncode}, not 2")
    return statistics.median(checks), statistics.median(builds)


BEGIN, END = "<!-- bench/run.py --write: begin -->", "<!-- bench/run.py --write: end -->"


def write_table(rows: list[str], begin: str = BEGIN, end: str = END) -> None:
    """Put ``rows`` into bench/README.md between ``begin`` and ``end``: the README's
    figures are the bench's own output, never typed."""
    readme = ROOT / "bench" / "README.md"
    text = readme.read_text(encoding="utf-8")
    if begin not in text or end not in text:
        sys.exit(f"{readme}: no {begin} ... {end} markers to write between")
    head, rest = text.split(begin, 1)
    tail = rest.split(end, 1)[1]
    readme.write_text(head + begin + "\n" + "\n".join(rows) + "\n" + end + tail, "utf-8")
    print(f"written into {readme.relative_to(ROOT)}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--write", action="store_true",
                    help="also put the table into bench/README.md, between its markers")
    ap.add_argument("--wheel", action="store_true",
                    help="also build and install the wheel, and time its start-up")
    args = ap.parse_args()
    n = args.repeat
    with tempfile.TemporaryDirectory() as tmp:
        out, html, peer_out = (Path(tmp) / d for d in ("batch", "html", "pandoc"))
        peer_out.mkdir()

        # Peak memory first: RUSAGE_CHILDREN keeps the largest child seen so far.
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        clock([MEMO, "batch", "--force", "--out", str(out)])
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        clean = before < peak

        clock([MEMO, "build", "-f", "html", "--out", str(html)])
        peer = Peer(html, peer_out)

        cold, warm, serial, seq, par = [], [], [], [], []
        for i in range(n):
            # cold: the CSL processor's cache (memo.citeproc) starts empty too
            cold.append(clock([MEMO, "batch", "--force", "--out", str(out)],
                              env=dict(os.environ, MEMO_CACHE=str(Path(tmp) / f"cache-{i}"))))
            warm.append(clock([MEMO, "batch", "--out", str(out)],
                              env=dict(os.environ, MEMO_CACHE=str(Path(tmp) / f"cache-{i}"))))
            serial.append(clock([MEMO, "batch", "--jobs", "1", "--force", "--out", str(out)],
                                env=dict(os.environ, MEMO_CACHE=str(Path(tmp) / f"cache-s{i}"))))
            seq.append(peer.run(1))
            par.append(peer.run(2))
        bare, helps = [], []
        for _ in range(2 * n):
            bare.append(clock([sys.executable, "-c", "pass"]))
            helps.append(clock([MEMO, "--help"]))
        files = sum(1 for p in out.iterdir() if p.suffix in (".pdf", ".docx", ".html"))
        floors = [floor(Path(tmp) / f"floor-cache-{i}") for i in range(n)]
        caveat, rebuilt, shown, total = one_caveat(Path(tmp), n)
        checked, failed = check_against_failing_build(Path(tmp), n)
    saved = statistics.median(preview(n))

    med = statistics.median
    cold, warm, serial, seq, par = map(med, (cold, warm, serial, seq, par))
    work = med(floors)
    least = work / (os.cpu_count() or 1)
    bare, helps = med(bare), med(helps)
    variants = len(peer.jobs) // 2

    def met(ok: bool) -> str:
        return "yes" if ok else "**no**"

    rows = [
        f"median of {n} runs (start-up rows: {2 * n}), {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, one run ({time.strftime('%Y-%m-%d')})", "",
        "| measure | seconds | figure | target | met |",
        "|---|---:|---:|---:|:-:|",
        f"| memo batch --force (cold: {variants} variants, {files} files) "
        f"| {cold:.3f} | 1.00 | | |",
        f"| pandoc loop, one process per file ({len(peer.jobs)} files) | {seq:.3f} "
        f"| **{seq / cold:.2f}×** memo | ≥ 5× | {met(seq / cold >= 5)} |",
        f"| pandoc loop, 2 at a time (xargs -P 2) | {par:.3f} "
        f"| {par / cold:.2f}× memo | | |",
        f"| the floor: every file's render and write in one warm process ({work:.3f} s), "
        f"over {os.cpu_count()} cores | {least:.3f} | cold is **{cold / least:.2f}×** it "
        f"| ≤ 1.3× | {met(cold / least <= 1.3)} |",
        f"| memo batch --jobs 1 --force | {serial:.3f} "
        f"| {serial / cold:.2f}× memo (the speed-up of its workers) | | |",
        f"| memo batch (warm: nothing changed) | {warm:.3f} "
        f"| {100 * warm / cold:.1f}% of cold | < 5% | {met(warm / cold < 0.05)} |",
        f"| memo batch after one caveat's edit | {caveat:.3f} | rebuilt "
        f"{', '.join(rebuilt) or 'nothing'} ({len(rebuilt)} of {total}) | only those that "
        f"show it ({', '.join(shown)}) | {met(rebuilt == shown)} |",
        f"| memo check, invalid content | {checked:.3f} | | | |",
        f"| memo build, the same invalid content | {failed:.3f} | {failed - checked:+.3f} s "
        f"| within 0.1 s | {met(abs(failed - checked) <= 0.1)} |",
        f"| python -c pass | {bare:.3f} | | | |",
        f"| memo --help | {helps:.3f} | {helps - bare:+.3f} s | ≤ 0.15 s "
        f"| {met(helps - bare <= 0.15)} |",
        f"| memo serve: a saved edit, to the page served again | {saved:.3f} | | < 5 s "
        f"| {met(saved < 5)} |",
        "", f"Peak memory of the batch (largest single process, parent or worker): "
        f"{peak / 1024:.0f} MiB" + ("" if clean else " (at most: not isolated)"),
    ]
    print("\n".join(rows))
    if args.write:
        write_table(rows)
    def loud(line: str) -> bool:
        return "WARNING" in line or "ERROR" in line

    noisy = [line for lines in peer.stderr.values() for line in lines if loud(line)]
    if noisy:
        files_noisy = sum(any(map(loud, lines)) for lines in peer.stderr.values())
        errors = [line for line in noisy if "ERROR" in line]
        print(f"pandoc printed {len(noisy)} WARNING/ERROR lines ({len(errors)} ERROR) for "
              f"{files_noisy} of {len(peer.jobs)} files, e.g. `{(errors or noisy)[0]}`")
    if peer.failures:
        print(f"pandoc FAILED for {len(peer.failures)} of {len(peer.jobs)} files "
              "(their time still counts):")
        for name, why in sorted(peer.failures.items()):
            print(f"- {name}: {why}")
    else:
        print(f"pandoc succeeded for all {len(peer.jobs)} files in every round.")
    if args.wheel:
        installed_wheel(n)


if __name__ == "__main__":
    main()

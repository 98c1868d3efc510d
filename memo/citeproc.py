"""Citations formatted by a real CSL processor: pandoc's citeproc.

No Python CSL processor handles note styles (citeproc-py has no disambiguation, no
suppress-author and puts the comma outside the quotation marks), so memo runs the pandoc
the ``pypandoc-binary`` wheel ships, a pinned version: its output is part of memo's
output bytes. One run formats one variant's whole citation sequence, so positions
(first, subsequent, ibid) follow the reading order, then the bibliography of every item
cited. Only the citations go to pandoc, never the prose: pandoc would move punctuation
in body text around a note call (jgm/pandoc#7005), and memo already places its calls.

A run costs about a third of a second, so results are cached on disk by everything that
decides them: pandoc's version, the style, the items, the clusters and the language.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tempfile
from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from memo.errors import MemoError
from memo.inline import Cite

# pandoc's locale for each of memo's languages (CSL locales are by region)
LOCALES = {"en": "en-US", "ko": "ko-KR", "ja": "ja-JP"}
API_VERSION = [1, 23, 1]


@dataclass(frozen=True)
class Formatted:
    """What the processor made of one sequence: each cluster's text (a note's, or an
    in-text citation's) as HTML, in order, and the bibliography as (id, HTML) pairs in
    the style's order."""

    citations: tuple[str, ...]
    bibliography: tuple[tuple[str, str], ...]


@cache
def pandoc() -> str:
    """The pinned pandoc binary (from the ``pypandoc-binary`` wheel), found without
    importing pypandoc (its import costs a tenth of a second: urllib, email)."""
    spec = find_spec("pypandoc")
    folder = next(iter(spec.submodule_search_locations or []), "") if spec else ""
    path = Path(folder) / "files" / "pandoc"
    if not path.is_file():
        raise MemoError(f"pandoc is missing from the pypandoc-binary package ({path}): "
                        "reinstall memo")
    return str(path)


@cache
def version() -> str:
    out = subprocess.run([pandoc(), "--version"], capture_output=True, text=True, check=True)
    return out.stdout.split("\n", 1)[0]


def _words(text: str) -> list[dict]:
    """Plain text as pandoc inlines: words and the spaces between them (a no-break space
    stays inside its word, as pandoc's reader keeps "p.\u00a012")."""
    out: list[dict] = []
    for i, word in enumerate(w for w in text.split(" ") if w):
        if i:
            out.append({"t": "Space"})
        out.append({"t": "Str", "c": word})
    return out


def _citation(c: Cite, terms: dict[str, str]) -> dict:
    """One cite-item as a pandoc Citation. Pandoc reads the locator from the suffix with
    the locale's own terms (a Korean note takes "p 12", not "p. 12"): ``terms`` gives the
    label to write for each locator type, and a page needs none."""
    label = "" if c.label == "page" else terms.get(c.label, c.label)
    locator = (label + "\u00a0" if label else "") + c.locator if c.locator else ""
    after = " ".join(part for part in (locator, c.suffix) if part)
    suffix = [{"t": "Str", "c": ","}, {"t": "Space"}, *_words(after)] if after else []
    mode = "SuppressAuthor" if c.suppress_author else "NormalCitation"
    return {"citationId": c.id, "citationPrefix": _words(c.prefix),
            "citationSuffix": suffix, "citationMode": {"t": mode},
            "citationNoteNum": 0, "citationHash": 0}


def document(clusters: list[list[Cite]], lang: str, terms: dict[str, str]) -> dict:
    """The pandoc document sent: one paragraph per cluster, then the bibliography."""
    blocks = [{"t": "Para", "c": [{"t": "Cite", "c": [[_citation(c, terms) for c in cl],
                                                       [{"t": "Str", "c": "[cite]"}]]}]}
              for cl in clusters]
    blocks.append({"t": "Div", "c": [["refs", [], []], []]})
    meta = {"lang": {"t": "MetaInlines", "c": [{"t": "Str", "c": LOCALES.get(lang, lang)}]},
            "suppress-bibliography": {"t": "MetaBool", "c": False},
            "link-citations": {"t": "MetaBool", "c": False}}
    return {"pandoc-api-version": API_VERSION, "meta": meta, "blocks": blocks}


def cache_folder() -> Path:
    """Where results are kept: ``$MEMO_CACHE``, else the user's cache folder."""
    root = os.environ.get("MEMO_CACHE") or os.environ.get("XDG_CACHE_HOME") or \
        str(Path.home() / ".cache")
    return Path(root) / ("" if os.environ.get("MEMO_CACHE") else "memo") / "citeproc"


def run(items: list[dict], clusters: list[list[Cite]], style: str, lang: str,
        terms: dict[str, str], note_style: bool) -> Formatted:
    """Format ``clusters`` (in reading order) and the bibliography of the items cited,
    with the CSL ``style`` (its XML text) in ``lang``. Cached by all of these."""
    doc = document(clusters, lang, terms)
    cited = {c.id for cl in clusters for c in cl}
    used = [it for it in items if str(it.get("id")) in cited]
    key = hashlib.sha256(json.dumps([version(), style, used, doc],
                                    sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    from memo.cslhtml import split

    return split(_cached(key, doc, used, style), len(clusters), note_style)


def _cached(key: str, doc: dict, items: list[dict], style: str) -> str:
    """Pandoc's HTML for this run: what memo reads out of it may change with memo, so
    the HTML is kept, not memo's reading of it."""
    hit = _memory.get(key)
    if hit is not None:
        return hit
    path = cache_folder() / f"{key}.html"
    try:
        html = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        html = _pandoc(doc, items, style)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(html, encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            pass  # a read-only home: format again next time
    _memory[key] = html
    return html


_memory: dict[str, str] = {}


def _pandoc(doc: dict, items: list[dict], style: str) -> str:
    with tempfile.TemporaryDirectory(prefix="memo-csl-") as tmp:
        csl, bib = Path(tmp) / "style.csl", Path(tmp) / "items.json"
        csl.write_text(style, encoding="utf-8")
        bib.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
        proc = subprocess.run(
            [pandoc(), "-f", "json", "-t", "html", "--citeproc", f"--csl={csl}",
             f"--bibliography={bib}", "--wrap=none"],
            input=json.dumps(doc, ensure_ascii=False), capture_output=True, text=True)
    if proc.returncode != 0:
        raise MemoError(f"the CSL processor failed: {proc.stderr.strip()[:500]}")
    return proc.stdout

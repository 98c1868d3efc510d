"""Two renderings of one variant, compared as a reader would want: the merged document a
redline shows, and the list of what changed.

Both documents are rendered with provenance marks (:mod:`memo.marks`): each content
field's text sits in a ``span.field`` naming it, each note says what it cites. The
comparison is semantic, not textual:

- **Blocks are matched by what they are**, not where they stand: a section by its id,
  a paragraph or list item by the first field it holds (a precedent's summary, a
  recommendation's action: keys built from ids, so a reordered list still matches), a
  routing line by its label; an item of a list without ids (a caveat) and generated
  text by its words, a changed one paired with a similar one where the two lists differ.
  A block in one document only is inserted or deleted; a block both have, in another
  order, is *moved* (the old place and the new are paired).
- **Within a block, words are compared** (:mod:`memo.words`: characters for Korean
  and Japanese). A note is one unit, known by the source it cites: a note that now
  cites another source is a change of substance; one that only reads differently (a
  repeat that became "Ibid.") is marked, but as generated text.

The merged tree is the new document's, with ``<ins>``/``<del>`` around changed text,
``span.restyled`` (``data-was``: the old emphasis) around restyled words, and
``data-change`` (``inserted``, ``deleted``, ``moved-from``, ``moved-to``; moves paired
by ``data-move``) on whole blocks. Every writer can show it; accepting every change
gives the new text, rejecting every one the old (:mod:`memo.tracking` does either, and
counts the changes as a word processor lists them).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from lxml import etree

from memo.words import count, diff, emit, flatten, strip_marks, text_of, tokens

LEAVES = {"p", "h1", "h2", "h3", "dt", "dd", "img"}


@dataclass
class Change:
    """One change, as the summary lists it."""

    kind: str  # changed, cited, restyled, inserted, deleted, moved, section-added, -removed
    section: str  # the id of the section it is in
    field: str | None  # the field's key (memo.marks), or None for generated text
    added: int = 0  # words (or CJK characters) added
    removed: int = 0
    anchor: str = ""  # the id of the merged block it is in, to link to
    note: bool = False  # a change inside a note only

    @property
    def substantive(self) -> bool:
        """A change to content: a field's text, a citation, a block added or removed.
        A changed label, date or note form (renumbering, Ibid.) is generated text, and
        an item in another place is order only (its move is marked all the same)."""
        if self.kind == "moved":
            return False
        return self.field is not None or self.kind.startswith("section")


@dataclass
class Comparison:
    article: etree._Element  # the merged article
    changes: list[Change] = field(default_factory=list)


def compare(old_article, new_article, lang: str) -> Comparison:
    """The merged article of ``new_article`` against ``old_article`` (two marked
    renderings of one variant), and every change, in reading order."""
    out = Comparison(etree.Element("article"))
    merger = _Merger(lang, out.changes)
    out.article = merger.container(old_article, new_article, "")
    strip_marks(out.article)
    return out


class _Merger:
    def __init__(self, lang: str, changes: list[Change]):
        self.lang = lang
        self.changes = changes
        self.moves: dict[str, str] = {}  # a moved block's key -> the id pairing its places
        self.anchors = 0

    # -- blocks ------------------------------------------------------------------------
    def container(self, old, new, section: str):
        """``new`` (or ``old``, when deleted) with its children aligned and merged."""
        base = new if new is not None else old
        merged = _shallow(base)
        if base.tag == "section" and base.get("id"):
            section = base.get("id")
        for state, o, n, key in align(list(old), list(new)):
            if state == "=" and _is_marking(n):
                merged.append(self.marking(o, n))
            elif state == "=" and n.tag == "img" and o.get("src") != n.get("src"):
                # a figure that changed: the old picture out, the new one in
                merged.append(self.whole(o, "deleted", section))
                merged.append(self.whole(n, "inserted", section))
            elif state == "=":
                merged.append(self.leaf(o, n, section) if is_leaf(n)
                              else self.container(o, n, section))
            elif state == "-":
                merged.append(self.whole(o, "deleted", section))
            elif state == "+":
                merged.append(self.whole(n, "inserted", section))
            else:  # a move: its old place (<) and its new one (>), paired by one id
                move = self.moves.setdefault(key, str(len(self.moves) + 1))
                merged.append(self.whole(o if state == "<" else n,
                                         "moved-from" if state == "<" else "moved-to",
                                         section, move))
        return merged

    def marking(self, old, new):
        """The marking prints in the margins and the header, where no change can show:
        the new one stands, and a change is listed as generated text."""
        if text_of(old) != text_of(new):
            self.changes.append(Change("changed", "", None, count(text_of(new)),
                                       count(text_of(old))))
        return copy.deepcopy(new)

    def whole(self, el, how: str, section: str, move: str | None = None):
        """A block that is in one document only, or moved: every leaf in it marked."""
        merged = copy.deepcopy(el)
        whole_section = merged.tag == "section"
        if whole_section and how in ("inserted", "deleted"):
            self.changes.append(Change("section-added" if how == "inserted"
                                       else "section-removed", merged.get("id") or section,
                                       None, anchor=self._anchor(merged)))
        leaves = [merged] if is_leaf(merged) else [
            d for d in merged.iterdescendants() if isinstance(d.tag, str) and is_leaf(d)
            and not is_leaf(d.getparent())]
        if how == "moved-to" and leaves:  # one move, listed once, at its new place
            fields = [t.field for leaf in leaves for t in tokens(leaf, self.lang) if t.field]
            self.changes.append(Change("moved", section, fields[0] if fields else None,
                                       anchor=self._anchor(leaves[0])))
        for leaf in leaves:
            self._mark_whole(leaf, how, move, section if not whole_section
                             else merged.get("id") or section,
                             quiet=whole_section or how.startswith("moved"))
        return merged

    def _mark_whole(self, leaf, how: str, move: str | None, section: str,
                    quiet: bool) -> None:
        leaf.set("data-change", how)
        if move:
            leaf.set("data-move", move)
        toks = tokens(leaf, self.lang)
        fields = list(dict.fromkeys(t.field for t in toks if t.field))
        words = sum(count(t.text) for t in toks if t.kind == "w")
        if not quiet:
            kind = {"inserted": "inserted", "deleted": "deleted"}[how]
            self.changes.append(Change(kind, section, fields[0] if fields else None,
                                       words if how == "inserted" else 0,
                                       words if how == "deleted" else 0,
                                       anchor=self._anchor(leaf)))
        if leaf.tag != "img":
            wrapper = etree.Element("ins" if how in ("inserted", "moved-to") else "del")
            wrapper.text, leaf.text = leaf.text, None
            for child in list(leaf):
                if child.tag not in ("p", "ul", "ol"):
                    wrapper.append(child)
            leaf.insert(0, wrapper)
        strip_marks(leaf)

    def leaf(self, old, new, section: str):
        """A block both documents have: compared word by word."""
        if new.tag == "img":
            return copy.deepcopy(new)
        merged = _shallow(new)
        stream = diff(tokens(old, self.lang), tokens(new, self.lang))
        emit(merged, stream)
        if self._record(stream, section, merged):
            merged.set("data-changed", "1")
        return merged

    def _record(self, stream, section: str, merged) -> bool:
        """The changes in one block: one record per field it touches, the changes inside
        notes that still cite the same source counted apart, as generated text."""
        per: dict[tuple, dict] = {}
        for state, tok in flatten(stream):
            in_note, base = state.startswith("n"), state[-1]
            key = (None if in_note else tok.field, in_note)
            rec = per.setdefault(key, {"+": 0, "-": 0, "cites": 0, "words": False,
                                       "restyled": False})
            if base == "~":
                rec["restyled"] = True
            elif tok.kind == "n" and not in_note:
                rec["cites"] += 1  # a note added or removed: another source cited
            else:
                rec["words"] = True
                rec[base] += count(tok.text) if tok.kind == "w" else 0
        if not per:
            return False
        anchor = self._anchor(merged)
        for (fld, in_note), rec in per.items():
            kind = "changed" if rec["words"] else "cited" if rec["cites"] else "restyled"
            self.changes.append(Change(kind, section, fld, rec["+"], rec["-"], anchor,
                                       note=in_note))
        return True

    def _anchor(self, el) -> str:
        if not el.get("id"):
            self.anchors += 1
            el.set("id", f"change-{self.anchors}")
        return el.get("id")


def _is_marking(el) -> bool:
    return el.tag == "p" and "marking" in (el.get("class") or "").split()


def is_leaf(el) -> bool:
    if el is None or not isinstance(el.tag, str):
        return False
    if el.tag == "li":
        return not any(c.tag in ("p", "ul", "ol") for c in el)
    return el.tag in LEAVES


def _shallow(el):
    return etree.Element(el.tag, dict(el.attrib))


# -- alignment --------------------------------------------------------------------------

def keys(elements: list) -> list[str]:
    """A key for each element, unique among them: what it is, not where it stands."""
    out, seen, prev = [], {}, ""
    for el in elements:
        key = _key(el, prev)
        n = seen.get(key, 0)
        seen[key] = n + 1
        out.append(key if n == 0 else f"{key}#{n + 1}")
        prev = out[-1]
    return out


def _key(el, prev: str) -> str:
    """What identifies a block: its id; the first field it holds, when that field's key
    is made of ids; else (an item of a list without ids, generated text) its text, a
    *weak* key (``t:``) that :func:`align` may pair with a similar block."""
    if not isinstance(el.tag, str):
        return "?"
    cls = el.get("class") or ""
    if el.get("id"):
        return "#" + el.get("id")
    if el.tag == "p" and ({"marking", "draft"} & set(cls.split())):
        # one of each per memo, whatever it holds: a banner typed in memo.yaml (a field)
        # and one derived from the markings (generated text) are the same line
        return "p." + cls.split()[0]
    if el.tag == "ul" and "decision" in cls.split():
        return f"decision@{prev}"
    if el.tag == "dt":
        return "dt:" + text_of(el)
    if el.tag == "dd":
        return f"dd@{prev}"
    first = next(el.iterfind(".//span[@class='field']"), None)
    if first is not None and "[" not in first.get("data-field", "["):
        return "f:" + first.get("data-field", "")
    if not is_leaf(el):  # a list or group: matched by what it is, its items within
        return f"{el.tag}.{cls}"
    return f"t:{el.tag}.{cls}:{text_of(el)}"


def _similar(a, b) -> bool:
    """Whether two blocks without a key of ids are the same block, changed: one tag, and
    most of their words in common."""
    if a.tag != b.tag or (a.get("class") or "") != (b.get("class") or ""):
        return False
    x, y = text_of(a).split(), text_of(b).split()
    return SequenceMatcher(None, x, y, autojunk=False).ratio() >= 0.5


def align(olds: list, news: list) -> list[tuple[str, object, object, str]]:
    """The two lists of sibling blocks merged, in the new order, each as a state, its
    old and new element and its key: ``=`` both, ``-`` old only, ``+`` new only, ``<``
    the old place of a moved block, ``>`` its new place."""
    olds = [e for e in olds if isinstance(e.tag, str)]
    news = [e for e in news if isinstance(e.tag, str)]
    ok, nk = keys(olds), keys(news)
    sm = SequenceMatcher(None, ok, nk, autojunk=False)
    in_place = {i for tag, i1, i2, _, _ in sm.get_opcodes() if tag == "equal"
                for i in range(i1, i2)}
    new_at = {k: j for j, k in enumerate(nk)}
    old_at = {k: i for i, k in enumerate(ok)}
    moved = {k for i, k in enumerate(ok) if i not in in_place and k in new_at}
    out: list[tuple[str, object, object, str]] = []
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            out += [("=", olds[i], news[j], nk[j])
                    for i, j in zip(range(i1, i2), range(j1, j2), strict=True)]
            continue
        pairs = _pair(olds, news, ok, nk, range(i1, i2), range(j1, j2), moved)
        paired_new = {j for _, j in pairs.values()}
        for i in range(i1, i2):
            if i in pairs:
                continue  # met again at its new place, below
            out.append(("<", olds[i], news[new_at[ok[i]]], ok[i]) if ok[i] in moved
                       else ("-", olds[i], None, ok[i]))
        for j in range(j1, j2):
            mate = next((i for i, (_, jj) in pairs.items() if jj == j), None)
            if mate is not None:
                out.append(("=", olds[mate], news[j], nk[j]))
            elif j not in paired_new:
                out.append((">", olds[old_at[nk[j]]], news[j], nk[j]) if nk[j] in moved
                           else ("+", None, news[j], nk[j]))
    return out


def _pair(olds, news, ok, nk, old_range, new_range, moved) -> dict[int, tuple[int, int]]:
    """In a stretch where the blocks differ, the old and new blocks with weak keys that
    are one block changed, paired in order: old index -> (old index, new index)."""
    pairs: dict[int, tuple[int, int]] = {}
    j_from = new_range.start
    for i in old_range:
        if not ok[i].startswith("t:") or ok[i] in moved:
            continue
        for j in range(j_from, new_range.stop):
            if nk[j].startswith("t:") and nk[j] not in moved and _similar(olds[i], news[j]):
                pairs[i] = (i, j)
                j_from = j + 1
                break
    return pairs

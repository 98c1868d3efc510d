"""One scalar of a YAML file changed in place, and nothing else.

``memo absorb`` writes a reviewer's text back into the content files, which people
wrote and keep: their comments, key order, quoting and folded blocks must survive
byte for byte. So the file is never re-dumped: :func:`replace` finds the scalar's span
in the text (PyYAML's node marks), writes the new value in the same style (a folded
block refolded at its own indentation and width, a quoted string quoted the same way),
and splices it in. The result is read back and must hold exactly the new value at that
path, and the text outside the span must be the old text, or nothing is returned.
"""

from __future__ import annotations

import re
from typing import Any

import yaml


class EditError(ValueError):
    """The scalar cannot be replaced in place as asked."""


def _node(root, path: tuple, scalar: bool = True):
    node = root
    for part in path:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) \
                and 0 <= part < len(node.value):
            node = node.value[part]
        else:
            node = None
        if node is None:
            raise EditError(f"no {'.'.join(map(str, path))} in the file")
    if scalar and not isinstance(node, yaml.ScalarNode):
        raise EditError(f"{'.'.join(map(str, path))} is not a text value")
    return node


def _get(data: Any, path: tuple) -> Any:
    for part in path:
        data = data[part]
    return data


def line_of(text: str, path: tuple) -> int:
    """The line (1-based) where the value at ``path`` starts (a scalar, or a whole
    mapping: a source's entry)."""
    return _node(yaml.compose(text), path, scalar=False).start_mark.line + 1


def replace(text: str, path: tuple, value: str | bool) -> str:
    """``text`` with the scalar at ``path`` set to ``value``, in its own style."""
    node = _node(yaml.compose(text), path)
    start, end = node.start_mark.index, node.end_mark.index
    span = text[start:end]
    if isinstance(value, bool):
        new = "true" if value else "false"
    elif node.style in (">", "|"):
        new = _block(span, value, node.start_mark.column)
    elif node.style == "'":
        new = "'" + value.replace("'", "''") + "'"
    elif node.style == '"':
        new = _double(value)
    else:
        new = value if _plain_ok(value) else _double(value)
    out = text[:start] + new + text[end:]
    try:
        back = _get(yaml.safe_load(out), path)
    except (yaml.YAMLError, KeyError, IndexError, TypeError) as exc:
        raise EditError(f"the edited file does not read back: {exc}") from None
    if back != value:
        raise EditError("the edited value does not read back as written")
    return out


def _double(value: str) -> str:
    escaped = (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\t", "\\t"))
    return f'"{escaped}"'


def _plain_ok(value: str) -> bool:
    if not value or value != value.strip() or "\n" in value:
        return False
    if re.search(r": |\s#|^[-?:,\[\]{}#&*!|>'\"%@`]", value):
        return False
    try:
        return yaml.safe_load(value) == value
    except yaml.YAMLError:
        return False


def _block(span: str, value: str, column: int) -> str:
    """A block scalar (``>-``, ``|``) rewritten with ``value``: its header and the line
    breaks after it kept, its lines refolded at their indentation and width."""
    header, _, rest = span.partition("\n")
    lines = rest.split("\n")
    content = [ln for ln in lines if ln.strip()]
    if not content:
        raise EditError("an empty block scalar")
    indent = len(content[0]) - len(content[0].lstrip(" "))
    # what follows the last line of text: its line break and any blank lines
    last = max(i for i, ln in enumerate(lines) if ln.strip())
    trailing = "\n".join(lines[last + 1:])
    trailing = "\n" + trailing if trailing or rest.endswith("\n") else ""
    if header.lstrip().startswith("|"):
        body = [(" " * indent + ln) if ln else "" for ln in value.split("\n")]
        return header + "\n" + "\n".join(body) + trailing
    if "  " in value or "\n" in value or value != value.strip():
        return _double(value)  # folding would not keep these spaces: quote it instead
    width = max(max(len(ln) for ln in content), 72)
    body = [" " * indent + ln for ln in _refold([ln.strip() for ln in content],
                                                value.split(" "), width - indent)]
    return header + "\n" + "\n".join(body) + trailing


def _refold(old_lines: list[str], words: list[str], width: int) -> list[str]:
    """``words`` in lines no longer than ``width``, breaking where the old lines broke
    between the same words: a few words changed change the lines they are on, and the
    lines after them are the old lines again, as a person editing the file would have
    it (the smallest diff)."""
    import difflib

    old = [w for ln in old_lines for w in ln.split(" ")]
    ends, n = set(), 0
    for ln in old_lines:
        n += len(ln.split(" "))
        ends.add(n - 1)  # the index of each old line's last word
    keep = set()  # new word indexes the old text broke after
    for a, b, size in difflib.SequenceMatcher(None, old, words, autojunk=False) \
            .get_matching_blocks():
        keep |= {b + k for k in range(size) if a + k in ends}
    lines, line = [], ""
    for j, word in enumerate(words):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
        if j in keep and j != len(words) - 1:
            lines.append(line)
            line = ""
    if line:
        lines.append(line)
    return lines

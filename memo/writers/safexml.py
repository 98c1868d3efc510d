"""Reading a DOCX someone else saved: its zip and its XML taken as untrusted input.

A reviewed DOCX comes back from outside the office. :func:`open_docx` and :func:`parse`
refuse, each with a clear :class:`~memo.errors.UsageError` and before anything is
written: a file that is not a zip; a zip bomb (a part or the whole unpacking past
:data:`MAX_PART` / :data:`MAX_TOTAL`, or compressed over :data:`MAX_RATIO` times); a
part whose name would leave the package (``../``, an absolute path); a missing part;
XML with a document type declaration (the door to entity expansion and external
entities: none in OOXML). The parser resolves no entity, loads no DTD and touches no
network; a relationship to an external target is never followed by anything here.
"""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

from memo.errors import UsageError, display_path

MAX_PART = 50 * 1024 * 1024  # one XML part, unpacked
MAX_TOTAL = 200 * 1024 * 1024  # the whole package, unpacked
MAX_RATIO = 200  # unpacked size over packed size, per part
MAX_PARTS = 2000


class Package:
    """A DOCX's parts, read on demand within the limits above."""

    def __init__(self, path: Path | bytes, where: str = ""):
        import io

        self.path = path
        self.where = where or (display_path(path) if isinstance(path, Path) else "DOCX")
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(path) if isinstance(path, bytes) else path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise UsageError(f"{self.where}: not a DOCX (not a zip file: {exc})") from None
        infos = self.zip.infolist()
        if len(infos) > MAX_PARTS:
            raise UsageError(f"{self.where}: {len(infos)} parts in the package; a DOCX has "
                             "a few dozen")
        total = 0
        self.names = set()
        for info in infos:
            name = PurePosixPath(info.filename)
            if name.is_absolute() or ".." in name.parts or "\\" in info.filename:
                raise UsageError(f"{self.where}: a part named {info.filename!r} would leave "
                                 "the package; refused")
            if info.file_size > MAX_PART:
                raise UsageError(f"{self.where}: {info.filename} unpacks to "
                                 f"{info.file_size // (1024 * 1024)} MB, over the "
                                 f"{MAX_PART // (1024 * 1024)} MB a part may have")
            if info.compress_size and info.file_size / info.compress_size > MAX_RATIO \
                    and info.file_size > 1024 * 1024:
                raise UsageError(f"{self.where}: {info.filename} is compressed "
                                 f"{info.file_size // info.compress_size} times over: "
                                 "a zip bomb, refused")
            total += info.file_size
            self.names.add(info.filename)
        if total > MAX_TOTAL:
            raise UsageError(f"{self.where}: the package unpacks to "
                             f"{total // (1024 * 1024)} MB; refused")

    def read(self, name: str, required: bool = True) -> bytes | None:
        if name not in self.names:
            if required:
                raise UsageError(f"{self.where}: has no {name}; is it a Word document?")
            return None
        with self.zip.open(name) as fh:
            data = fh.read(MAX_PART + 1)  # the header's size may lie: read no more than this
        if len(data) > MAX_PART:
            raise UsageError(f"{self.where}: {name} unpacks past "
                             f"{MAX_PART // (1024 * 1024)} MB; refused")
        return data

    def xml(self, name: str, required: bool = True):
        data = self.read(name, required)
        return None if data is None else parse(data, f"{self.where}: {name}")


def parse(data: bytes, where: str = "XML"):
    """``data`` as an element tree, with no entity, DTD or network."""
    from lxml import etree

    head = data[:4096].lstrip()
    if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in data.upper():
        raise UsageError(f"{where}: declares a document type or entities, which OOXML "
                         "never does; refused")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise UsageError(f"{where}: not well-formed XML ({exc})") from None


def open_docx(path: Path | bytes, where: str = "") -> Package:
    return Package(path, where)

"""``memo serve``: a live preview of every variant, on 127.0.0.1 only.

``/`` lists the variants; ``/v/<variant>.html`` shows the rendered document the PDF comes
from, with the print stylesheet, on a page box; ``/v/<variant>.pdf`` and ``.docx`` are
built on demand. When a content, template or profile file is saved, open pages reload by
themselves (server-sent events on ``/events``). Invalid content does not stop the server:
the page shows the problems (file, line, field) until they are fixed.
"""

from __future__ import annotations

import html
import os
import re
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlparse

from memo import style
from memo.errors import MemoError
from memo.theme import Theme, as_theme
from memo.writers import FORMATS, writer

PREVIEW_CSS = f"""
html {{ background: #e7e9ec; }}
body {{ margin: 0; padding: 24px 0; }}
article.memo {{ box-sizing: border-box; margin: 0 auto; background: #fff;
               width: {style.PAGE_WIDTH_IN:g}in; min-height: {style.PAGE_HEIGHT_IN:g}in;
               padding: {style.MARGIN_TOP_IN:g}in {style.MARGIN_SIDE_IN:g}in
                        {style.MARGIN_BOTTOM_IN:g}in;
               box-shadow: 0 1px 6px rgba(0, 0, 0, 0.25); }}
p.marking {{ visibility: visible; height: auto; text-align: center; font-size: 7.5pt;
            font-weight: bold; letter-spacing: 0.08em; color: {style.MARK}; margin-bottom: 1.2em; }}
span.review-note {{ display: block; }}  /* print.css hides them; the preview shows them */
span.footnote {{ font-size: 7.8pt; color: {style.MUTED}; }}
span.footnote::before {{ content: " ["; }} span.footnote::after {{ content: "]"; }}
/* links are clickable here, unlike on paper: shown by more than colour (WCAG 1.4.1) */
a {{ text-decoration: underline; text-underline-offset: 0.15em; }}
.memo-errors {{ width: 8.5in; margin: 0 auto; background: #fff3f3; border-left: 4pt solid #a11;
               padding: 1em 1.5em; font: 11pt/1.45 sans-serif; }}
.memo-errors li {{ font-family: monospace; margin: 0.3em 0; }}
"""

RELOAD = ("<script>new EventSource('/events?v=VERSION').onmessage = "
          "function () { location.reload(); };</script>")


def _reload(version: int) -> str:
    """The page's only script: reload when the server says the files changed."""
    return RELOAD.replace("VERSION", str(version))


class Preview:
    """What the server shows, rebuilt from the files on every request, and a version
    number that moves when a watched file changes."""

    def __init__(self, content: Path, templates: Theme | Path | None):
        self.content, self.templates = content, templates
        self.version = 0
        self.changed = threading.Condition()

    @property
    def theme(self) -> Theme:
        """Looked up on each request: a project may add its templates folder meanwhile."""
        return as_theme(self.templates)

    def bump(self) -> None:
        with self.changed:
            self.version += 1
            self.changed.notify_all()

    def wait(self, since: int, timeout: float) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.version != since, timeout)
            return self.version

    def _project(self):
        from memo.content import load_project
        from memo.render import check_templates

        project = load_project(self.content)
        check_templates(project, self.theme)
        return project

    def index(self) -> str:
        from memo.plan import plan

        try:
            variants = plan(self._project())
        except MemoError as err:
            return self._errors(err)
        rows = "".join(
            f'<li><a href="/v/{v.name}.html">{v.name}</a> '
            + " ".join(f'<a href="/v/{v.name}.{f}">{f.upper()}</a>' for f in v.formats
                       if f != "html") + "</li>" for v in variants)
        return self._page("memo: variants", f"<h1>Variants</h1><ul>{rows}</ul>")

    def variant(self, name: str) -> str:
        """The variant's rendered document, with the print stylesheet, as HTML."""
        from memo.render import render
        from memo.writers import paged

        try:
            project = self._project()
            audience, lang = self._split(project, name)
            doc = render(project, audience, self.theme, lang, review_notes=True)
            # the look of the printed memo: the stylesheets of the format that lays out pages
            css = "\n".join(self.theme.path(s).read_text("utf-8") for s in paged().stylesheets)
        except MemoError as err:
            return self._errors(err)
        from lxml import html as lxml_html

        from memo.writers.html import main_landmark

        css = css.replace("url(../fonts/", "url(/fonts/") + PREVIEW_CSS
        page = lxml_html.tostring(main_landmark(doc.plain().tree), encoding="unicode",
                                  doctype="<!DOCTYPE html>", method="html")
        return page.replace("</head>", f"<style>{css}</style>\n"
                            + _reload(self.version) + "</head>", 1)

    def download(self, name: str, fmt: str) -> bytes:
        from memo.render import render

        project = self._project()
        audience, lang = self._split(project, name)
        doc = render(project, audience, self.theme, lang, marks=True)  # as the build has it
        return writer(fmt)(doc, self.theme).data

    def _split(self, project, name: str) -> tuple[str, str]:
        from memo.plan import plan

        for v in plan(project):
            if v.name == name:
                return v.audience, v.lang
        raise MemoError(f"no declared variant {name!r}")

    def _errors(self, err: MemoError) -> str:
        items = "".join(f"<li>{html.escape(line)}</li>" for line in str(err).splitlines())
        body = (f'<div class="memo-errors"><h1>The memo does not build</h1><ul>{items}</ul>'
                "<p>Fix the files and save: this page reloads by itself.</p></div>")
        return self._page("memo: problems", body)

    def _page(self, title: str, body: str) -> str:
        return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
                f"<title>{title}</title><style>{PREVIEW_CSS}</style>{_reload(self.version)}"
                f"</head><body><main>{body}</main></body></html>")


def handler(preview: Preview):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # quiet: the terminal is for problems
            pass

        def do_GET(self):  # noqa: N802 (http.server's API)
            url = urlparse(self.path)
            path = unquote(url.path)
            try:
                if path == "/":
                    return self._send(preview.index().encode(), "text/html; charset=utf-8")
                if path == "/events":
                    return self._events(url.query)
                m = re.fullmatch(r"/v/([a-z0-9-]+)\.([a-z]+)", path)
                if m and m.group(2) == "html":  # the preview page, not the saved file
                    return self._send(preview.variant(m.group(1)).encode(),
                                      "text/html; charset=utf-8")
                if m and m.group(2) in FORMATS:
                    return self._send(preview.download(m.group(1), m.group(2)),
                                      writer(m.group(2)).media_type)
                m = re.fullmatch(r"/fonts/([A-Za-z0-9_.-]+\.(?:ttf|otf|woff2?))", path)
                font = preview.theme.find(f"fonts/{m.group(1)}") if m else None
                if font is not None:
                    return self._send(font.read_bytes(), "font/ttf")
                self.send_error(HTTPStatus.NOT_FOUND)
            except MemoError as err:
                self._send(str(err).encode(), "text/plain; charset=utf-8",
                           HTTPStatus.UNPROCESSABLE_ENTITY)
            except (BrokenPipeError, ConnectionResetError):
                pass
            except Exception as exc:  # a bug: say so in the page, keep serving
                self._send(f"internal error: {type(exc).__name__}: {exc}".encode(),
                           "text/plain; charset=utf-8", HTTPStatus.INTERNAL_SERVER_ERROR)

        def _send(self, data: bytes, ctype: str, status=HTTPStatus.OK) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

        def _events(self, query: str) -> None:
            """Server-sent events: one message when the files change, else keep-alives."""
            m = re.search(r"v=(\d+)", query)
            since = int(m.group(1)) if m else preview.version
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            while True:
                now = preview.wait(since, timeout=15)
                if now != since:
                    self.wfile.write(b"data: reload\n\n")
                    self.wfile.flush()
                    return
                self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()

    return Handler


def start(content: Path, templates: Theme | Path | None, port: int = 8000):
    """Serve on 127.0.0.1:``port`` (0: any free port) and watch the files, in background
    threads; returns the server (``server.server_address``, ``server.shutdown()``)."""
    preview = Preview(content, templates)
    server = ThreadingHTTPServer(("127.0.0.1", port), handler(preview))
    server.daemon_threads = True
    stop = threading.Event()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    threading.Thread(target=_watch, args=(preview, stop), daemon=True).start()
    server.preview, server.stop_watching = preview, stop
    return server


def _watch(preview: Preview, stop: threading.Event) -> None:
    """Bump the version when a content or theme file changes. A project without a
    templates folder yet gets one when `memo theme copy` runs: its parent is watched for
    that, and only changes under the watched folders count."""
    from watchfiles import watch

    own = Path(preview.templates) if preview.templates is not None else None
    folders = [Path(preview.content), *preview.theme.layers]
    if own is not None:
        folders.append(own)
    roots = [f for f in folders if f.is_dir()]
    if own is not None and not own.is_dir() and own.parent.is_dir():
        roots.append(own.parent)
    inside = [os.path.abspath(f) + os.sep for f in folders]

    def counts(change, path: str) -> bool:
        return any(os.path.abspath(path).startswith(top) for top in inside)

    for _ in watch(*roots, watch_filter=counts, stop_event=stop, debounce=100, step=50,
                   rust_timeout=500):
        preview.bump()

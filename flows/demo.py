"""The offline demo: serve `seeds/demo/` (feeds and article pages) on 127.0.0.1 over real HTTP.

In: the demo folder. Out: a running server's base URL and a feed list pointing at it. Feed and
page files hold the literal `{{BASE_URL}}`, replaced at serve time with `http://127.0.0.1:PORT`.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Iterator
from functools import partial
from http.server import (
    BaseHTTPRequestHandler,
    SimpleHTTPRequestHandler,
    ThreadingHTTPServer,
)
from pathlib import Path

from extractors import SEEDS_DIR

DEMO_DIR = SEEDS_DIR / "demo"
PLACEHOLDER = b"{{BASE_URL}}"
TEXT_TYPES = {".xml": "application/rss+xml; charset=utf-8", ".html": "text/html; charset=utf-8"}


class _DemoHandler(SimpleHTTPRequestHandler):
    """Serves files of the demo folder with the base URL filled in; logs nothing."""

    base_url = b""

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        path = Path(self.translate_path(self.path))
        if not path.is_file() or path.suffix not in TEXT_TYPES:
            self.send_error(404)
            return
        body = path.read_bytes().replace(PLACEHOLDER, self.base_url)
        # An ETag lets a second `flarewatch demo` exercise conditional GET: unchanged feeds answer 304.
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        content_type = TEXT_TYPES[path.suffix]
        if path.suffix == ".xml" and b"<feed" in body[:500]:
            content_type = "application/atom+xml; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
        return


POLL_INTERVAL = 0.02
"""Seconds between the serving loop's checks for a shutdown (the standard library's default: 0.5)."""

DEMO_PORT = 8765
"""The demo's fixed port: article URLs (and so their identity) include it, so a second
`flarewatch demo` recognises the articles of the first."""


@contextlib.contextmanager
def serve_demo(directory: Path = DEMO_DIR, port: int = 0) -> Iterator[str]:
    """Serve `directory` on 127.0.0.1 for the duration of the block; yields the base URL.

    `port` 0 takes a free port (tests); an OSError names a port already in use.
    """
    handler = type("DemoHandler", (_DemoHandler,), {})
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), partial(handler, directory=str(directory)))
    except OSError as exc:
        raise OSError(f"cannot serve the demo on 127.0.0.1:{port} ({exc.strerror}); try --port") from None
    handler.base_url = f"http://127.0.0.1:{server.server_address[1]}".encode()
    # a short poll interval: leaving the block waits for the serving loop's next turn (0.5 s by default)
    thread = threading.Thread(target=server.serve_forever, args=(POLL_INTERVAL,), name="flarewatch-demo-server",
                              daemon=True)
    thread.start()
    try:
        yield handler.base_url.decode()
    finally:
        server.shutdown()
        server.server_close()


def write_demo_feed_list(base_url: str, target: Path, directory: Path = DEMO_DIR) -> Path:
    """Write the demo feed list with the server's base URL filled in; returns its path."""
    text = (directory / "feeds.yaml").read_text(encoding="utf-8")
    target.write_text(text.replace(PLACEHOLDER.decode(), base_url), encoding="utf-8")
    return target


class LocalServer:
    """A threaded HTTP server on 127.0.0.1 (a free port) for the duration of a `with` block.

    Subclasses answer every GET in `_handle(request)`; `base` is the server's URL once entered.
    A client that hangs up mid-answer is not an error. For the soak benchmark's and the fault
    tests' servers, which change what they serve while a flow polls them.
    """

    base = ""
    _server: ThreadingHTTPServer | None = None

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        raise NotImplementedError

    def __enter__(self):  # noqa: ANN204 - returns the subclass
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    owner._handle(self)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, args=(POLL_INTERVAL,), daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

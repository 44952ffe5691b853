"""Serves the website widget: the demo page, the embed script and rasa-webchat's build.

Standard library only. The page may load nothing from outside the site: rasa-webchat's
bundled CSS imports fonts from a Google host (blocked in mainland China, where it hangs
the page), so that @import is cut out of the served build, and a strict
Content-Security-Policy allows only this origin plus the Rasa socket.
"""
from __future__ import annotations

import argparse
import html
import mimetypes
import os
import re
import sys
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "web"
WEBCHAT_BUILD = WEB / "node_modules" / "rasa-webchat" / "lib" / "index.js"
# Served as they are; with the page and the patched build, nothing else is served.
STATIC = {"/chat.js": WEB / "chat.js", "/chat.css": WEB / "chat.css", "/demo.css": WEB / "demo.css"}
REMOTE_CSS_IMPORT = re.compile(r"@import url\(https?://[^)]*\);")
HOST_PORT = re.compile(r"[A-Za-z0-9.\-]+(:\d{1,5})?|\[[0-9A-Fa-f:.]+\](:\d{1,5})?")


def load_webchat(path: Path = WEBCHAT_BUILD) -> bytes:
    """rasa-webchat's standalone build without its remote @import rules."""
    if not path.exists():
        sys.exit(f"{path} is missing: run `make web-assets` (npm ci in web/) first")
    source = path.read_text(encoding="utf-8")
    patched, count = REMOTE_CSS_IMPORT.subn("", source)
    # If an upgrade renames the import, fail loudly rather than ship a page that hangs.
    if count == 0 or "fonts.googleapis" in patched:
        sys.exit(f"{path}: unexpected build, the remote font @import was not removed")
    return patched.encode("utf-8")


def socket_origins(socket_url: str) -> str:
    """The http(s) and ws(s) origins of the Rasa socket, for connect-src."""
    parts = urlsplit(socket_url)
    if parts.scheme not in ("http", "https") or not HOST_PORT.fullmatch(parts.netloc):
        raise ValueError(f"socket URL must be http(s)://host[:port], got {socket_url!r}")
    ws = "wss" if parts.scheme == "https" else "ws"
    return f"{parts.scheme}://{parts.netloc} {ws}://{parts.netloc}"


def content_security_policy(socket_url: str) -> str:
    # The widget injects its CSS as <style> elements at run time, hence 'unsafe-inline'
    # for styles only; scripts are same-origin files, never inline.
    return ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; font-src 'self' data:; "
            f"connect-src 'self' {socket_origins(socket_url)}; "
            "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


def render_index(socket_url: str) -> bytes:
    page = (WEB / "index.html").read_text(encoding="utf-8")
    return page.replace("{{SOCKET_URL}}", html.escape(socket_url, quote=True)).encode("utf-8")


class WebHandler(BaseHTTPRequestHandler):
    server_version = "chuangyiling-web"

    def __init__(self, *args, files: dict[str, tuple[bytes, str]], csp: str, **kwargs):
        self.files = files
        self.csp = csp
        super().__init__(*args, **kwargs)

    def _send(self, status: HTTPStatus, body: bytes, content_type: str, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Security-Policy", self.csp)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        # The embed snippet loads chat.js/chat.css/webchat.js from the agency's own pages.
        self.send_header("Cross-Origin-Resource-Policy", "cross-origin")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _serve(self, head: bool) -> None:
        path = urlsplit(self.path).path
        found = self.files.get("/index.html" if path == "/" else path)
        if found is None:
            self._send(HTTPStatus.NOT_FOUND, "未找到该页面\n".encode("utf-8"),
                       "text/plain; charset=utf-8", head)
        else:
            self._send(HTTPStatus.OK, *found, head)

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def _refuse(self) -> None:
        """A static site: any other method is a clear 405, not the default 501 page."""
        self.send_response(HTTPStatus.METHOD_NOT_ALLOWED)
        self.send_header("Allow", "GET, HEAD")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _refuse

    def log_request(self, code="-", size="-") -> None:
        """No access log: it would drown the Rasa log in `make run`; errors still print."""


def make_server(host: str, port: int, socket_url: str) -> ThreadingHTTPServer:
    def typed(path: Path) -> tuple[bytes, str]:
        return path.read_bytes(), f"{mimetypes.guess_type(path.name)[0]}; charset=utf-8"

    files = {route: typed(path) for route, path in STATIC.items()}
    files["/index.html"] = (render_index(socket_url), "text/html; charset=utf-8")
    files["/webchat.js"] = (load_webchat(), "text/javascript; charset=utf-8")
    handler = partial(WebHandler, files=files, csp=content_security_policy(socket_url))
    return ThreadingHTTPServer((host, port), handler)


def main() -> None:
    rasa_port = os.environ.get("RASA_PORT", "5005")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("WEB_HOST", "127.0.0.1"),
                        help="address to bind (default 127.0.0.1; 0.0.0.0 exposes it)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("WEB_PORT", "8080")))
    parser.add_argument("--socket-url",
                        default=os.environ.get("RASA_SOCKET_URL", f"http://localhost:{rasa_port}"),
                        help="Rasa server URL the widget connects to (socket.io channel)")
    args = parser.parse_args()
    try:
        server = make_server(args.host, args.port, args.socket_url)
    except ValueError as bad:
        parser.error(str(bad))
    host, port = server.server_address[:2]
    print(f"serve_web: http://{host}:{port}/ (widget socket {args.socket_url})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()

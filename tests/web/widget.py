"""Browser-test helpers for the website widget: the web server, a Rasa server that lets the
page's origin in, Debian's Chromium, and a page object that chats like a visitor."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from channels import rating_token
from harness.bot_process import ROOT, WIDGET_TOKEN_SECRET, BotProcess, _wait_http, free_port

CHROMIUM = Path("/usr/bin/chromium")
# Debian's browser, never one downloaded by `playwright install`; no background traffic.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = ROOT / "results" / "screenshots"
LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}
REPLY_TIMEOUT = 30  # seconds


class CorsBotProcess(BotProcess):
    """The assistant with the web page's origin allowed, as scripts/run.sh starts it."""

    def __init__(self, web_origin: str, **kwargs):
        super().__init__(**kwargs)
        self.web_origin = web_origin.split()[0]
        self.origins = web_origin.split()
        self.env["CORS_ORIGINS"] = web_origin  # also the WebSocket Origin check, as in run.sh

    def _spawn(self, args: list[str], name: str) -> subprocess.Popen:
        if name == "rasa":
            args = [*args, "--cors", *self.origins]
        return super()._spawn(args, name)


class Outage:
    """A TCP relay to the Rasa server that can be cut and restored: the page's socket URL points
    here, so the widget sees the assistant unreachable (connections refused) and then back."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.listener: socket.socket | None = None
        self.links: list[socket.socket] = []

    def restore(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def cut(self) -> None:
        if self.listener:
            # shutdown wakes the thread blocked in accept(); close alone would leave it listening.
            with contextlib.suppress(OSError):
                self.listener.shutdown(socket.SHUT_RDWR)
            self.listener.close()
            self.listener = None
        for link in self.links:
            with contextlib.suppress(OSError):
                link.shutdown(socket.SHUT_RDWR)
                link.close()
        self.links.clear()

    def _accept(self, listener) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self.links += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, sink) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)


class WebServer:
    """The web application (web_app: the site and the staff console) on a free loopback port;
    `env` adds settings (STAFF_PASSWORD, LEADS_DATABASE_URL, TRACKER_SQLITE_PATH)."""

    def __init__(self, socket_url: str, port: int | None = None, env: dict | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.socket_url = socket_url
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            rating_token.ENV: WIDGET_TOKEN_SECRET,
            **(env or {}),
        }
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> WebServer:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "web_app", "--port", str(self.port), "--socket-url", self.socket_url],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            _wait_http(self.url, self.proc, timeout=20)
        except RuntimeError:
            raise RuntimeError(self.proc.stderr.read().decode()) from None
        return self

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.proc.stderr.close()


@dataclass
class Traffic:
    """What one browser context did that a visitor would not see but must be safe."""

    urls: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def watch(self, context) -> None:
        context.on("request", lambda request: self.urls.append(request.url))
        context.on("page", self.watch_page)
        for page in context.pages:
            self.watch_page(page)

    def watch_page(self, page) -> None:
        page.on("websocket", lambda ws: self.urls.append(ws.url))
        page.on("console", lambda msg: msg.type == "error" and self.console_errors.append(msg.text))
        page.on("pageerror", lambda exc: self.console_errors.append(str(exc)))
        page.on("dialog", self._dialog)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def external(self) -> list[str]:
        return [u for u in self.urls if not u.startswith("data:") and urlsplit(u).hostname not in LOOPBACK]


class Widget:
    """The chat widget on one page, driven through what a visitor sees and clicks (Playwright's
    CSS selectors reach into the widget's open shadow root)."""

    RESPONSES = ".cyl-log .cyl-bot .cyl-text"
    CLIENT = ".cyl-log .cyl-me .cyl-text"
    REPLIES = ".cyl-log .cyl-replies .cyl-reply"
    TYPING = ".cyl-typing:not([hidden])"

    def __init__(self, page):
        self.page = page

    def open_page(self, url: str) -> Widget:
        self.page.goto(url)
        self.page.wait_for_selector(".cyl-launcher")
        return self

    def open_chat(self) -> None:
        if not self.page.locator(".cyl-panel").is_visible():
            self.page.click(".cyl-launcher")
        self.page.wait_for_selector(".cyl-input", state="visible")

    def responses(self) -> list[str]:
        return [el.inner_text() for el in self.page.query_selector_all(self.RESPONSES)]

    def client_messages(self) -> list[str]:
        return [el.inner_text() for el in self.page.query_selector_all(self.CLIENT)]

    def reply_titles(self) -> list[str]:
        return [el.inner_text().strip() for el in self.page.query_selector_all(self.REPLIES)]

    def wait_for_answer(self, before: int, timeout: float = REPLY_TIMEOUT) -> str:
        """The bot's new messages after `before` responses, once it stops typing."""
        # Polled from Python: the page's CSP forbids the eval behind wait_for_function.
        responses = self.page.locator(self.RESPONSES)
        deadline = time.monotonic() + timeout
        while responses.count() <= before:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"no answer within {timeout}s; chat so far: {self.client_messages()} / {self.responses()}"
                )
            self.page.wait_for_timeout(100)
        # A turn may be several messages; it is over when no typing indicator shows for a while.
        quiet_since = time.monotonic()
        while time.monotonic() - quiet_since < 1.2:
            if self.page.query_selector(self.TYPING):
                quiet_since = time.monotonic()
            self.page.wait_for_timeout(100)
        return "\n".join(self.responses()[before:])

    def ask(self, text: str) -> str:
        before = len(self.responses())
        box = self.page.locator(".cyl-input")
        box.fill(text)
        box.press("Enter")
        return self.wait_for_answer(before)

    def click_reply(self, title: str) -> str:
        before = len(self.responses())
        self.page.locator(self.REPLIES, has_text=title).first.click()
        return self.wait_for_answer(before)

    def stored(self) -> dict:
        """The widget's state in localStorage."""
        return self.page.evaluate("JSON.parse(localStorage.getItem('cyl_widget'))")

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path


AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page) -> list[str]:
    """Serious and critical axe-core findings on the page as it is (axe is evaluated through
    the DevTools protocol: the page's CSP would refuse it as a script)."""
    if not AXE.exists():
        raise RuntimeError(f"{AXE} is missing: run `make web-assets`")
    page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate(
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(r => r.violations.map(v => [v.impact, v.id, v.nodes.map(n => n.target.join(' ')).join(', ')]))"
    )
    return [f"{impact} {rule}: {where}" for impact, rule, where in found if impact in ("serious", "critical")]

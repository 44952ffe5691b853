"""Starts the trained assistant (action server + Rasa server) as real processes for tests."""

from __future__ import annotations

import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from action_server import secret
from channels import rating_token
from process_supervisor.endpoints import render as render_endpoints

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
MODEL = ROOT / "models" / "bot.tar.gz"
# One per test run for every Rasa server and web app the tests start (unless their env says
# otherwise), so that a widget conversation's rating token from one is good at the other.
WIDGET_TOKEN_SECRET = secrets.token_urlsafe(32)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


class BotProcess:
    """Action server and Rasa server on free loopback ports.

    `env` adds environment variables (e.g. channel settings); `credentials`
    picks another credentials file; `log_dir` keeps both processes' output;
    `model` serves another trained model than models/bot.tar.gz.
    """

    def __init__(
        self,
        env: dict | None = None,
        credentials: Path | None = None,
        endpoints: Path | None = None,
        log_dir: Path | None = None,
        model: Path | None = None,
        api_token: str | None = None,
    ):
        self.model = Path(model or MODEL)
        self.api_token = api_token  # Rasa's HTTP API on, with this token (PUT /model)
        if not self.model.exists():
            raise RuntimeError(f"{self.model} is missing: run `make model` first")
        self.rasa_port = free_port()
        self.action_port = free_port()
        self.url = f"http://127.0.0.1:{self.rasa_port}"
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "RASA_TELEMETRY_ENABLED": "false",
            "RASA_PORT": str(self.rasa_port),
            "ACTION_PORT": str(self.action_port),
            secret.ENV: secret.generate(),
            rating_token.ENV: WIDGET_TOKEN_SECRET,
            **(env or {}),
        }
        self.credentials = credentials or ROOT / "credentials.yml"
        self.endpoints = endpoints
        self.log_dir = Path(log_dir or ROOT / "results" / f"bot-{self.rasa_port}")
        # Each bot its own, new conversations file (make exports the one of `make run`).
        self.fresh_store = "TRACKER_SQLITE_PATH" not in (env or {})
        if self.fresh_store:
            self.env["TRACKER_SQLITE_PATH"] = str(self.log_dir / "tracker.db")
            self.env["TRACKER_JOURNAL_PATH"] = str(self.log_dir / "tracker.db.journal")
        self.procs: list[subprocess.Popen] = []
        # With WECHAT_TOKEN, WeChat's webhook is the WeChat front's, a process of its own.
        self.wechat_port = free_port() if self.env.get("WECHAT_TOKEN") else None
        self.wechat_url = f"http://127.0.0.1:{self.wechat_port}/webhooks/wechat/webhook" if self.wechat_port else None

    def _spawn(self, args: list[str], name: str) -> subprocess.Popen:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_dir / f"{name}.log", "wb")
        proc = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.procs.append(proc)
        return proc

    def start(self, timeout: float = 120) -> BotProcess:
        if self.endpoints is None:  # endpoints.yml with this bot's action port and conversations file
            self.endpoints = render_endpoints(
                self.log_dir / "endpoints.yml", self.action_port, self.env["TRACKER_SQLITE_PATH"]
            )
        if self.fresh_store:
            for old in self.log_dir.glob("tracker.db*"):
                old.unlink()
        actions = self._spawn(
            [str(VENV_BIN / "python"), "-m", "action_server", "--port", str(self.action_port)], "actions"
        )
        # What `make run` runs: the rasa CLI with the rasa_patches installed.
        rasa = self._spawn(
            [
                str(VENV_BIN / "python"),
                "-m",
                "rasa_server",
                "run",
                "--model",
                str(self.model),
                "--port",
                str(self.rasa_port),
                "--credentials",
                str(self.credentials),
                "--endpoints",
                str(self.endpoints),
                *(["--enable-api", "--auth-token", self.api_token] if self.api_token else []),
            ],
            "rasa",
        )
        front = None
        if self.wechat_port:
            front = self._spawn(
                [
                    str(VENV_BIN / "python"),
                    "-m",
                    "channels.wechat",
                    "--port",
                    str(self.wechat_port),
                    "--rasa-url",
                    self.url,
                    "--credentials",
                    str(self.credentials),
                ],
                "wechat",
            )
        try:
            _wait_http(f"http://127.0.0.1:{self.action_port}/health", actions, timeout)
            _wait_http(f"{self.url}/webhooks/rest/", rasa, timeout)
            if front is not None:
                _wait_http(f"http://127.0.0.1:{self.wechat_port}/webhooks/wechat/", front, timeout)
        except Exception:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
        self.procs.clear()

    def say(self, sender: str, text: str, timeout: float = 30) -> list[dict]:
        """One turn over the REST channel; returns Rasa's list of bot messages."""
        return post_json(f"{self.url}/webhooks/rest/webhook", {"sender": sender, "message": text}, timeout)

    def __enter__(self) -> BotProcess:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class ActionServerProcess:
    """Only the action server, on a free loopback port (for an in-process Rasa Agent)."""

    def __init__(self, env: dict | None = None):
        self.port = free_port()
        self.webhook_url = f"http://127.0.0.1:{self.port}/webhook"
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "RASA_TELEMETRY_ENABLED": "false",
            secret.ENV: secret.generate(),
            rating_token.ENV: WIDGET_TOKEN_SECRET,
            **(env or {}),
        }
        self.headers = secret.headers(self.env)  # what an in-process Agent must send
        self.log_dir = ROOT / "results" / f"actions-{self.port}"
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> ActionServerProcess:
        log_dir = self.log_dir
        log_dir.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [str(VENV_BIN / "python"), "-m", "action_server", "--port", str(self.port)],
            cwd=ROOT,
            env=self.env,
            stdout=open(log_dir / "actions.log", "wb"),
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_http(f"http://127.0.0.1:{self.port}/health", self.proc, 120)
        except Exception:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def post_json(url: str, payload: dict, timeout: float = 30):
    """POST a JSON body, as browsers and WeChat do: with TCP_NODELAY.

    urllib sends the headers and the body in two writes without TCP_NODELAY, so
    Nagle's algorithm and the server's delayed ACK add about 40 ms to every request:
    a client artefact that would hide the server's own latency."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.connect()
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn.request("POST", parts.path, json.dumps(payload).encode("utf-8"), {"Content-Type": "application/json"})
        response = conn.getresponse()
        body = response.read().decode("utf-8")
        if response.status >= 400:
            raise urllib.error.HTTPError(url, response.status, body, response.headers, None)
        return json.loads(body or "[]")
    finally:
        conn.close()


def texts(messages: list[dict]) -> str:
    """All texts and button titles of one turn, joined (what a visitor sees)."""
    parts = []
    for m in messages:
        if m.get("text"):
            parts.append(m["text"])
        parts += [b.get("title", "") for b in m.get("buttons") or []]
    return "\n".join(parts)

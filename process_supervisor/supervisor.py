"""Starts child processes, restarts any that exits, stops them all on SIGINT/SIGTERM."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, Sequence

from assistant import settings
from conversation_store import integrity
from learning.retrain import model_to_start
from process_supervisor.endpoints import ROOT
from process_supervisor.endpoints import render as render_endpoints

FIRST_DELAY, MAX_DELAY = 1.0, 30.0
STABLE_SECONDS = 60.0  # a child that ran this long starts again from FIRST_DELAY


@dataclass
class Child:
    name: str
    argv: Sequence[str]
    health_url: Optional[str] = None
    proc: Optional[subprocess.Popen] = None
    started: float = 0.0
    delay: float = FIRST_DELAY
    restart_at: Optional[float] = None

    def start(self) -> None:
        # Own session: a Ctrl-C in the terminal reaches the supervisor only, which then
        # stops every child in order instead of racing them.
        self.proc = subprocess.Popen(list(self.argv), start_new_session=True)
        self.started = time.monotonic()
        self.restart_at = None

    def stop(self, timeout: float = 15) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        _signal_group(self.proc, signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            _signal_group(self.proc, signal.SIGKILL)
            self.proc.wait()


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except OSError:
        return False


class Supervisor:
    def __init__(self, children: Sequence[Child], say: Callable[[str], None] = print, ready_line: Optional[str] = None):
        self.children = list(children)
        self.say = say
        self.ready_line = ready_line
        self.stopping = False

    def _on_signal(self, *_):
        self.stopping = True

    def run(self, poll_seconds: float = 0.5) -> int:
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)
        for child in self.children:
            child.start()
        ready = False
        try:
            while not self.stopping:
                self.tick()
                if (
                    not ready
                    and self.ready_line
                    and all(c.health_url is None or answers(c.health_url) for c in self.children)
                ):
                    ready = True
                    self.say(self.ready_line)
                time.sleep(poll_seconds)
        finally:
            for child in reversed(self.children):
                child.stop()
        return 0

    def tick(self) -> None:
        now = time.monotonic()
        for child in self.children:
            if child.restart_at is not None:
                if now >= child.restart_at:
                    child.start()
                continue
            code = child.proc.poll() if child.proc else None
            if code is None:
                continue
            if now - child.started >= STABLE_SECONDS:
                child.delay = FIRST_DELAY
            self.say(f"run: {child.name} stopped (exit code {code}); restarting it in {child.delay:.0f} s")
            child.restart_at = now + child.delay
            child.delay = min(child.delay * 2, MAX_DELAY)


def rasa_host(env=os.environ) -> str:
    """RASA_HOST: the address `make run`'s Rasa server listens on; loopback unless told otherwise
    (Rasa's own default, 0.0.0.0, would open it to the whole network)."""
    return settings.RASA_HOST.value(env)


def wechat_front(env=os.environ) -> Optional[tuple]:
    """(host, port) of the WeChat front when WECHAT_TOKEN turns the channel on: WECHAT_HOST
    (default 127.0.0.1, behind the HTTPS proxy WeChat needs) and WECHAT_PORT (default 5006)."""
    if not settings.WECHAT_TOKEN.value(env):
        return None
    return settings.WECHAT_HOST.value(env), settings.WECHAT_PORT.integer(env)


def check_conversations(tracker: Path, say: Callable[[str], None]) -> bool:
    """SQLite's integrity check of the conversations file before anything starts; a sound file
    is copied to its backup (conversation_store/integrity.py)."""
    damage = integrity.check(tracker)
    if damage is not None:
        say("run: " + damage.advice().replace("\n", "\nrun: "))
        return False
    integrity.back_up(tracker)
    return True


def _dial(host: str) -> str:
    """The address to reach a server that listens on `host` from this machine."""
    return "127.0.0.1" if host in ("0.0.0.0", "::", "") else host


def run_children(env, endpoints: Path, py: str = sys.executable) -> tuple:
    """`make run`'s servers (with the WeChat front when WECHAT_TOKEN is set) and its Ready line."""
    rasa_port, action_port, web_port = env["RASA_PORT"], env["ACTION_PORT"], env["WEB_PORT"]
    cors = settings.CORS_ORIGINS.value(env).split()
    token = settings.RASA_AUTH_TOKEN.value(env)
    rasa_url = f"http://{_dial(rasa_host(env))}:{rasa_port}"
    children = [
        Child(
            "action server",
            [py, "-m", "action_server", "--port", action_port],
            f"http://127.0.0.1:{action_port}/health",
        ),
        Child("website and staff console", [py, "-m", "web_app"], f"http://127.0.0.1:{web_port}/"),
        Child(
            "Rasa server",
            [
                py,
                "-m",
                "rasa_server",
                "run",
                "--model",
                str(model_to_start()),  # the console's checked model survives a restart
                "--interface",
                rasa_host(env),
                "--port",
                rasa_port,
                "--credentials",
                "credentials.yml",
                "--endpoints",
                str(endpoints),
                "--cors",
                *cors,
                # Rasa's HTTP API, for the console's checked model (PUT /model, learning/retrain.py).
                *(["--enable-api", "--auth-token", token] if token else []),
            ],
            f"{rasa_url}/",
        ),
    ]
    wechat = wechat_front(env)
    if wechat:
        # WeChat's webhook in a process of its own: its 5 s hold however busy Rasa is (docs/wechat.md).
        host, port = wechat
        children.append(
            Child(
                "WeChat front",
                [py, "-m", "channels.wechat", "--host", host, "--port", str(port)]
                + ["--rasa-url", rasa_url, "--credentials", "credentials.yml"],
                f"http://{_dial(host)}:{port}/webhooks/wechat/",
            )
        )
    ready = (
        f"Ready: widget http://localhost:{web_port}/ · staff http://localhost:{web_port}/staff/ · REST "
        f"http://localhost:{rasa_port}/webhooks/rest/webhook"
        + (f" · WeChat http://localhost:{wechat[1]}/webhooks/wechat/webhook" if wechat else "")
        + " · Ctrl-C stops"
    )
    return children, ready


def main(argv: Sequence[str] = ()) -> int:
    """`python -m process_supervisor`: what scripts/run.sh starts (ports from the environment)."""
    env = os.environ
    tracker = settings.TRACKER_SQLITE_PATH.path(env)
    if not check_conversations(tracker, lambda line: print(line, file=sys.stderr, flush=True)):
        return 1
    endpoints = render_endpoints(ROOT / "var" / "endpoints.run.yml", env["ACTION_PORT"], tracker)
    # The web app's 更新模型 loads a new model through Rasa's API: a token for this run when none is set.
    env.setdefault(settings.RASA_AUTH_TOKEN.name, secrets.token_urlsafe(32))
    children, ready = run_children(env, endpoints)
    return Supervisor(children, say=lambda line: print(line, flush=True), ready_line=ready).run()

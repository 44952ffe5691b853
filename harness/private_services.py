"""A PostgreSQL and a Redis of the test's own, on free loopback ports in a temporary directory:
outage and restart tests stop and restart these, never the machine's (harness/service_guard.py
checks that the machine's were left alone)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from harness.bot_process import free_port

PG_BIN_DIRS = Path("/usr/lib/postgresql")


def postgresql_bin(name: str) -> str:
    """The newest installed PostgreSQL's `name` (initdb, pg_ctl), which Debian keeps off PATH."""
    found = sorted(PG_BIN_DIRS.glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3]))
    if found:
        return str(found[-1])
    if on_path := shutil.which(name):
        return on_path
    raise RuntimeError(f"{name} not found under {PG_BIN_DIRS}/*/bin: apt-get install postgresql")


def wait_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"port {port} did not open within {timeout}s")


class PrivatePostgres:
    """initdb in a temporary directory, trust authentication for user postgres, 127.0.0.1 only."""

    def __init__(self):
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="private-pg-"))
        self.data = self.dir / "data"
        self.started_once = False
        # PostgreSQL refuses to run as root: as root, its files belong to the postgres user.
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self._as:
            shutil.chown(self.dir, "postgres")

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str) -> None:
        done = subprocess.run([*self._as, *command], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            log = (self.dir / "postgres.log").read_text(errors="replace")[-2000:] if self.started_once else ""
            raise RuntimeError(f"{command[:2]} failed: {done.stderr or done.stdout}\n{log}")

    def _pg_ctl(self, action: str) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        self._run(
            postgresql_bin("pg_ctl"), action, "-D", str(self.data), "-l", str(self.dir / "postgres.log"),
            "-o", options, "-m", "fast", "-w", "-t", "60",
        )  # fmt: skip

    def start(self) -> PrivatePostgres:
        if not self.data.exists():
            self._run(
                postgresql_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
            )  # fmt: skip
        self._pg_ctl("start")
        self.started_once = True
        return self

    def stop(self) -> None:
        self._pg_ctl("stop")

    def restart(self) -> None:
        """What `pg_ctlcluster … restart` did to the machine's: every connection is cut, then it is back."""
        self._pg_ctl("restart")

    def close(self) -> None:
        if (self.data / "postmaster.pid").exists():
            try:
                self._run(postgresql_bin("pg_ctl"), "stop", "-D", str(self.data), "-m", "immediate", "-w")
            except RuntimeError:
                pass
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> PrivatePostgres:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()


class PrivateRedis:
    """redis-server keeping nothing on disk, as the machine's does."""

    def __init__(self):
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="private-redis-"))
        self.process: subprocess.Popen | None = None

    def start(self) -> PrivateRedis:
        command = [
            shutil.which("redis-server") or "redis-server",
            "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", str(self.dir), "--logfile", str(self.dir / "redis.log"),
        ]  # fmt: skip
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL)
        wait_port(self.port, 30)
        return self

    def stop(self) -> None:
        """A shutdown without saving: every key and connection is gone."""
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> PrivateRedis:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

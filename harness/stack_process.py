"""The production stack (scripts/stack.sh) on free loopback ports, for the stack tests."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid

import aio_pika
import psycopg2

from harness.bot_process import ROOT
from harness.private_services import PrivatePostgres, PrivateRedis

SERVICES = {"PostgreSQL": 5432, "Redis": 6379, "RabbitMQ": 5672}


def require_services() -> None:
    """The stack needs this machine's PostgreSQL, Redis and RabbitMQ: say which one is missing."""
    for name, port in SERVICES.items():
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
        except OSError as error:
            raise RuntimeError(
                f"{name} is not reachable on 127.0.0.1:{port} ({error}); the stack tests need it running"
            ) from error


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def free_base_port() -> int:
    """A STACK_PORT whose derived ports (+1, +10.., +30.., +40..) are all free."""
    for _ in range(200):
        base = random.randrange(20000, 40000, 50)
        if all(_free(base + off) for off in (0, 1, 2, 10, 11, 12, 30, 31, 32, 40, 41, 42)):
            return base
    raise RuntimeError("no free port range for the stack")


class Stack:
    """`postgres` and `redis`: private instances (harness/private_services.py) for tests that
    restart them; otherwise the machine's, which the stack only adds its own database and keys to."""

    def __init__(
        self,
        rasa_replicas: int = 2,
        action_replicas: int = 2,
        env: dict | None = None,
        postgres: PrivatePostgres | None = None,
        redis: PrivateRedis | None = None,
    ):
        self.port = free_base_port()
        self.postgres, self.redis = postgres, redis
        self.db_port = postgres.port if postgres else SERVICES["PostgreSQL"]
        self.dir = ROOT / "results" / f"stack-{self.port}"
        self.db = f"stack_test_{uuid.uuid4().hex[:8]}"
        self.rasa_ports = [self.port + 10 + i for i in range(rasa_replicas)]
        self.token = uuid.uuid4().hex
        self.env = {
            **os.environ,
            "STACK_PORT": str(self.port),
            "STACK_DIR": str(self.dir),
            "RASA_REPLICAS": str(rasa_replicas),
            "ACTION_REPLICAS": str(action_replicas),
            "TRACKER_DB_NAME": self.db,
            "LOCK_KEY_PREFIX": self.db.replace("_", ""),
            "BROKER_ENABLED": "1",  # the stack tests check that every event reaches RabbitMQ
            "BROKER_QUEUE": self.db,
            "BROKER_EXCHANGE": self.db,
            "RASA_AUTH_TOKEN": self.token,
            "CORS_ORIGINS": "https://www.chuangyiling.example",
            "TRACKER_DB_PORT": str(self.db_port),
            "LOCK_REDIS_PORT": str(redis.port if redis else SERVICES["Redis"]),
            **(env or {}),
        }
        self.url = f"http://127.0.0.1:{self.port}"

    def up(self) -> None:
        subprocess.run(
            [str(ROOT / "scripts" / "stack.sh"), "up"], env=self.env, check=True, stdout=subprocess.DEVNULL, timeout=300
        )

    def down(self) -> None:
        subprocess.run(
            [str(ROOT / "scripts" / "stack.sh"), "down"],
            env=self.env,
            check=True,
            stdout=subprocess.DEVNULL,
            timeout=120,
        )
        conn = psycopg2.connect(host="127.0.0.1", port=self.db_port, user="postgres", dbname="postgres")
        conn.autocommit = True  # DROP DATABASE cannot run in a transaction
        conn.cursor().execute(f"DROP DATABASE IF EXISTS {self.db} WITH (FORCE)")
        conn.close()
        asyncio.run(delete_broker(self.db))  # nobody consumes its events after the tests

    def broker_events(self) -> list[dict]:
        """Conversation events published to RabbitMQ since the last call, in order."""
        return asyncio.run(take_broker_events(self.db))

    def pid(self, part: str) -> int:
        return int((self.dir / f"{part}.pid").read_text())

    def kill(self, part: str) -> None:
        """A crash: SIGKILL to the part's process group, then wait until it is gone."""
        pid = self.pid(part)
        os.killpg(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
                time.sleep(0.1)
            except ProcessLookupError:
                return

    def post(
        self, path: str, body: bytes, headers: dict | None = None, base: str | None = None, timeout: float = 60
    ) -> tuple[int, bytes, dict]:
        req = urllib.request.Request(
            (base or self.url) + path, body, {"Content-Type": "application/json", **(headers or {})}
        )
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.status, resp.read(), dict(resp.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read(), dict(error.headers)

    def say(self, sender: str, text: str, base: str | None = None) -> tuple[int, list]:
        status, body, _ = self.post(
            "/webhooks/rest/webhook", json.dumps({"sender": sender, "message": text}).encode(), base=base
        )
        return status, (json.loads(body) if status == 200 else [])

    def events(self, sender: str) -> list[tuple[str, dict]]:
        """The conversation's events in PostgreSQL, in id order."""
        with psycopg2.connect(host="127.0.0.1", port=self.db_port, user="postgres", dbname=self.db) as conn:
            cur = conn.cursor()
            cur.execute("SELECT type_name, data FROM events WHERE sender_id = %s ORDER BY id", (sender,))
            rows = [(t, json.loads(d)) for t, d in cur.fetchall()]
        conn.close()
        return rows


@contextlib.asynccontextmanager
async def _rabbitmq():
    connection = await aio_pika.connect("amqp://guest:guest@127.0.0.1:5672/", timeout=10)
    async with connection:
        yield await connection.channel()


async def take_broker_events(name: str) -> list[dict]:
    """The events waiting in RabbitMQ queue `name`, taken off it, in order."""
    async with _rabbitmq() as channel:
        queue = await channel.declare_queue(name, durable=True)  # as Rasa declares it
        taken = []
        while (message := await queue.get(no_ack=True, fail=False, timeout=10)) is not None:
            taken.append(json.loads(message.body))
        return taken


async def delete_broker(name: str) -> None:
    """The queue and the exchange called `name` (a test stack's), with what waits in them."""
    async with _rabbitmq() as channel:
        await channel.queue_delete(name)
        await channel.exchange_delete(name)

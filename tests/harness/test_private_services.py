"""Outage tests restart services of their own, and a run that restarts or stops the machine's
PostgreSQL or Redis fails (the guard in tests/conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import psycopg2
import pytest
import redis

from harness import service_guard
from harness.bot_process import ROOT
from harness.private_services import PrivatePostgres, PrivateRedis
from tests.markers import starts_servers


@pytest.fixture(scope="module")
@starts_servers
def private_postgres():
    with PrivatePostgres() as running:
        yield running


@pytest.fixture(scope="module")
@starts_servers
def private_redis():
    with PrivateRedis() as running:
        yield running


def test_a_private_postgresql_restarts_without_touching_the_machines(private_postgres):
    machine = service_guard.identities()
    before = service_guard.postgresql_started(private_postgres.port)
    conn = psycopg2.connect(private_postgres.url)
    private_postgres.restart()
    with pytest.raises(psycopg2.Error):  # its connections were cut, as by a real restart
        conn.cursor().execute("SELECT 1")
    assert service_guard.postgresql_started(private_postgres.port) not in (None, before)
    assert service_guard.identities() == machine


def test_a_private_redis_restarts_empty_without_touching_the_machines(private_redis):
    machine = service_guard.identities()
    client = redis.Redis(port=private_redis.port)
    client.set("kept", "no")
    before = service_guard.redis_run_id(private_redis.port)
    private_redis.restart()
    assert service_guard.redis_run_id(private_redis.port) not in (None, before)
    assert client.get("kept") is None
    assert service_guard.identities() == machine


def run_guarded(tmp_path, postgres_port: int, redis_port: int, test_body: str) -> subprocess.CompletedProcess:
    """A pytest run of one test under tests/conftest.py's guard, watching the given services as
    if they were the machine's."""
    (tmp_path / "conftest.py").write_text(
        textwrap.dedent(f"""
            from harness import service_guard
            service_guard.MACHINE_POSTGRESQL, service_guard.MACHINE_REDIS = {postgres_port}, {redis_port}
            from tests.conftest import machine_services_left_alone  # noqa: E402,F401
        """)
    )
    (tmp_path / "test_inner.py").write_text(f"import redis\n\ndef test_inner():\n    {test_body}\n")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_a_run_that_stops_a_watched_service_fails_and_says_which(tmp_path, private_postgres):
    with PrivateRedis() as watched:
        quiet = run_guarded(tmp_path, private_postgres.port, watched.port, "pass")
        assert quiet.returncode == 0, quiet.stdout[-2000:]
        shutdown = f"redis.Redis(port={watched.port}).shutdown(nosave=True)"
        touched = run_guarded(tmp_path, private_postgres.port, watched.port, shutdown)
    assert touched.returncode != 0
    assert "Redis on this machine was restarted or stopped" in touched.stdout
    assert "PostgreSQL on this machine" not in touched.stdout

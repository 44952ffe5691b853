"""Who the machine's PostgreSQL and Redis are: a restart (or a shutdown) changes PostgreSQL's start
time and Redis's run_id, so comparing them before and after a test run shows whether the run
touched services it does not own (tests/conftest.py fails the run if it did)."""

from __future__ import annotations

from typing import Optional

import psycopg2
import redis

MACHINE_POSTGRESQL = 5432
MACHINE_REDIS = 6379


def postgresql_started(port: int) -> Optional[str]:
    """The server's start time, or None when nothing answers."""
    try:
        conn = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres", connect_timeout=2)
    except psycopg2.OperationalError:
        return None
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT pg_postmaster_start_time()")
            return cur.fetchone()[0].isoformat()
    finally:
        conn.close()


def redis_run_id(port: int) -> Optional[str]:
    """The server's run_id (new at every start), or None when nothing answers."""
    client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=2, socket_timeout=5)
    try:
        return client.info("server")["run_id"]
    except redis.RedisError:
        return None
    finally:
        client.close()


def identities() -> dict:
    return {"PostgreSQL": postgresql_started(MACHINE_POSTGRESQL), "Redis": redis_run_id(MACHINE_REDIS)}


def changed(before: dict, after: dict) -> list[str]:
    """What was restarted or stopped in between (a service absent before is nobody's business)."""
    return [
        f"{name} on this machine was restarted or stopped during the tests ({before[name]} -> {after[name]})"
        for name in before
        if before[name] is not None and after.get(name) != before[name]
    ]

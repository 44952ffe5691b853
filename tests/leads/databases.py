"""Database fixtures for the leads tests: a temporary SQLite file, and a throwaway
database on the PostgreSQL server at 127.0.0.1:5432 (user postgres, trust auth)."""

import uuid

import psycopg2
import pytest

from leads import store
from tests.markers import starts_servers

PG_ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=5"


def _admin(sql: str) -> None:
    try:
        conn = psycopg2.connect(PG_ADMIN_DSN)
    except psycopg2.OperationalError as exc:
        reason = str(exc).strip()
    else:
        reason = None
    if reason:
        pytest.fail(
            f"PostgreSQL is required at 127.0.0.1:5432 (user postgres, trust auth) and is not reachable: {reason}",
            pytrace=False,
        )
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()


@pytest.fixture(scope="session")
@starts_servers
def postgres_database():
    """One throwaway database for the test session, dropped at the end."""
    name = f"leads_test_{uuid.uuid4().hex[:12]}"
    _admin(f"CREATE DATABASE {name}")
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.e2e)])
def database_url(request, tmp_path):
    """A database URL for an empty leads database, on each backend in turn."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'leads.db'}"
    url = request.getfixturevalue("postgres_database")
    engine = store.make_engine(url)
    store.metadata.drop_all(engine)
    engine.dispose()
    return url


@pytest.fixture
def engine(database_url):
    engine = store.make_engine(database_url)
    yield engine
    engine.dispose()

"""One place that says which tests are end-to-end: a fixture that starts servers, a browser or
needs one of the machine's services is decorated with `starts_servers`, and every test that uses
it is marked `e2e` (tests/conftest.py), so `pytest -m "not e2e"` needs nothing running."""

from __future__ import annotations

E2E_FIXTURES: set = set()


def starts_servers(fixture_function):
    E2E_FIXTURES.add(fixture_function.__name__)
    return fixture_function

import os

import pytest
from playwright.sync_api import sync_playwright

from harness import service_guard
from harness.bot_process import BotProcess
from tests.markers import E2E_FIXTURES, starts_servers
from tests.web.widget import CHROMIUM, CHROMIUM_ARGS

# The database fixtures (SQLite file, throwaway PostgreSQL database) for every test package.
pytest_plugins = ["tests.leads.databases"]


@pytest.fixture(scope="session", autouse=True)
def machine_services_left_alone():
    """The run fails if it restarted or stopped this machine's PostgreSQL or Redis: outage tests
    use their own (harness/private_services.py) or stop a proxy (harness/tcp_proxy.py)."""
    before = service_guard.identities()
    yield
    if touched := service_guard.changed(before, service_guard.identities()):
        pytest.fail("; ".join(touched), pytrace=False)


@pytest.fixture(scope="session")
@starts_servers
def bot():
    """The trained assistant, running as real processes on free loopback ports."""
    with BotProcess() as running:
        yield running


# Tests send each conversation's turns back to back, faster than any person: the
# per-visitor limit is off in every process they start, except where a test sets it.
os.environ.setdefault("VISITOR_RATE_PER_SECOND", "0")
# Likewise they leave many callback requests with the same few numbers, from 127.0.0.1, faster
# than anyone types: the lead flood limits (leads/screening.py) are off in every process they
# start, except where a test sets them.
for _limit in (
    "LEADS_PER_CONVERSATION",
    "LEADS_PER_CONTACT_PER_DAY",
    "LEADS_PER_ADDRESS_PER_DAY",
    "LEADS_FLAG_PER_ADDRESS_PER_HOUR",
    "LEADS_FAST_FORM_SECONDS",
):
    os.environ.setdefault(_limit, "0")


@pytest.fixture(scope="module")
@starts_servers
def browser():
    """Debian's Chromium driven by Playwright (never a browser of Playwright's own download)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def pytest_collection_modifyitems(items):
    """A test is end-to-end when it uses a fixture that starts servers (tests/markers.py)."""
    for item in items:
        if E2E_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.e2e)

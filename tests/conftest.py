import os

import pytest

from tests.bot_process import BotProcess


@pytest.fixture(scope="session")
def bot():
    """The trained assistant, running as real processes on free loopback ports."""
    with BotProcess() as running:
        yield running


# Tests send each conversation's turns back to back, faster than any person: the
# per-visitor limit is off in every process they start, except where a test sets it.
os.environ.setdefault("VISITOR_RATE_PER_SECOND", "0")

import pytest

from tests.bot_process import BotProcess


@pytest.fixture(scope="session")
def bot():
    """The trained assistant, running as real processes on free loopback ports."""
    with BotProcess() as running:
        yield running

"""The console's commands to the Rasa servers: signed, fresh and well-formed only."""

from __future__ import annotations

import json
import time

import pytest

from takeover import bus

KEY = b"k" * 32


def signed(data: dict) -> tuple[bytes, str]:
    body = json.dumps(data).encode()
    return body, bus.signature(body, KEY)


def test_a_signed_fresh_command_is_taken():
    body, signature = signed(bus.command("say", "web:a", agent="小王", text="您好"))
    assert bus.verified(body, signature, KEY)["text"] == "您好"


# Built when the test runs: a command made at collection time would be too old by then.
@pytest.mark.parametrize(
    "make, forged, problem",
    [
        (lambda: bus.command("say", "web:a", text="hi"), True, "signature"),
        (lambda: {**bus.command("say", "web:a", text="hi"), "at": time.time() - 3600}, False, "old"),
        (lambda: bus.command("delete", "web:a"), False, "not a takeover command"),
        (lambda: bus.command("say", "", text="hi"), False, "conversation"),
        (lambda: bus.command("say", "web:a", text=" "), False, "characters"),
        (lambda: bus.command("say", "web:a", text="长" * 2001), False, "characters"),
    ],
)
def test_forged_stale_or_malformed_commands_are_refused(make, forged, problem):
    body, signature = signed(make())
    with pytest.raises(bus.BadCommand, match=problem):
        bus.verified(body, "0" * 64 if forged else signature, KEY)


def test_the_web_app_uses_redis_only_when_configured():
    assert isinstance(bus.publisher({"RASA_PORT": "5999"}), bus.LoopbackBus)
    assert bus.publisher({"RASA_PORT": "5999"}).url == "http://127.0.0.1:5999" + bus.ROUTE
    assert isinstance(bus.publisher({"TAKEOVER_REDIS_URL": "redis://127.0.0.1:1/0"}), bus.RedisBus)

"""A PostgreSQL outage on the stack (its tracker store behind a proxy the test stops): nobody
gets a context-free answer and no turn is lost."""

from __future__ import annotations

import uuid

import pytest

from assistant.kb import load_kb
from harness.bot_process import texts
from harness.stack_process import Stack, require_services
from harness.tcp_proxy import TcpProxy
from tests.markers import starts_servers

CONTACTS = load_kb().contacts


@pytest.fixture(scope="module")
@starts_servers
def stack_and_database():
    require_services()
    proxy = TcpProxy(5432).start()
    running = Stack(
        rasa_replicas=1,
        action_replicas=1,
        env={"TRACKER_DB_PORT": str(proxy.port), "STACK_RATE_PER_SECOND": "50", "STACK_RATE_BURST": "100"},
    )
    try:
        running.up()
        yield running, proxy
    finally:
        running.down()  # drops its database directly on 5432


def test_during_an_outage_a_follow_up_keeps_its_context_a_stranger_gets_the_apology_and_nothing_is_lost(
    stack_and_database,
):
    stack, proxy = stack_and_database
    visitor, stranger = (f"outage-{uuid.uuid4().hex[:8]}" for _ in range(2))
    status, first = stack.say(visitor, "淘宝运营和推广专员有什么区别")
    assert status == 200 and "推广专员" in texts(first)
    proxy.stop()  # PostgreSQL goes away
    status, follow_up = stack.say(visitor, "那能力要求呢?")
    assert status == 200 and "大局观" in texts(follow_up)  # in context, from the replica's copy
    status, cold = stack.say(stranger, "那能力要求呢?")
    assert status == 200 and CONTACTS["phone"] in texts(cold)  # the apology, not a guess
    TcpProxy(5432, port=proxy.port).start()  # PostgreSQL is back
    status, after = stack.say(visitor, "网络推广和运营哪个好就业")
    assert status == 200 and after
    said = [d.get("text") for t, d in stack.events(visitor) if t == "user"]
    assert said == ["淘宝运营和推广专员有什么区别", "那能力要求呢?", "网络推广和运营哪个好就业"]
    assert [d.get("text") for t, d in stack.events(stranger) if t == "user"] == ["那能力要求呢?"]

"""The stack publishes to RabbitMQ only when asked (BROKER_ENABLED=1, for a consumer): with no
consumer, the durable queue would only grow."""

from __future__ import annotations

import pytest
from rasa.utils.endpoints import read_endpoint_config

from production import endpoints

STACK_ENV = dict.fromkeys(
    "ACTION_ENDPOINT_URL TRACKER_DB_HOST TRACKER_DB_PORT TRACKER_DB_NAME TRACKER_DB_USER TRACKER_DB_PASSWORD "
    "TRACKER_DB_LOGIN_DB LOCK_REDIS_HOST LOCK_REDIS_PORT LOCK_REDIS_DB LOCK_REDIS_PASSWORD LOCK_KEY_PREFIX "
    "BROKER_HOST BROKER_PORT BROKER_USER BROKER_PASSWORD BROKER_EXCHANGE BROKER_QUEUE".split(),
    "x",
)


@pytest.mark.parametrize(
    "setting, published", [({}, False), ({"BROKER_ENABLED": "0"}, False), ({"BROKER_ENABLED": "1"}, True)]
)
def test_the_event_broker_is_configured_only_when_enabled(tmp_path, monkeypatch, setting, published):
    for name, value in STACK_ENV.items():
        monkeypatch.setenv(name, value)
    path = tmp_path / "endpoints.yml"
    path.write_text(endpoints.render(setting))
    broker = read_endpoint_config(str(path), "event_broker")
    assert (broker is not None) == published
    if published:
        assert broker.type == "production.event_broker.PromptPikaEventBroker"
    assert (
        read_endpoint_config(str(path), "tracker_store").type == "conversation_store.tracker_store.LeanSQLTrackerStore"
    )
    assert read_endpoint_config(str(path), "lock_store").type == "production.lock_store.AtomicRedisLockStore"

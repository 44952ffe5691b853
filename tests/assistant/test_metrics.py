"""The metrics an operator reads (assistant/metrics.py) and who may read them
(assistant/operator_endpoints.py)."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from assistant import metrics
from assistant.operator_endpoints import allowed, metrics_token


def sample(name: str, **labels) -> float:
    body, _ = metrics.exposition()
    for family in text_string_to_metric_families(body.decode()):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return s.value
    return 0.0


def test_a_turn_counts_by_channel_with_its_latency_and_intent():
    before = sample("assistant_turns_total", channel="wechat")
    slow_before = sample("assistant_turn_seconds_bucket", channel="wechat", le="4.5")
    metrics.record_turn("wechat", 3.0, "ask_difference")
    metrics.record_turn("wechat", 6.0, "ask_difference")
    assert sample("assistant_turns_total", channel="wechat") == before + 2
    assert sample("assistant_turn_seconds_bucket", channel="wechat", le="4.5") == slow_before + 1
    assert sample("assistant_intents_total", intent="ask_difference") >= 2


def test_odd_label_values_are_folded_so_a_visitor_cannot_grow_the_metrics():
    before = sample("assistant_rate_limited_messages_total", channel="other")
    for odd in ["<script>", "x" * 500, None, "微信", "A B"]:
        metrics.record_rate_limited(odd)
    assert sample("assistant_rate_limited_messages_total", channel="other") == before + 5


def test_only_loopback_without_a_proxy_or_the_token_may_read():
    assert allowed("127.0.0.1", {}, None) and allowed("::1", {}, None) and allowed("::ffff:127.0.0.1", {}, None)
    assert not allowed("203.0.113.9", {}, None)
    # nginx connects from loopback for everyone: a forwarded request is not the operator's.
    assert not allowed("127.0.0.1", {"x-forwarded-for": "203.0.113.9"}, None)
    assert not allowed("127.0.0.1", {"x-real-ip": "203.0.113.9"}, None)
    assert allowed("203.0.113.9", {"authorization": "Bearer s3cret-token"}, "s3cret-token")
    assert not allowed("203.0.113.9", {"authorization": "Bearer wrong"}, "s3cret-token")
    assert not allowed("203.0.113.9", {"authorization": "Bearer "}, None)
    assert not allowed("not an address", {}, None)


def test_the_token_is_read_from_metrics_token():
    assert metrics_token({"METRICS_TOKEN": " abc "}) == "abc"
    assert metrics_token({}) is None and metrics_token({"METRICS_TOKEN": ""}) is None

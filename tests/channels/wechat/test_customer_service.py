"""Customer-service API delivery: slow answers, overflow, handoff text, token sharing, error codes."""

import asyncio
import logging
import socket
import time
import uuid

import pytest

from channels.wechat.customer_service import CustomerServiceApi
from tests.channels.wechat.harness import (
    AES_KEY,
    APP_SECRET,
    TOKEN,
    ChannelServer,
    ScriptedBot,
    StubCustomerServiceApi,
    api_env,
    settings_for,
    text_xml,
)


def visitor() -> str:
    return "o" + uuid.uuid4().hex[:20]


def api_settings(stub, **options):
    return settings_for(api_env(), api_base_url=stub.base_url, api_timeout_seconds=1.0, **options)


def send(api: CustomerServiceApi, openid: str, texts) -> int:
    return asyncio.run(api.send_texts(openid, texts))


def test_slow_answer_leaves_within_budget_and_arrives_through_the_api():
    with (
        StubCustomerServiceApi() as stub,
        ChannelServer(api_settings(stub, reply_budget_seconds=0.5), ScriptedBot(delay=1.5)) as server,
    ):
        openid = visitor()
        reply = server.wechat(timeout=2.0).post(text_xml(openid, "慢问题"))
        assert reply.body == "success" and reply.seconds < 0.5 + 0.5
        assert stub.wait_for(1) == ["答：慢问题"]
        assert stub.sent[0]["touser"] == openid


def test_retry_of_a_message_handed_to_the_api_gets_success_and_no_second_delivery():
    with (
        StubCustomerServiceApi() as stub,
        ChannelServer(api_settings(stub, reply_budget_seconds=0.3), ScriptedBot(delay=0.8)) as server,
    ):
        wechat, xml = server.wechat(timeout=2.0), text_xml(visitor(), "一次")
        assert wechat.post(xml).body == "success"
        assert wechat.post(xml).body == "success"
        time.sleep(1.0)
        assert wechat.post(xml).body == "success"
        assert stub.wait_for(1) == ["答：一次"] and server.bot.texts() == ["一次"]


def long_answer(text):
    return [{"text": "\n".join(f"第{i}行：" + "网络推广" * 40 for i in range(80))}]


def test_overflow_goes_through_the_api_at_most_five_messages_per_visitor_message():
    with StubCustomerServiceApi() as stub, ChannelServer(api_settings(stub), ScriptedBot(long_answer)) as server:
        wechat, openid = server.wechat(), visitor()
        first = wechat.post(text_xml(openid, "长问题"))
        pages = [first.content] + stub.wait_for(4)
        time.sleep(0.3)
        assert len(stub.sent) == 4  # 1 passive + 4 API = 5
        assert all(len(p.encode("utf-8")) <= 2048 for p in pages)
        assert "更多" in pages[-1]
        rest = wechat.post(text_xml(openid, "更多")).content
        assert rest.startswith("第") and rest.split("：")[0] not in "".join(pages)


def handoff_bot(text):
    return [{"text": "电话 175-8598-2043，微信 1454722008"}, {"custom": {"type": "handoff", "kf_account": "kf1@x"}}]


ALWAYS_OPEN = "Mon-Sun 00:00-24:00"


def test_handoff_with_an_agent_online_sends_the_contacts_then_transfers(monkeypatch):
    monkeypatch.setenv("OFFICE_HOURS", ALWAYS_OPEN)
    with StubCustomerServiceApi() as stub, ChannelServer(api_settings(stub), ScriptedBot(handoff_bot)) as server:
        reply = server.wechat().post(text_xml(visitor(), "转人工"))
        assert reply.kind == "transfer_customer_service" and reply.fields["TransInfo"]["KfAccount"] == "kf1@x"
        [sent] = stub.wait_for(1)
        assert "175-8598-2043" in sent and "1454722008" in sent and "正在为您转接人工客服" in sent


def test_handoff_with_no_agent_online_answers_with_the_contacts_instead_of_a_silent_transfer(monkeypatch):
    monkeypatch.setenv("OFFICE_HOURS", ALWAYS_OPEN)
    with (
        StubCustomerServiceApi(online=[]) as stub,
        ChannelServer(api_settings(stub), ScriptedBot(handoff_bot)) as server,
    ):
        reply = server.wechat().post(text_xml(visitor(), "转人工"))
        assert reply.kind == "text" and "175-8598-2043" in reply.content and "1454722008" in reply.content
        assert stub.contents() == []


def test_handoff_outside_office_hours_answers_with_the_contacts(monkeypatch):
    monkeypatch.setenv("OFFICE_HOURS", "Mon 00:00-00:01")
    monkeypatch.setenv("OFFICE_TZ", "Pacific/Kiritimati")
    with StubCustomerServiceApi() as stub, ChannelServer(api_settings(stub), ScriptedBot(handoff_bot)) as server:
        from leads import office_hours

        if office_hours.is_open():  # the one open minute of the week
            pytest.skip("ran inside the single open minute")
        reply = server.wechat().post(text_xml(visitor(), "人工"))
        assert reply.kind == "text" and "175-8598-2043" in reply.content


def test_concurrent_senders_share_one_access_token():
    with StubCustomerServiceApi(token_delay=0.3) as stub:
        api = CustomerServiceApi(api_settings(stub))

        async def many():
            return await asyncio.gather(*(api.send_texts(f"o{i}", ["hi"]) for i in range(8)))

        assert asyncio.run(many()) == [1] * 8
        assert stub.token_fetches == 1
        assert {m["access_token"] for m in stub.sent} == {"token-1"}


def test_expired_token_is_refreshed_once_and_the_message_retried_once():
    with StubCustomerServiceApi(errors=[40001]) as stub:
        api = CustomerServiceApi(api_settings(stub))
        assert send(api, "o1", ["a", "b"]) == 2
        assert stub.token_fetches == 2 and [m["access_token"] for m in stub.sent] == ["token-2", "token-2"]


def test_persistently_rejected_token_causes_no_retry_storm():
    with StubCustomerServiceApi(errors=[40001] * 50) as stub:
        api = CustomerServiceApi(api_settings(stub))
        assert send(api, "o1", ["a", "b", "c"]) == 0
        assert stub.send_attempts == 2 and stub.token_fetches == 2


@pytest.mark.parametrize("code", [45015, 45047])
def test_visitor_limits_stop_sending_for_this_message_without_retry(code):
    with StubCustomerServiceApi(errors=[code]) as stub:
        api = CustomerServiceApi(api_settings(stub))
        assert send(api, "o1", ["a", "b", "c"]) == 0
        assert stub.send_attempts == 1
        assert api.enabled and send(api, "o1", ["d"]) == 1  # the next visitor message tries again


def test_content_too_long_skips_only_that_message():
    with StubCustomerServiceApi(errors=[45002]) as stub:
        api = CustomerServiceApi(api_settings(stub))
        assert send(api, "o1", ["too long", "b"]) == 1 and stub.contents() == ["b"]


def test_unauthorized_api_is_switched_off_and_answers_fall_back_to_wechats_retry():
    with (
        StubCustomerServiceApi(errors=[48001]) as stub,
        ChannelServer(api_settings(stub, reply_budget_seconds=0.4), ScriptedBot(delay=0.5)) as server,
    ):
        wechat = server.wechat(timeout=1.5)
        assert wechat.post(text_xml(visitor(), "第一问")).body == "success"
        time.sleep(0.8)
        assert stub.send_attempts == 1 and not server.channel.api.enabled
        reply, attempts = wechat.deliver(text_xml(visitor(), "第二问"))
        assert attempts == 2 and reply.content == "答：第二问" and stub.send_attempts == 1


def test_unreachable_api_returns_within_its_timeout():
    with socket.socket() as listener:  # accepts connections, never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        base = f"http://127.0.0.1:{listener.getsockname()[1]}/cgi-bin/"
        api = CustomerServiceApi(settings_for(api_env(), api_base_url=base, api_timeout_seconds=0.5))
        started = time.monotonic()
        assert send(api, "o1", ["a", "b"]) == 0
        assert time.monotonic() - started < 1.5


def test_secrets_and_tokens_never_reach_the_logs(caplog):
    caplog.set_level(logging.DEBUG)
    with StubCustomerServiceApi(errors=[40001, 45015]) as stub:
        settings = settings_for(
            {**api_env(), "WECHAT_AES_KEY": AES_KEY}, api_base_url=stub.base_url, api_timeout_seconds=1.0
        )
        logging.getLogger("test").info("settings: %r", settings)
        api = CustomerServiceApi(settings)
        send(api, "o1", ["a"])
        with ChannelServer(settings) as server:
            server.wechat().post(text_xml(visitor(), "hi"), query={"signature": "bad", "timestamp": "1", "nonce": "1"})
    logged = caplog.text
    assert "token-1" not in logged and "token-2" not in logged
    for secret in (APP_SECRET, AES_KEY, TOKEN):
        assert secret not in logged
    assert "secret=***" in logged and "access_token=***" in logged  # the HTTP calls were logged, redacted

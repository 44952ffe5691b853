"""WeChat's 5 s while the assistant's event loop is busy: the Rasa server runs NLU and
policies in its one event loop, and under load that loop answers seconds late. WeChat's
acknowledgement (or passive reply) must still leave within reply_budget_seconds of the
request's arrival. scripts/bench_wechat.py measures the same with the trained assistant and
400 REST visitors."""

import time
import uuid

import pytest

from tests.channels.wechat.harness import (
    ChannelServer,
    ScriptedBot,
    StubCustomerServiceApi,
    api_env,
    settings_for,
    text_xml,
)

pytestmark = pytest.mark.e2e  # about 20 s of held CPU: not for `make pytest-fast`

BUSY_SECONDS = 6.0  # what the issue measured: WeChat answered after 6.3-8.5 s
BUDGET = 4.5


class BusyBot(ScriptedBot):
    """Rasa under load: its loop computes (holds the CPU, awaits nothing) before answering."""

    def __init__(self, busy: float = BUSY_SECONDS):
        super().__init__()
        self.busy = busy

    async def __call__(self, message) -> None:
        self.calls.append((message.sender_id, message.text))
        end = time.monotonic() + self.busy
        while time.monotonic() < end:
            sum(range(2000))
        out = message.output_channel
        await out.send_text_message(message.sender_id, f"答：{message.text}")


def visitor() -> str:
    return "o" + uuid.uuid4().hex[:20]


def test_acknowledged_in_time_while_the_assistant_computes_and_answered_through_the_api():
    with (
        StubCustomerServiceApi() as stub,
        ChannelServer(settings_for(api_env(), api_base_url=stub.base_url), BusyBot()) as server,
    ):
        openid = visitor()
        reply = server.wechat(timeout=10).post(text_xml(openid, "忙的时候"))
        assert reply.kind == "success" and reply.seconds < BUDGET, reply
        assert stub.wait_for(1, timeout=20) == ["答：忙的时候"] and stub.sent[0]["touser"] == openid


def test_without_the_api_the_connection_is_closed_in_time_and_a_retry_gets_the_answer():
    with ChannelServer(settings_for(), BusyBot()) as server:
        wechat, xml = server.wechat(timeout=10), text_xml(visitor(), "忙")
        query = wechat.query()
        first = wechat.post(xml, query=query)
        # Closed unanswered before WeChat's 5 s: WeChat retries instead of counting a failure.
        assert first.kind == "error" and first.seconds < BUDGET, first
        retry = wechat.post(xml, query=query)  # WeChat's retry repeats the request
        assert retry.kind == "text" and retry.content == "答：忙" and retry.seconds < BUDGET
        assert server.bot.texts() == ["忙"]

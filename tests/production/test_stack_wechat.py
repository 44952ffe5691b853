"""WeChat on the stack: nginx sends WeChat to the WeChat fronts (one per replica), a replayed
signature is refused by every front (the nonces are shared through the stack's Redis), and
Rasa's keyed turn route is not reachable through nginx."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid

import pytest

from harness.stack_process import Stack, require_services
from tests.channels.wechat.harness import TOKEN, FakeWeChat, text_xml
from tests.markers import starts_servers


@pytest.fixture(scope="module")
@starts_servers
def stack():
    require_services()
    running = Stack(env={"WECHAT_TOKEN": TOKEN, "WECHAT_APP_SECRET": "", "WECHAT_AES_KEY": ""})
    try:
        running.up()
        yield running
    finally:
        running.down()


def front_url(stack, replica: int) -> str:
    return f"http://127.0.0.1:{stack.port + 39 + replica}/webhooks/wechat/webhook"


def test_wechat_through_nginx_is_answered_by_a_front(stack):
    wechat = FakeWeChat(f"{stack.url}/webhooks/wechat/webhook", timeout=10)
    openid = "o" + uuid.uuid4().hex[:20]
    xml, query = text_xml(openid, "淘宝运营和推广专员有什么区别"), {**wechat.query(), "openid": openid}
    replies = [wechat.post(xml, query=query) for _ in range(3)]  # WeChat's attempts, until one is answered
    answered = next(r for r in replies if r.kind != "error")
    assert answered.kind == "text" and "推广" in answered.content
    assert all(r.seconds < 4.5 for r in replies)


def test_a_signature_seen_by_one_front_is_refused_by_the_other(stack):
    first, other = FakeWeChat(front_url(stack, 1)), FakeWeChat(front_url(stack, 2))
    query = {**first.query(), "openid": "ovictim"}
    assert first.post(text_xml("ovictim", "你好"), query=query).kind == "text"
    forged = other.post(text_xml("oforged", "我的电话是13800138000"), query={**query, "openid": "oforged"})
    assert forged.status == 403


def test_rasas_turn_route_is_not_reachable_through_nginx(stack):
    body = json.dumps({"openid": "ovictim", "text": "你好"}).encode()
    request = urllib.request.Request(
        f"{stack.url}/webhooks/wechat/turn", data=body, headers={"Content-Type": "application/json"}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 404

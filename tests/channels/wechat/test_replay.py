"""Replays in 明文/兼容 mode: the signature covers the token, timestamp and nonce only, so one
observed signature must not carry another body or another openid. WeChat's own retry (the same
request again) still gets its answer. Shared by the stack's fronts through Redis."""

import json
import urllib.error
import urllib.request
import uuid

import pytest

from channels.wechat import relay
from channels.wechat.replay import NonceMemory, RedisNonces
from harness.bot_process import free_port
from harness.private_services import PrivateRedis
from tests.channels.wechat.harness import AES_KEY, APP_ID, TOKEN, ChannelServer, ScriptedBot, settings_for, text_xml
from tests.markers import starts_servers


def visitor() -> str:
    return "o" + uuid.uuid4().hex[:20]


def replay(server_a, server_b=None):
    """A signature seen on its way to A, reused on B (or A) with another follower's message."""
    wechat = server_a.wechat()
    query = {**wechat.query(), "openid": "ovictim"}
    xml = text_xml("ovictim", "你好")
    first = wechat.post(xml, query=query)
    retry = wechat.post(xml, query=query)  # byte-identical: WeChat's retry
    forged_xml = text_xml("oforged" + uuid.uuid4().hex[:8], "我的电话是13800138000，请回电")
    forged = (server_b or server_a).wechat().post(forged_xml, query={**query, "openid": "oforged"})
    return first, retry, forged


@pytest.mark.parametrize(
    "env,options",
    [({}, {}), ({"WECHAT_AES_KEY": AES_KEY, "WECHAT_APP_ID": APP_ID}, {"message_mode": "compatible"})],
    ids=["明文", "兼容"],
)
def test_a_signature_cannot_carry_another_message(env, options):
    with ChannelServer(settings_for(env, **options), ScriptedBot()) as server:
        first, retry, forged = replay(server)
        assert first.kind == "text" and retry.kind == "text" and retry.content == first.content
        assert forged.status == 403
        assert server.bot.texts() == ["你好"]  # the forged message never reached the assistant


def test_the_same_signature_with_the_same_body_but_another_openid_is_refused():
    with ChannelServer(settings_for(), ScriptedBot()) as server:
        wechat, xml = server.wechat(), text_xml(visitor(), "你好")
        query = {**wechat.query(), "openid": "oa"}
        assert wechat.post(xml, query=query).kind == "text"
        assert wechat.post(xml, query={**query, "openid": "ob"}).status == 403


def test_the_turn_route_takes_only_the_fronts_key():
    """Rasa's /webhooks/wechat/turn would otherwise let any client speak as any follower."""
    with ChannelServer(settings_for(), ScriptedBot()) as server:
        url = server.rasa_url + "/turn"
        body = json.dumps({"openid": "ovictim", "text": "我的电话是13800138000"}).encode()
        for headers in ({}, {relay.KEY_HEADER: "0" * 64}, {relay.KEY_HEADER: relay.relay_key("othertoken")}):
            assert post(url, body, headers) == 403
        key = {relay.KEY_HEADER: relay.relay_key(TOKEN)}
        assert post(url, b"{not json", key) == 400 and post(url, b'{"openid": 5}', key) == 400
        assert server.bot.calls == []
        assert post(url, body, key) == 200 and server.bot.calls == [("wechat:ovictim", "我的电话是13800138000")]


def post(url, body, headers) -> int:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture(scope="module")
@starts_servers
def redis_url():
    """A private Redis (never the machine's) on a free port."""
    redis = PrivateRedis().start()
    try:
        yield f"redis://127.0.0.1:{redis.port}/0"
    finally:
        redis.stop()


def test_a_replay_refused_by_one_front_is_refused_by_every_front(redis_url):
    settings = settings_for()
    with (
        ChannelServer(settings, ScriptedBot(), nonces=RedisNonces(redis_url)) as replica_1,
        ChannelServer(settings, ScriptedBot(), nonces=RedisNonces(redis_url)) as replica_2,
    ):
        first, retry, forged = replay(replica_1, replica_2)
        assert first.kind == "text" and retry.kind == "text"
        assert forged.status == 403 and replica_2.bot.calls == []


def test_with_redis_unreachable_the_front_keeps_answering_and_refusing_replays():
    unreachable = RedisNonces(f"redis://127.0.0.1:{free_port()}/0", fallback=NonceMemory())
    with ChannelServer(settings_for(), ScriptedBot(), nonces=unreachable) as server:
        first, retry, forged = replay(server)
        assert first.kind == "text" and retry.kind == "text" and forged.status == 403
        assert first.seconds < 2

"""The WeChat channel on a real Sanic server on loopback, driven by a simulated WeChat server."""

import base64
import time
import uuid

import pytest
from wechatpy.crypto import WeChatCrypto

from channels.wechat.inbound import EMPTY_VOICE, ONLY_TEXT
from channels.wechat.render import MORE_NOTICE
from tests.channels.wechat import sample_vector as vector
from tests.channels.wechat.harness import (
    AES_KEY,
    APP_ID,
    TOKEN,
    ChannelServer,
    FakeWeChat,
    ScriptedBot,
    StubCustomerServiceApi,
    api_env,
    event_xml,
    message_xml,
    settings_for,
    sign,
    text_xml,
)
from tests.markers import starts_servers

SAFE_ENV = {"WECHAT_AES_KEY": AES_KEY, "WECHAT_APP_ID": APP_ID}


def visitor() -> str:
    return "o" + uuid.uuid4().hex[:20]


@pytest.fixture(scope="module")
@starts_servers
def plain():
    with ChannelServer(settings_for(), ScriptedBot()) as server:
        yield server


@pytest.fixture(scope="module")
@starts_servers
def safe():
    with ChannelServer(settings_for(SAFE_ENV), ScriptedBot()) as server:
        yield server


# ---------------------------------------------------------------- authenticity


def test_url_check_echoes_only_with_a_valid_signature(plain):
    wechat = plain.wechat()
    assert wechat.url_check("8723467283").body == "8723467283"
    forged = wechat.url_check("8723467283", signature="0" * 40)
    assert forged.status == 403 and "8723467283" not in forged.body
    assert FakeWeChat(plain.url, token="wrongtoken").url_check("1").status == 403


def test_forged_or_missing_signatures_are_refused_before_the_bot(plain):
    wechat, before = plain.wechat(), len(plain.bot.calls)
    query = wechat.query()
    assert wechat.post(text_xml(visitor(), "hi"), query={**query, "signature": "f" * 40}).status == 403
    assert wechat.post(text_xml(visitor(), "hi"), query={"timestamp": query["timestamp"]}).status == 403
    assert FakeWeChat(plain.url, token="othertoken").post(text_xml(visitor(), "hi")).status == 403
    assert len(plain.bot.calls) == before


def test_replayed_request_with_an_old_timestamp_is_refused(plain):
    wechat, before = plain.wechat(), len(plain.bot.calls)
    old = wechat.query(timestamp=int(time.time()) - 3600)
    assert wechat.post(text_xml(visitor(), "hi"), query=old).status == 403
    future = wechat.query(timestamp=int(time.time()) + 3600)
    assert wechat.post(text_xml(visitor(), "hi"), query=future).status == 403
    assert len(plain.bot.calls) == before


@pytest.mark.parametrize(
    "body",
    [
        b"<xml><ToUserName>unclosed",
        b"not xml at all",
        b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaa'><!ENTITY b '&a;&a;&a;&a;'>]>"
        b"<xml><MsgType>text</MsgType><Content>&b;</Content></xml>",
        b"<!DOCTYPE xml [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><xml><Content>&e;</Content></xml>",
        b"<xml><MsgType><![CDATA[text]]></MsgType></xml>",  # no sender
        b"<xml>just text</xml>",
        "<xml><Content>\u00e9</Content></xml>".encode("latin-1"),  # not UTF-8
    ],
)
def test_malformed_bodies_get_a_4xx_and_never_reach_the_bot(plain, body):
    wechat, before = plain.wechat(), len(plain.bot.calls)
    reply = wechat.raw("POST", wechat.query(), body)
    assert 400 <= reply.status < 500, reply
    assert len(plain.bot.calls) == before


def test_oversized_body_is_refused(plain):
    wechat = plain.wechat()
    reply = wechat.raw("POST", wechat.query(), text_xml(visitor(), "长" * 40_000).encode())
    assert reply.status == 413


def test_safe_mode_rejects_bad_msg_signature_bad_base64_and_wrong_app_id(safe):
    wechat, openid, before = safe.wechat(aes_key=AES_KEY), visitor(), len(safe.bot.calls)
    query = {**wechat.query(), "encrypt_type": "aes"}
    envelope = "<xml><ToUserName>x</ToUserName><Encrypt><![CDATA[{}]]></Encrypt></xml>"
    bad_b64 = "%%%not-base64%%%"
    reply = wechat.raw(
        "POST",
        {**query, "msg_signature": sign(TOKEN, query["timestamp"], query["nonce"], bad_b64)},
        envelope.format(bad_b64).encode(),
    )
    assert reply.status == 400
    garbage = base64.b64encode(b"x" * 48).decode()
    reply = wechat.raw(
        "POST",
        {**query, "msg_signature": sign(TOKEN, query["timestamp"], query["nonce"], garbage)},
        envelope.format(garbage).encode(),
    )
    assert reply.status == 400
    good = WeChatCrypto(TOKEN, AES_KEY, APP_ID).encrypt_message(text_xml(openid, "hi"), query["nonce"])
    encrypt = good.split("<Encrypt><![CDATA[")[1].split("]]>")[0]
    reply = wechat.raw("POST", {**query, "msg_signature": "0" * 40}, envelope.format(encrypt).encode())
    assert reply.status == 403
    other_app = WeChatCrypto(TOKEN, AES_KEY, "wx0000000000000000").encrypt_message(text_xml(openid, "hi"), "1")
    encrypt = other_app.split("<Encrypt><![CDATA[")[1].split("]]>")[0]
    reply = wechat.raw(
        "POST",
        {**query, "msg_signature": sign(TOKEN, query["timestamp"], query["nonce"], encrypt)},
        envelope.format(encrypt).encode(),
    )
    assert reply.status == 403
    assert len(safe.bot.calls) == before


def test_safe_mode_refuses_plain_messages(safe):
    before = len(safe.bot.calls)
    assert safe.wechat().post(text_xml(visitor(), "明文")).status == 403
    assert safe.wechat(aes_key=AES_KEY).post(text_xml(visitor(), "hi"), encrypted=True).content == "答：hi"
    assert [text for _, text in safe.bot.calls[before:]] == ["hi"]


def test_compatible_mode_accepts_both_and_plain_mode_refuses_encrypted():
    with ChannelServer(settings_for(SAFE_ENV, message_mode="兼容")) as server:
        assert server.wechat().post(text_xml(visitor(), "明文")).content == "答：明文"
        assert server.wechat(aes_key=AES_KEY).post(text_xml(visitor(), "密文"), encrypted=True).content == "答：密文"
    with ChannelServer(settings_for(SAFE_ENV, message_mode="plain")) as server:
        assert server.wechat(aes_key=AES_KEY).post(text_xml(visitor(), "密文"), encrypted=True).status == 403
        assert server.bot.texts() == []


# ---------------------------------------------------------------- replies mirror the request


def test_plain_request_gets_plain_xml(plain):
    reply = plain.wechat().post(text_xml(visitor(), "你好"))
    assert reply.body.startswith("<xml>") and "<Encrypt>" not in reply.body
    assert reply.kind == "text" and reply.content == "答：你好"


def test_encrypted_request_gets_a_reply_wechat_can_verify_and_decrypt(safe):
    openid = visitor()
    wechat = safe.wechat(aes_key=AES_KEY)
    reply = wechat.post(text_xml(openid, "安全模式"), encrypted=True)  # decrypt checks MsgSignature
    assert reply.kind == "text" and reply.content == "答：安全模式"
    assert reply.fields["ToUserName"] == openid


def test_wechat_published_sample_ciphertext_is_decrypted_and_answered():
    env = {"WECHAT_TOKEN": vector.TOKEN, "WECHAT_AES_KEY": vector.AES_KEY, "WECHAT_APP_ID": vector.APP_ID}
    from channels.wechat.settings import load_settings

    settings = load_settings({"max_clock_skew_seconds": 10**10}, env)  # the sample is from 2014
    with ChannelServer(settings) as server:
        wechat = FakeWeChat(server.url, token=vector.TOKEN, aes_key=vector.AES_KEY, app_id=vector.APP_ID)
        query = {
            "signature": sign(vector.TOKEN, vector.TIMESTAMP, vector.NONCE),
            "timestamp": vector.TIMESTAMP,
            "nonce": vector.NONCE,
            "encrypt_type": "aes",
            "msg_signature": vector.MSG_SIGNATURE,
        }
        reply = wechat.raw("POST", query, vector.BODY.encode())
        assert reply.status == 200
        crypto = WeChatCrypto(vector.TOKEN, vector.AES_KEY, vector.APP_ID)
        sealed = reply.body
        fields = {
            k: sealed.split(f"<{k}>")[1].split(f"</{k}>")[0].replace("<![CDATA[", "").replace("]]>", "")
            for k in ("MsgSignature", "TimeStamp", "Nonce")
        }
        plain_reply = crypto.decrypt_message(sealed, fields["MsgSignature"], fields["TimeStamp"], fields["Nonce"])
        assert "<Content><![CDATA[答：test]]></Content>" in plain_reply
        assert "<ToUserName><![CDATA[messense]]></ToUserName>" in plain_reply
        assert server.bot.calls == [("wechat:messense", "test")]  # the WeChat namespace


def test_nothing_to_say_is_success(plain):
    assert plain.wechat().post(event_xml(visitor(), "VIEW", EventKey="https://example.com")).body == "success"


# ---------------------------------------------------------------- exactly once


def test_retries_of_a_message_reach_the_bot_once_and_get_the_same_answer(plain):
    wechat, openid = plain.wechat(), visitor()
    xml, query = text_xml(openid, "重试", msg_id=987654321), wechat.query()
    replies = [wechat.post(xml, query=query), wechat.post(xml, query=wechat.query()), wechat.post(xml)]
    assert [r.content for r in replies] == ["答：重试"] * 3
    assert plain.bot.calls.count((f"wechat:{openid}", "重试")) == 1


def test_another_followers_message_with_the_same_msgid_gets_its_own_answer(plain):
    wechat, a, b = plain.wechat(), visitor(), visitor()
    assert wechat.post(text_xml(a, "我的电话是多少", msg_id=555000111)).content == "答：我的电话是多少"
    reused = wechat.post(text_xml(b, "运营是什么", msg_id=555000111))
    assert reused.content == "答：运营是什么"
    assert f"<ToUserName><![CDATA[{b}]]></ToUserName>" in reused.body and a not in reused.body


def test_event_retries_are_deduplicated_by_sender_and_create_time():
    settings = settings_for(menu_payloads={"ASK_PRICE": "/ask_price"})
    with ChannelServer(settings) as server:
        wechat, openid, created = server.wechat(), visitor(), int(time.time())
        for _ in range(3):
            assert (
                server.wechat().post(event_xml(openid, "CLICK", created, EventKey="ASK_PRICE")).content
                == "答：/ask_price"
            )
        wechat.post(event_xml(openid, "CLICK", created + 1, EventKey="ASK_PRICE"))
        assert server.bot.texts() == ["/ask_price", "/ask_price"]


# ---------------------------------------------------------------- the 5-second rule


def test_slow_bot_without_api_is_answered_on_wechats_retry():
    settings = settings_for(reply_budget_seconds=0.6)
    with ChannelServer(settings, ScriptedBot(delay=1.0)) as server:
        wechat = server.wechat(timeout=2.0)
        reply, attempts = wechat.deliver(text_xml(visitor(), "慢问题"))
        assert attempts == 2 and reply.content == "答：慢问题"
        assert reply.seconds < 0.6 + 0.5
        assert server.bot.texts() == ["慢问题"]


def test_very_slow_bot_without_api_answers_the_last_retry_politely_and_keeps_the_answer():
    settings = settings_for(reply_budget_seconds=0.3)
    with ChannelServer(settings, ScriptedBot(delay=2.0)) as server:
        wechat, openid = server.wechat(timeout=2.0), visitor()
        started = time.monotonic()
        reply, attempts = wechat.deliver(text_xml(openid, "很慢"))
        assert attempts == 3 and "更多" in reply.content
        assert time.monotonic() - started < 2.0
        time.sleep(2.2 - (time.monotonic() - started))
        assert wechat.post(text_xml(openid, "更多")).content == "答：很慢"
        assert server.bot.texts() == ["很慢"]


# ---------------------------------------------------------------- message types


def test_voice_uses_recognition_and_asks_for_text_when_empty(plain):
    wechat, openid = plain.wechat(), visitor()
    heard = wechat.post(message_xml(openid, "voice", MediaId="m", Format="amr", Recognition="语音问题", MsgId=11))
    assert heard.content == "答：语音问题"
    unheard = wechat.post(message_xml(openid, "voice", MediaId="m", Format="amr", Recognition="", MsgId=12))
    assert unheard.content == EMPTY_VOICE
    assert (f"wechat:{openid}", "") not in plain.bot.calls


@pytest.mark.parametrize(
    "msg_type,fields",
    [
        ("image", {"PicUrl": "http://x/y.jpg", "MediaId": "m"}),
        ("location", {"Location_X": "23.1", "Location_Y": "113.3", "Scale": "20", "Label": "广州"}),
        ("link", {"Title": "t", "Description": "d", "Url": "http://x"}),
        ("video", {"MediaId": "m", "ThumbMediaId": "t"}),
    ],
)
def test_non_text_messages_get_a_polite_text_only_reply(plain, msg_type, fields):
    openid = visitor()
    reply = plain.wechat().post(message_xml(openid, msg_type, MsgId=int(time.time() * 1000), **fields))
    assert reply.content == ONLY_TEXT
    assert all(sender != f"wechat:{openid}" for sender, _ in plain.bot.calls)


@pytest.mark.parametrize("extra", [{}, {"EventKey": "qrscene_123", "Ticket": "t"}])
def test_subscribe_gets_the_welcome_with_what_can_be_asked(plain, extra):
    reply = plain.wechat().post(event_xml(visitor(), "subscribe", **extra))
    assert "欢迎" in reply.content and "淘宝运营" in reply.content


def test_unsubscribe_and_unknown_events_get_success_without_the_bot(plain):
    openid, before = visitor(), len(plain.bot.calls)
    assert plain.wechat().post(event_xml(openid, "unsubscribe")).body == "success"
    assert plain.wechat().post(event_xml(openid, "LOCATION", Latitude="1", Longitude="2")).body == "success"
    assert plain.wechat().post(message_xml(openid, "miniprogrampage", MsgId=77)).body == "success"
    assert plain.wechat().post(event_xml(openid, "CLICK", EventKey="NOT_CONFIGURED")).body == "success"
    assert len(plain.bot.calls) == before


# ---------------------------------------------------------------- output


def test_markdown_is_stripped_and_cdata_terminators_cannot_break_the_xml():
    bot = ScriptedBot(lambda text: [{"text": "**淘宝运营**重在过程 ]]><evil/> 结束"}])
    with ChannelServer(settings_for(), bot) as server:
        reply = server.wechat().post(text_xml(visitor(), "q"))
        assert reply.content == "淘宝运营重在过程 ]]><evil/> 结束"


def test_all_bot_messages_of_a_turn_arrive_in_one_passive_reply():
    bot = ScriptedBot(lambda text: [{"text": "第一段"}, {"text": "第二段"}])
    with ChannelServer(settings_for(), bot) as server:
        assert server.wechat().post(text_xml(visitor(), "q")).content == "第一段\n\n第二段"


def long_answer(text):
    return [{"text": "\n".join(f"第{i}行：" + "运营推广" * 30 for i in range(40))}]


def test_long_answer_without_api_is_truncated_at_a_character_boundary_with_a_way_to_read_on():
    with ChannelServer(settings_for(), ScriptedBot(long_answer)) as server:
        wechat, openid = server.wechat(), visitor()
        full = long_answer("")[0]["text"]
        first = wechat.post(text_xml(openid, "长问题"))
        assert len(first.content.encode("utf-8")) <= 2048 and first.content.endswith(MORE_NOTICE.strip())
        seen = first.content.removesuffix(MORE_NOTICE.strip()).strip()
        for _ in range(20):
            page = wechat.post(text_xml(openid, "更多")).content
            assert len(page.encode("utf-8")) <= 2048
            seen += "\n" + page.removesuffix(MORE_NOTICE.strip()).strip()
            if not page.endswith(MORE_NOTICE.strip()):
                break
        assert seen == full
        assert server.bot.texts() == ["长问题"]


# ---------------------------------------------------------------- buttons

BUTTONS = [{"title": "**淘宝运营**", "payload": '/ask{"topic": "taobao"}'}, {"title": "人工客服", "payload": "/human"}]


def buttons_bot(text):
    if text.startswith("/"):
        return [{"text": f"收到 {text}"}]
    return [{"text": "想了解哪方面？", "buttons": BUTTONS}]


def test_buttons_become_bizmsgmenu_links_and_number_or_tap_triggers_the_payload():
    with ChannelServer(settings_for(), ScriptedBot(buttons_bot)) as server:
        wechat, openid = server.wechat(), visitor()
        menu = wechat.post(text_xml(openid, "问题")).content
        assert 'href="weixin://bizmsgmenu?msgmenucontent=淘宝运营&msgmenuid=1">淘宝运营</a>' in menu
        assert "2. <a" in menu
        assert wechat.post(text_xml(openid, "１")).content == '收到 /ask{"topic": "taobao"}'
        wechat.post(text_xml(openid, "问题"))
        tapped = wechat.post(text_xml(openid, "人工客服", bizmsgmenuid="2"))
        assert tapped.content == "收到 /human"
        assert server.bot.texts()[-1] == "/human"
        wechat.post(text_xml(visitor(), "1"))  # numbers only mean something to a visitor shown buttons
        assert server.bot.texts()[-1] == "1"


def test_numbered_button_style_has_no_links():
    with ChannelServer(settings_for(button_style="numbers"), ScriptedBot(buttons_bot)) as server:
        wechat, openid = server.wechat(), visitor()
        menu = wechat.post(text_xml(openid, "问题")).content
        assert "1. 淘宝运营" in menu and "<a" not in menu
        assert wechat.post(text_xml(openid, "2")).content == "收到 /human"


# ---------------------------------------------------------------- handoff


def handoff_bot(text):
    return [
        {"text": "请联系人工客服：电话 175-8598-2043，微信 1454722008"},
        {"custom": {"type": "handoff", "kf_account": None}},
    ]


def test_without_app_secret_a_handoff_is_answered_with_the_contacts_never_a_bare_transfer():
    settings = settings_for(menu_payloads={"HUMAN": "/human"})
    with ChannelServer(settings, ScriptedBot(handoff_bot)) as server:
        wechat, openid = server.wechat(), visitor()
        for text in ("转人工", "人工"):
            reply = wechat.post(text_xml(openid, text))
            assert reply.kind == "text" and "175-8598-2043" in reply.content and "1454722008" in reply.content
        clicked = wechat.post(event_xml(openid, "CLICK", EventKey="HUMAN"))
        assert clicked.kind == "text" and "175-8598-2043" in clicked.content


def test_handoff_to_a_named_agent(monkeypatch):
    monkeypatch.setenv("OFFICE_HOURS", "Mon-Sun 00:00-24:00")
    with (
        StubCustomerServiceApi() as stub,
        ChannelServer(
            settings_for(api_env(), api_base_url=stub.base_url, kf_account="kf2001@creativeridge"),
            ScriptedBot(handoff_bot),
        ) as server,
    ):
        reply = server.wechat().post(text_xml(visitor(), "转人工"))
        assert reply.fields["TransInfo"]["KfAccount"] == "kf2001@creativeridge"


def test_channel_off_without_token_answers_503():
    with ChannelServer(None) as server:
        reply = server.wechat().post(text_xml(visitor(), "hi"))
        assert reply.status == 503 and server.bot.calls == []

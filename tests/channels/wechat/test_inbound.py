"""Property tests of the WeChat message parser (channels/wechat/inbound.py): whatever body
arrives, it is either understood or refused with a 4xx, never an unexpected exception."""

from hypothesis import example, given, settings
from hypothesis import strategies as st

from channels.wechat.inbound import ASK, REPLY, SILENT, read_inbound
from channels.wechat.security import Rejected
from tests.channels.wechat.harness import cdata, message_xml, settings_for

SETTINGS = settings_for()
FIELDS = [
    "ToUserName",
    "FromUserName",
    "CreateTime",
    "MsgType",
    "Content",
    "MsgId",
    "Event",
    "EventKey",
    "Recognition",
    "bizmsgmenuid",
    "PicUrl",
    "Ticket",
]
MSG_TYPES = ["text", "voice", "image", "event", "link", "location", "video", "unknown", "TEXT", ""]
EVENTS = ["subscribe", "unsubscribe", "CLICK", "click", "VIEW", "SCAN", ""]
SCALARS = st.text(max_size=40) | st.sampled_from(MSG_TYPES + EVENTS + ["]]>", "<a>", "&amp;", "\x00"])


def understood_or_refused(body: str) -> None:
    try:
        inbound = read_inbound(body, SETTINGS)
    except Rejected as refused:
        assert 400 <= refused.status < 500
        return
    assert inbound.action in (ASK, REPLY, SILENT)
    assert inbound.openid and inbound.account
    assert isinstance(inbound.text, str)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_body_is_understood_or_refused(body):
    understood_or_refused(body)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(FIELDS), SCALARS | st.integers(), max_size=8), st.booleans())
def test_any_combination_of_fields_is_understood_or_refused(fields, wrap_in_cdata):
    inner = "".join(f"<{k}>{cdata(v) if wrap_in_cdata else v}</{k}>" for k, v in fields.items())
    understood_or_refused(f"<xml>{inner}</xml>")


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["text", "TEXT", "voice"]), st.text(max_size=200))
@example("text", "<!DOCTYPE html> 是什么意思")  # markup a visitor types is text, not a DTD
@example("text", "<!ENTITY a 'x'> 运营")
def test_text_and_voice_with_any_content_are_understood(msg_type, content):
    body = message_xml("o_visitor", msg_type, Content=content, Recognition=content, MsgId=1)
    try:
        inbound = read_inbound(body, SETTINGS)
    except Rejected as refused:  # only what XML cannot carry (a control character) is refused
        assert refused.status == 400 and any(ord(c) < 32 and c not in "\t\n\r" for c in content), content
        return
    as_xml_reads_it = content.replace("\r\n", "\n").replace("\r", "\n").strip()  # XML line ends
    if as_xml_reads_it:
        assert inbound.action == ASK and inbound.text == as_xml_reads_it
    else:
        assert inbound.action in (SILENT, REPLY)


def test_a_sender_id_longer_than_the_stores_take_is_refused():
    try:
        read_inbound(message_xml("o" * 300, "text", Content="你好", MsgId=2), SETTINGS)
    except Rejected as refused:
        assert refused.status == 400 and "FromUserName" in refused.reason
    else:
        raise AssertionError("a 300-character openid was accepted")
    assert read_inbound(message_xml("o" * 28, "text", Content="你好", MsgId=3), SETTINGS).text == "你好"

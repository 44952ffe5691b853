"""What a WeChat message or event asks of the assistant."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from wechatpy.parser import parse_message

from assistant.phrasebook import say
from channels.namespaces import MAX_SENDER_CHARS
from channels.wechat.security import PARSE_ERRORS, Rejected, parse_xml
from channels.wechat.settings import WeChatSettings

ONLY_TEXT = say("wechat_only_text")
EMPTY_VOICE = say("wechat_empty_voice")
NOT_UNDERSTOOD_TYPES = {"image", "location", "link", "video", "shortvideo", "file"}

ASK = "ask"  # send `text` to Rasa
REPLY = "reply"  # answer `text` without Rasa
SILENT = "silent"  # answer `success`


@dataclass(frozen=True)
class Inbound:
    openid: str  # the visitor (FromUserName)
    account: str  # our Official Account (ToUserName)
    dedup_key: str
    is_event: bool
    action: str
    text: str = ""
    menu_id: Optional[str] = None  # set when a weixin://bizmsgmenu link was tapped


def read_inbound(xml: str, settings: WeChatSettings) -> Inbound:
    try:
        raw = parse_xml(xml)
        message = parse_message(xml)
    except PARSE_ERRORS:
        raise Rejected(400, "malformed message") from None
    openid, account = raw.get("FromUserName"), raw.get("ToUserName")
    msg_type = raw.get("MsgType")
    if not all(isinstance(v, str) and v for v in (openid, account, msg_type)):
        raise Rejected(400, "FromUserName, ToUserName and MsgType are required")
    if len(openid) > MAX_SENDER_CHARS:  # real openids have 28 characters; the stores take 255
        raise Rejected(400, f"FromUserName is longer than {MAX_SENDER_CHARS} characters")
    msg_type = msg_type.lower()
    is_event = msg_type == "event"
    # WeChat's advice: MsgId for messages, sender + CreateTime for events. The sender is in
    # both keys, so another follower's message reusing an id never gets this one's reply.
    msg_id = raw.get("MsgId")
    if not is_event and isinstance(msg_id, str) and msg_id:
        dedup_key = f"msg:{openid}:{msg_id}"
    else:
        dedup_key = f"evt:{openid}:{raw.get('CreateTime')}:{raw.get('Event')}"

    def make(action: str, text: str = "", menu_id: Optional[str] = None) -> Inbound:
        return Inbound(openid, account, dedup_key, is_event, action, text, menu_id)

    if msg_type == "text":
        text = _text(raw, "Content")
        menu_id = raw.get("bizmsgmenuid")
        return make(ASK, text, menu_id if isinstance(menu_id, str) else None) if text else make(SILENT)
    if msg_type == "voice":
        recognition = _text(raw, "Recognition")
        return make(ASK, recognition) if recognition else make(REPLY, EMPTY_VOICE)
    if msg_type in NOT_UNDERSTOOD_TYPES:
        return make(REPLY, ONLY_TEXT)
    if is_event:
        event = getattr(message, "event", "") or ""
        if event in ("subscribe", "subscribe_scan"):
            return make(REPLY, settings.welcome_text)
        if event == "click":
            payload = settings.menu_payloads.get(_text(raw, "EventKey"))
            return make(ASK, payload) if payload else make(SILENT)
    return make(SILENT)


def _text(raw: dict, key: str) -> str:
    value = raw.get(key)
    return value.strip() if isinstance(value, str) else ""

"""Each channel's own namespace of conversation ids, so that one channel can never reach
another's conversations: a REST sender can never be a WeChat follower's id."""

from __future__ import annotations

WECHAT = "wechat:"
WIDGET = "web:"
# Conversation ids are stored in a 255-character column; ids from outside stay well below.
MAX_SENDER_CHARS = 128


def reserved(sender: str) -> bool:
    """True for an id in another channel's namespace."""
    return sender.startswith((WECHAT, WIDGET))


def wechat_conversation(openid: str) -> str:
    return WECHAT + openid


def widget_conversation(session_id: str) -> str:
    return WIDGET + session_id


def widget_room(conversation_id: str) -> str:
    """The socket.io room of a widget conversation (the session id the widget joined)."""
    return conversation_id[len(WIDGET) :] if conversation_id.startswith(WIDGET) else conversation_id

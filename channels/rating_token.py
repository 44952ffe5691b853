"""The token that lets a widget conversation rate itself (POST /ratings on the web app): the token
its session was issued with (channels/widget_session.py), which the widget keeps and sends with each
rating. The web app checks it without asking anyone; nobody without the widget's key can make one
for a conversation not theirs.

    token = hex(HMAC-SHA256(key, session id))[:32]

The key is WIDGET_SESSION_SECRET, else the key file that the Rasa servers and the web app on one
machine share (var/widget_session.key). A rating is accepted once per answer and once per
conversation anyway (web_app/ratings.py).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Optional

from channels import widget_session
from channels.namespaces import WIDGET

ENV = "WIDGET_SESSION_SECRET"


def secret_from_env() -> Optional[str]:
    """The widget's key: the configured secret, else the shared key file."""
    return widget_session.key().decode("utf-8")


def issue(conversation_id: str, secret: str) -> str:
    """The rating token of a widget conversation (`web:<session id>`)."""
    session = conversation_id[len(WIDGET) :] if conversation_id.startswith(WIDGET) else conversation_id
    return hmac.new(secret.encode("utf-8"), session.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def valid(conversation_id: str, token: object, secret: str) -> bool:
    """Whether `token` is the conversation's (constant time)."""
    if not isinstance(token, str) or len(token) > 100 or not secret:
        return False
    return hmac.compare_digest(issue(conversation_id, secret).encode("ascii"), token.encode("utf-8", "replace"))

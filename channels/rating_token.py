"""The token that lets a widget conversation rate itself (POST /ratings on the web app).

The Rasa server's widget channel hands each conversation its token along with its session id;
the web app accepts a rating only with the conversation's session id and that token. The token
is an HMAC of the conversation id (`web:<session id>`) under WIDGET_TOKEN_SECRET, a secret the
Rasa servers and the web app share (`make run` and the stack generate one per run, like the
action servers' secret), so any replica can issue it and the web app can check it without
asking anyone, and nobody without the secret can make one for a conversation not theirs.

    token = base64url_nopad(HMAC-SHA256(secret, "chuangyiling/rating/v1\\x00" + conversation_id))

(43 characters). It does not expire: the widget keeps its conversation across reloads, and a
rating is accepted once per answer and once per conversation anyway (web_app/ratings.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from typing import Mapping, Optional

ENV = "WIDGET_TOKEN_SECRET"
MIN_CHARS = 16
LABEL = b"chuangyiling/rating/v1\x00"


def secret_from_env(environ: Mapping[str, str] = os.environ) -> Optional[str]:
    """The shared secret, or None when it is unset or too short to be one."""
    value = environ.get(ENV, "").strip()
    return value if len(value) >= MIN_CHARS else None


def issue(conversation_id: str, secret: str) -> str:
    """The rating token of a widget conversation (`web:<session id>`)."""
    mac = hmac.new(secret.encode("utf-8"), LABEL + conversation_id.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def valid(conversation_id: str, token: object, secret: str) -> bool:
    """Whether `token` is the conversation's (constant time)."""
    if not isinstance(token, str) or len(token) > 100:
        return False
    return hmac.compare_digest(issue(conversation_id, secret).encode("ascii"), token.encode("utf-8", "replace"))

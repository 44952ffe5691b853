"""WeChat channel settings: secrets from the environment, the rest from credentials.yml.

Rasa refuses to start when credentials.yml names an unset `${VAR}`, so the channel
reads its WECHAT_* variables itself: without WECHAT_TOKEN it is simply off.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

from rasa.shared.exceptions import RasaException

from assistant import settings

DEFAULT_API_BASE_URL = "https://api.weixin.qq.com/cgi-bin/"


def default_welcome() -> str:
    """The subscribe welcome: every comparison of the page, from the knowledge base."""
    from assistant.kb import load_kb
    from assistant.phrasebook import load_phrasebook, say

    kb = load_kb()
    phrases = load_phrasebook()
    topics = [
        phrases.format("numbered_topic", number=n, title=c["title"])
        for n, c in enumerate(kb.comparisons.values(), start=1)
    ]
    return "\n".join([say("wechat_welcome_head"), *topics, say("wechat_welcome_tail")])


# credentials.yml's message_mode, in English or as 微信公众平台 names it.
MESSAGE_MODES = {
    "plain": "plain",
    "明文": "plain",
    "明文模式": "plain",
    "compatible": "compatible",
    "兼容": "compatible",
    "兼容模式": "compatible",
    "safe": "safe",
    "安全": "safe",
    "安全模式": "safe",
}
_TOKEN_PATTERN = re.compile(r"[A-Za-z0-9]{3,32}")
_AES_KEY_PATTERN = re.compile(r"[A-Za-z0-9+/]{43}")


class WeChatConfigError(RasaException):
    """Start-up stops with this when WECHAT_TOKEN is set but a setting is unusable."""


@dataclass(frozen=True)
class WeChatSettings:
    # Secrets are excluded from repr so that logging a settings object leaks nothing.
    token: str = field(repr=False)
    app_id: Optional[str] = None
    app_secret: Optional[str] = field(default=None, repr=False)
    aes_key: Optional[str] = field(default=None, repr=False)
    message_mode: Optional[str] = None  # plain / compatible / safe; None: safe with an AES key
    reply_budget_seconds: float = 4.5
    max_clock_skew_seconds: float = 300.0
    max_body_bytes: int = 64 * 1024
    max_reply_bytes: int = 2048
    max_messages_per_turn: int = 5
    wechat_attempts: int = 3
    button_style: str = "links"
    menu_payloads: Mapping[str, str] = field(default_factory=dict)
    welcome_text: str = field(default_factory=default_welcome)
    transfer_to_customer_service: bool = True
    kf_account: Optional[str] = None
    api_base_url: str = DEFAULT_API_BASE_URL
    api_timeout_seconds: float = 3.0

    @property
    def safe_mode(self) -> bool:
        return self.aes_key is not None

    @property
    def mode(self) -> str:
        """微信公众平台's 消息加解密方式: which requests the channel accepts."""
        return MESSAGE_MODES.get(self.message_mode or "", "safe" if self.safe_mode else "plain")

    @property
    def accepts_plain(self) -> bool:
        return self.mode in ("plain", "compatible")

    @property
    def accepts_encrypted(self) -> bool:
        return self.mode in ("compatible", "safe")

    @property
    def customer_service_api(self) -> bool:
        return bool(self.app_id and self.app_secret)


_OPTIONS = {  # credentials.yml key -> type it must have
    "message_mode": str,
    "reply_budget_seconds": (int, float),
    "max_clock_skew_seconds": (int, float),
    "max_body_bytes": int,
    "max_reply_bytes": int,
    "wechat_attempts": int,
    "button_style": str,
    "menu_payloads": dict,
    "welcome_text": str,
    "transfer_to_customer_service": bool,
    "kf_account": str,
    "api_base_url": str,
    "api_timeout_seconds": (int, float),
}


def load_settings(credentials: Optional[Mapping[str, Any]], environ: Mapping[str, str]) -> Optional[WeChatSettings]:
    """Settings, or None when WECHAT_TOKEN is unset (channel off)."""
    token = settings.WECHAT_TOKEN.value(environ)
    if not token:
        return None
    options = dict(credentials or {})
    if settings.WECHAT_MESSAGE_MODE.value(environ):  # the environment wins over credentials.yml
        options["message_mode"] = environ["WECHAT_MESSAGE_MODE"].strip()
    problems = []
    unknown = sorted(set(options) - set(_OPTIONS))
    if unknown:
        problems.append(f"unknown option(s) {', '.join(unknown)} (known: {', '.join(sorted(_OPTIONS))})")
    for key, kind in _OPTIONS.items():
        value = options.get(key)
        if value is None:
            options.pop(key, None)
        elif not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            problems.append(f"{key} has the wrong type ({type(value).__name__})")
    values = {
        "token": token,
        "app_id": settings.WECHAT_APP_ID.value(environ) or None,
        "app_secret": settings.WECHAT_APP_SECRET.value(environ) or None,
        "aes_key": settings.WECHAT_AES_KEY.value(environ) or None,
        **{k: v for k, v in options.items() if k in _OPTIONS},
    }
    if not problems:
        problems += _check(values)
    if problems:
        raise WeChatConfigError(
            "WeChat channel (WECHAT_TOKEN is set) cannot start: " + "; ".join(problems) + ". See docs/wechat.md."
        )
    return WeChatSettings(**values)


def _check(v: dict) -> list:
    """Problems in the values; messages name settings, never their secret values."""
    problems = []
    if not _TOKEN_PATTERN.fullmatch(v["token"]):
        problems.append("WECHAT_TOKEN must be 3-32 letters or digits (as in 微信公众平台)")
    if v["aes_key"] is not None:
        if not _AES_KEY_PATTERN.fullmatch(v["aes_key"]) or not _decodes_to_32_bytes(v["aes_key"]):
            problems.append(
                f"WECHAT_AES_KEY must be the 43-character EncodingAESKey (got {len(v['aes_key'])} characters)"
            )
        if not v["app_id"]:
            problems.append("WECHAT_AES_KEY (safe mode) also needs WECHAT_APP_ID")
    if bool(v["app_secret"]) and not v["app_id"]:
        problems.append("WECHAT_APP_SECRET needs WECHAT_APP_ID")
    if v["app_id"] and not re.fullmatch(r"wx[0-9a-fA-F]{16}", v["app_id"]):
        problems.append("WECHAT_APP_ID must look like wx followed by 16 hex digits")
    mode = v.get("message_mode")
    if mode is not None and mode not in MESSAGE_MODES:
        problems.append("message_mode must be plain (明文), compatible (兼容) or safe (安全)")
    elif MESSAGE_MODES.get(mode or "") in ("compatible", "safe") and v["aes_key"] is None:
        problems.append(f"message_mode {mode} needs WECHAT_AES_KEY")
    if not 0 < v.get("reply_budget_seconds", 4.5) < 5:
        problems.append("reply_budget_seconds must be between 0 and 5 (WeChat gives up at 5 s)")
    if v.get("max_clock_skew_seconds", 300) <= 0:
        problems.append("max_clock_skew_seconds must be positive")
    if not 256 <= v.get("max_reply_bytes", 2048) <= 2048:
        problems.append("max_reply_bytes must be between 256 and 2048 (WeChat's limit)")
    if not 1 <= v.get("wechat_attempts", 3) <= 10:
        problems.append("wechat_attempts must be between 1 and 10")
    if v.get("max_body_bytes", 1) <= 0:
        problems.append("max_body_bytes must be positive")
    if v.get("button_style", "links") not in ("links", "numbers"):
        problems.append("button_style must be 'links' or 'numbers'")
    if not all(isinstance(k, str) and isinstance(p, str) for k, p in v.get("menu_payloads", {}).items()):
        problems.append("menu_payloads must map menu EventKeys to payload strings")
    if not re.fullmatch(r"https?://\S+/", v.get("api_base_url", DEFAULT_API_BASE_URL)):
        problems.append("api_base_url must be an http(s) URL ending with '/'")
    if not 0 < v.get("api_timeout_seconds", 3.0) <= 30:
        problems.append("api_timeout_seconds must be between 0 and 30")
    return problems


def replay_redis_url(environ: Mapping[str, str]) -> Optional[str]:
    """WECHAT_REPLAY_REDIS_URL: the Redis where every WeChat front remembers the nonces it has
    seen (the stack sets it to its Redis); unset: each front remembers its own, in memory."""
    return settings.WECHAT_REPLAY_REDIS_URL.value(environ) or None


def _decodes_to_32_bytes(aes_key: str) -> bool:
    try:
        return len(base64.b64decode(aes_key + "=", validate=True)) == 32
    except (binascii.Error, ValueError):
        return False

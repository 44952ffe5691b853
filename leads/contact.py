"""Validation, normalisation and masking of what a visitor leaves for a callback.

Every `normalize_*` function returns the cleaned value, or None when the
input cannot be used (the form then re-prompts).
"""

from __future__ import annotations

import re
import unicodedata

NAME_MAX = 20
TIME_MAX = 50
NEED_MAX = 500

# Mainland mobile numbers: 11 digits, 1 then 3-9. Optional country code +86 / 0086 / 86.
_MOBILE = re.compile(r"(?:\+?86|0086)?(1[3-9]\d{9})")
_SEPARATORS = re.compile(r"[\s\-.()（）]")
# In free text: a mobile number possibly split by spaces or dashes (138 0013 8000),
# in half- or full-width characters (`\d` matches both).
_MOBILE_IN_TEXT = re.compile(
    r"(?<!\d)(?:(?:[+＋]|[0０]{2})?[8８][6６][\s\-－]?)?[1１][3-9３-９]\d(?:[\s\-－]?\d){8}(?!\d)"
)
_WECHAT = re.compile(r"[A-Za-z][-_A-Za-z0-9]{5,19}")
# WeChat IDs cannot be told from ordinary words, so logs are masked where the
# context says it is one: "wechat: abc123", "'wechat': 'abc123'", Rasa's
# "SlotSet(key: wechat, value: abc123)", "微信号是 abc123", and system ids "wxid_…".
_ID = r"(?P<id>[A-Za-z][-_A-Za-z0-9]{5,19})(?![-_A-Za-z0-9])"
_WECHAT_IN_TEXT = (
    re.compile(r"(?i)(?P<key>\b(?:wechat|weixin)(?:_?id)?)(?P<sep>['\"]?\s*(?:[:=]|,\s*value:)\s*['\"]?)" + _ID),
    re.compile(r"(?P<key>微信号?)(?P<sep>\s*(?:[:=：]|是|为|為)?\s*)" + _ID),
    re.compile(r"(?P<key>)(?P<sep>)(?P<id>\bwxid_[-_A-Za-z0-9]+)"),
)
_NAME_PREFIX = re.compile(r"^(?:我的名字(?:是|叫)|名字(?:是|叫)|称呼我|稱呼我|叫我|我叫|我是|本人)\s*")
_NAME_SUFFIX = re.compile(r"(?:就行了?|就好了?|即可|吧)?[\s。.!！~～,，]*$")
_URL_OR_EMAIL = re.compile(r"(?i)https?://|www\.|\.(?:com|cn|net|org)\b|@")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean_text(value: str | None) -> str:
    """No control characters, single spaces (Chinese punctuation stays full-width)."""
    if value is None:
        return ""
    return re.sub(r"\s+", " ", _CONTROL.sub("", str(value))).strip()


def _half_width(value: str | None) -> str:
    """For identifiers only: NFKC turns full-width digits/letters/＋ into ASCII."""
    return unicodedata.normalize("NFKC", _clean_text(value))


def normalize_phone(value: str | None) -> str | None:
    """A Chinese mobile number as 11 digits (13800138000), else None.

    Accepts spaces/dashes, +86 / 0086 / 86 prefixes and full-width digits;
    landlines and other lengths are rejected.
    """
    compact = _SEPARATORS.sub("", _half_width(value))
    match = _MOBILE.fullmatch(compact)
    return match.group(1) if match else None


def find_phone(text: str | None) -> str | None:
    """The first mobile number inside a sentence ("我的手机 138 0013 8000"), normalised."""
    for match in _MOBILE_IN_TEXT.finditer(text or ""):
        phone = normalize_phone(match.group())
        if phone:
            return phone
    return None


def normalize_wechat(value: str | None) -> str | None:
    """A WeChat ID (6-20 chars, starts with a letter, letters/digits/_/-) or a
    mobile number used as WeChat ID (normalised to 11 digits), else None."""
    text = _half_width(value)
    if _WECHAT.fullmatch(text):
        return text
    return normalize_phone(text)


def find_wechat(text: str | None) -> str | None:
    """A WeChat ID that the sentence names as one: 我的微信是 abc123, wechat: abc123, wxid_…."""
    text = _half_width(text)
    for pattern in _WECHAT_IN_TEXT:
        match = pattern.search(text)
        if match:
            return match["id"]
    return None


def normalize_name(value: str | None) -> str | None:
    """How to address the visitor (王先生, Lily), 1-20 chars, else None.

    Drops lead-ins such as 我叫/叫我 and trailing 就行; rejects digits-only
    input, anything holding a phone-like digit run, URLs and e-mail addresses.
    """
    text = _NAME_SUFFIX.sub("", _NAME_PREFIX.sub("", _clean_text(value))).strip()
    if not text or len(text) > NAME_MAX:
        return None
    if _URL_OR_EMAIL.search(text) or re.search(r"\d{5,}", text):
        return None
    if not any(ch.isalpha() for ch in text):
        return None
    return text


def _capped(value: str | None, limit: int) -> str | None:
    text = _clean_text(value)
    if not text:
        return None
    return text if len(text) <= limit else text[: limit - 1] + "…"


def normalize_preferred_time(value: str | None) -> str | None:
    """Free text such as 明天下午 / 工作日晚上7点后, trimmed and capped at 50 chars."""
    return _capped(value, TIME_MAX)


def normalize_need(value: str | None) -> str | None:
    """Free text of what the visitor needs, trimmed and capped at 500 chars."""
    return _capped(value, NEED_MAX)


def mask_phone(phone: str) -> str:
    """13800138000 -> 138****8000 (also for unnormalised input)."""
    digits = normalize_phone(phone) or re.sub(r"\D", "", unicodedata.normalize("NFKC", phone))
    if len(digits) < 7:
        return "***"
    return f"{digits[:3]}****{digits[-4:]}"


def mask_wechat(wechat: str) -> str:
    """wx_my_id -> wx***id; a phone number used as WeChat ID is masked as a phone."""
    if normalize_phone(wechat):
        return mask_phone(wechat)
    if len(wechat) <= 4:
        return "***"
    return f"{wechat[:2]}***{wechat[-2:]}"


def mask_contact(phone: str | None, wechat: str | None) -> str:
    """One line for logs and notifications: 手机 138****8000 / 微信 wx***id."""
    parts = []
    if phone:
        parts.append(f"手机 {mask_phone(phone)}")
    if wechat:
        parts.append(f"微信 {mask_wechat(wechat)}")
    return " / ".join(parts) or "-"


def mask_text(text: str) -> str:
    """Masks mobile numbers anywhere and WeChat IDs where the context names them."""
    text = _MOBILE_IN_TEXT.sub(lambda m: mask_phone(m.group()), text)
    for pattern in _WECHAT_IN_TEXT:
        text = pattern.sub(lambda m: m["key"] + m["sep"] + mask_wechat(m["id"]), text)
    return text

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
_MOBILE = re.compile(r"(?:86|0086)?(1[3-9][0-9]{9})")
# What may stand between the digits of a phone number, typed or in a log: spaces, dashes, dots,
# brackets (half- and full-width), and invisible characters (zero-width, bidi marks).
_SEPARATOR_CHARS = "\\s\\-－‐‑‒–—.．·・()（）\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
_SEPARATORS = re.compile(f"[{_SEPARATOR_CHARS}]")
# The phone reader: a run of digit groups (any script's decimal digits) joined by up to three
# separators: 138 0013 8000, 138.0013.8000, (138)00138000, 1 3 8 0 0 1 3 8 0 0 0, +86-138-…
_DIGIT_RUN = re.compile(f"[+＋]?\\d+(?:[{_SEPARATOR_CHARS}]{{1,3}}\\d+)*")
_DIGIT_GROUP = re.compile(r"\d+")
_LONGEST_NUMBER = 15  # 0086 + 11 digits
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
_NAME_PREFIX = re.compile(r"^(?:我的名字(?:是|叫)|名字(?:是|叫)|称呼我|稱呼我|叫我|我叫|我是|本人|免贵姓|我姓|姓)\s*")
_NAME_SUFFIX = re.compile(r"(?:就行了?|就好了?|即可|吧)?[\s。.!！~～,，]*$")
_URL_OR_EMAIL = re.compile(r"(?i)https?://|www\.|\.(?:com|cn|net|org)\b|@")
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Cs"}  # controls; format characters (zero-width, bidi); surrogates


def visible_text(value: str | None) -> str:
    """What a visitor typed, as staff should read it: every decimal digit as ASCII (١٣٨, ۱۳۸ and
    １３８ are 138), no invisible characters (controls, zero-width and bidi marks, BOM, tags),
    whitespace as it was (callers collapse it)."""
    if value is None:
        return ""
    out = []
    for ch in str(value):
        if ch.isascii() and (ch.isprintable() or ch in "\t\n\r"):
            out.append(ch)
            continue
        category = unicodedata.category(ch)
        if category == "Nd":
            out.append(str(unicodedata.decimal(ch)))
        elif ch in "\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85":
            out.append(" ")
        elif category not in _INVISIBLE_CATEGORIES:
            out.append(ch)
    return "".join(out)


def _clean_text(value: str | None) -> str:
    """ASCII digits, no invisible characters, single spaces (Chinese punctuation stays full-width)."""
    return re.sub(r"\s+", " ", visible_text(value)).strip()


def _half_width(value: str | None) -> str:
    """For identifiers only: NFKC turns full-width digits/letters/＋ into ASCII."""
    return unicodedata.normalize("NFKC", _clean_text(value))


def _mobile_of_digits(digits: str) -> str | None:
    match = _MOBILE.fullmatch(digits)
    return match.group(1) if match else None


def _ascii_digits(text: str) -> str:
    return "".join(str(unicodedata.decimal(ch)) for ch in text)


def normalize_phone(value: str | None) -> str | None:
    """A Chinese mobile number as 11 ASCII digits (13800138000), else None.

    Accepts what the phone reader accepts between digits (spaces, dashes, dots, brackets,
    invisible marks), +86 / 0086 / 86 prefixes and digits of any script (full-width, Arabic-Indic);
    landlines and other lengths are rejected.
    """
    compact = _SEPARATORS.sub("", unicodedata.normalize("NFKC", visible_text(value)))
    compact = compact[1:] if compact.startswith("+") else compact
    if not compact or not all(ch.isdecimal() for ch in compact):
        return None
    return _mobile_of_digits(_ascii_digits(compact))


def phones_in(text: str | None):
    """The phone reader, shared by the callback form (find_phone) and the log masker (mask_text):
    yields (start, end, number) for each mainland mobile number in `text`, its digits possibly
    split by separators, in any script's digits. A run of digit groups holds a number when
    consecutive whole groups spell one (2026 138 0013 8000: the last three)."""
    for run in _DIGIT_RUN.finditer(text or ""):
        groups = list(_DIGIT_GROUP.finditer(run.group()))
        first = 0
        while first < len(groups):
            digits, found = "", None
            for last in range(first, len(groups)):
                digits += _ascii_digits(groups[last].group())
                if len(digits) > _LONGEST_NUMBER:
                    break
                phone = _mobile_of_digits(digits)
                if phone:
                    found = (last, phone)
                    break
            if found is None:
                first += 1
                continue
            last, phone = found
            start = run.start() + (0 if first == 0 else groups[first].start())
            yield start, run.start() + groups[last].end(), phone
            first = last + 1


def find_phone(text: str | None) -> str | None:
    """The first mobile number inside a sentence ("我的手机 138 0013 8000"), normalised."""
    return next((phone for _, _, phone in phones_in(text)), None)


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
    digits = normalize_phone(phone) or re.sub(r"[^0-9]", "", visible_text(phone))
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
    spans = list(phones_in(text))
    for start, end, phone in reversed(spans):
        text = text[:start] + mask_phone(phone) + text[end:]
    for pattern in _WECHAT_IN_TEXT:
        text = pattern.sub(lambda m: m["key"] + m["sep"] + mask_wechat(m["id"]), text)
    return text

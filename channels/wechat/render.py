"""Bot messages -> WeChat text: markdown stripped, buttons, byte-limited pages, reply XML."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from wechatpy.replies import TextReply, TransferCustomerServiceReply

from assistant.phrasebook import load_phrasebook, say
from assistant.text import in_script, script_of

MORE_NOTICE = say("wechat_more_notice")
_LINK = re.compile(r"\[([^\]]+)\]\((\S+?)\)")
# XML 1.0 forbids these even inside CDATA; one stray byte would make WeChat drop the reply.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

Button = Tuple[str, str]  # (title, payload)


@dataclass
class Answer:
    """One turn of the assistant, in WeChat terms."""

    text: str = ""
    buttons: List[Button] = field(default_factory=list)
    handoff: bool = False
    kf_account: Optional[str] = None


_HEADING = re.compile(r"^\s*(?:\*\*|__)(.+?)(?:\*\*|__)\s*[:：]?\s*$")
_BULLET = re.compile(r"^(\s*)[-*+]\s+")


def plain_text(markdown: str) -> str:
    """WeChat shows markdown literally: a bold line becomes a 【heading】 on its own line, "- "
    bullets become ▪, other emphasis marks go, links stay readable."""
    lines = []
    for line in markdown.split("\n"):
        heading = _HEADING.match(line)
        if heading:
            line = load_phrasebook().format("wechat_heading", text=heading.group(1).strip())
        else:
            line = _BULLET.sub(lambda m: m.group(1) + "▪ ", line)
        lines.append(line.replace("**", "").replace("__", ""))
    return _LINK.sub(r"\1 \2", "\n".join(lines))


def answer_from(messages: List[Dict[str, Any]]) -> Answer:
    answer = Answer()
    parts = []
    for message in messages:
        if message.get("text"):
            parts.append(plain_text(message["text"]))
        if message.get("image"):
            parts.append(message["image"])
        for button in message.get("buttons") or []:
            if button.get("title") and button.get("payload"):
                title = button["title"].replace("**", "").replace("__", "")  # a title is one line: no 【】
                answer.buttons.append((_LINK.sub(r"\1", title), button["payload"]))
        custom = message.get("custom")
        if isinstance(custom, dict) and custom.get("type") == "handoff":
            answer.handoff = True
            answer.kf_account = custom.get("kf_account") or None
    answer.text = "\n\n".join(p.strip() for p in parts if p.strip())
    return answer


def buttons_text(buttons: List[Button], style: str) -> str:
    """Numbered buttons; with style 'links' each is also a tappable bizmsgmenu link."""
    lines = []
    for number, (title, _) in enumerate(buttons, start=1):
        if style == "links":
            safe = re.sub(r'[<>"&]', "", title)
            lines.append(f'{number}. <a href="weixin://bizmsgmenu?msgmenucontent={safe}&msgmenuid={number}">{safe}</a>')
        else:
            lines.append(load_phrasebook().format("numbered_topic", number=number, title=title))
    hint = say("wechat_buttons_hint_links" if style == "links" else "wechat_buttons_hint_numbers")
    return hint + "\n" + "\n".join(lines) if lines else ""


def full_text(answer: Answer, style: str) -> str:
    """The answer with its buttons; the channel's own lines in the answer's script."""
    buttons = in_script(buttons_text(answer.buttons, style), script_of(answer.text)) if answer.buttons else ""
    return "\n\n".join(p for p in (answer.text, buttons) if p)


def more_notice(text: str) -> str:
    """The "reply 更多" line, in the script of the text it ends."""
    return in_script(MORE_NOTICE, script_of(text))


def without_more_notice(page: str) -> str:
    for notice in {
        MORE_NOTICE,
        in_script(MORE_NOTICE, "traditional"),
        in_script(MORE_NOTICE, "taiwan"),
        in_script(MORE_NOTICE, "hongkong"),
    }:
        page = page.removesuffix(notice)
    return page


def split_utf8(text: str, limit: int) -> List[str]:
    """Pages of at most `limit` UTF-8 bytes, cut at line ends when possible, never inside a character."""
    pages, current = [], ""
    for line in text.splitlines(keepends=True):
        while len(line.encode("utf-8")) > limit:  # a single over-long line: cut by characters
            head = _prefix_within(line, limit - len(current.encode("utf-8")))
            if not head:
                pages.append(current)
                current = ""
                continue
            pages.append(current + head)
            current, line = "", line[len(head) :]
        if len((current + line).encode("utf-8")) > limit:
            pages.append(current)
            current = ""
        current += line
    if current or not pages:
        pages.append(current)
    return [p.strip("\n") for p in pages if p.strip()] or [""]


def _prefix_within(text: str, limit: int) -> str:
    """Longest prefix of `text` whose UTF-8 encoding fits in `limit` bytes."""
    return text.encode("utf-8")[: max(limit, 0)].decode("utf-8", errors="ignore")


def paginate(text: str, limit: int, max_pages: int) -> Tuple[List[str], List[str]]:
    """(pages to send now, pages kept for "更多"); a cut-off last page says how to ask for more."""
    if len(text.encode("utf-8")) <= limit:
        return [text], []
    notice = more_notice(text)
    pages = split_utf8(text, limit - len(notice.encode("utf-8")))
    now, later = pages[:max_pages], pages[max_pages:]
    if later:
        now[-1] += notice
    return now, later


def _cdata_safe(value: str) -> str:
    # wechatpy writes values into <![CDATA[...]]> verbatim: split any "]]>" across two sections.
    return _XML_INVALID.sub("", value).replace("]]>", "]]]]><![CDATA[>")


def text_reply_xml(account: str, openid: str, text: str) -> str:
    return TextReply(source=_cdata_safe(account), target=_cdata_safe(openid), content=_cdata_safe(text)).render()


def transfer_reply_xml(account: str, openid: str, kf_account: Optional[str]) -> str:
    xml = TransferCustomerServiceReply(source=_cdata_safe(account), target=_cdata_safe(openid)).render()
    if kf_account:  # a named agent; wechatpy's reply class has no field for it
        trans_info = f"<TransInfo><KfAccount><![CDATA[{_cdata_safe(kf_account)}]]></KfAccount></TransInfo>"
        xml = xml[: xml.rindex("</xml>")] + trans_info + "\n</xml>"
    return xml

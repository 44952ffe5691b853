"""The published page (source/page.txt) made comparable with the knowledge base's quotes: the
site's converter left pinyin and mojibake in it."""

from __future__ import annotations

import re

from assistant.kb import ROOT_DIR
from assistant.text import to_halfwidth, to_simplified

PAGE_PATH = ROOT_DIR / "source" / "page.txt"
# Pinyin the site's converter inserted after characters, e.g. 運(yùn)營(yíng).
_PINYIN = re.compile(r"\([a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]+\)")
# Mojibake and converter slips seen on the page, with what the page means.
_PAGE_FIXES = {"因?yàn)檫@": "因为这", "利用利用": "利用", "著": "着"}
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


def normalize_page(raw: str) -> str:
    text = to_simplified(_PINYIN.sub("", raw))
    for bad, good in _PAGE_FIXES.items():
        text = text.replace(bad, good)
    return text


def comparable(text: str) -> str:
    """Letters and digits only: how a quote is compared with the page."""
    return _PUNCT.sub("", to_simplified(to_halfwidth(text))).lower()


def page_text() -> str:
    return normalize_page(PAGE_PATH.read_text(encoding="utf-8"))


def section_headings(text: str) -> list[str]:
    """The page's numbered questions (一、淘宝运营和推广专员的区别 ...), without the numeral."""
    # The converter glued 四、 to the end of the paragraph before it, so not only at line starts.
    return re.findall(r"(?:^|[!！。?？])[一二三四五六七八九十]+、([^\n]+)", text, flags=re.M)

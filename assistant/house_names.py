"""A visitor's own names for the page's roles (我们这边：增长中心=运营，“内容组”对应新媒体推广).

Once a visitor has said which of their names stands for which role, a later question in their
names (增长中心和品牌部谁包含谁) is read in the page's: `declared` finds the names in what they
wrote, `in_page_terms` puts the roles in their place.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Dict, Iterable

from assistant.kb import load_kb
from assistant.wording import normalize

# what joins a visitor's name to a role of the page
_JOINS = r"(?:=|＝|对应的?是?|就是|相当于|等于|即|指的是|算是)"
_QUOTES = "“”\"'「」『』‘’"
_NAME_CHARS = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
# words before a name that are not part of it (我们的“内容组”)
_LEADING = (
    "我们这边的",
    "我们公司的",
    "我们这边",
    "我们公司",
    "我们的",
    "我们",
    "公司的",
    "这边的",
    "这边",
    "叫法",
    "的",
)
MIN_NAME, MAX_NAME = 2, 8
# after the role, in its clause: the visitor asks (……算是市场负责还是运营负责？ / ……就是运营吗)
_ASKS = re.compile(r"还是|吗|么|呢|负责|管")
_CLAUSE_END = re.compile(r"[，,。.？?！!；;\s]")
_NOT_A_NAME = ("按", "那个", "这个", "那", "这", "照")


@lru_cache(maxsize=1)
def _role_pattern() -> re.Pattern:
    kb = load_kb()
    names = sorted(kb.names_of_subjects(), key=len, reverse=True)
    return re.compile(_JOINS + r"\s*[" + re.escape(_QUOTES) + r"]?\s*(" + "|".join(map(re.escape, names)) + ")")


# words between a quoted name and the join (“投放组”做的就是网络推广)
_BETWEEN = ("做的", "干的", "指的", "说的", "其实", "实际上", "基本", "也")


def _name_before(text: str, end: int) -> str:
    for word in _BETWEEN:
        if text[:end].endswith(word) and text[: end - len(word)][-1:] in _QUOTES:
            end -= len(word)
            break
    i = end
    while i > 0 and text[i - 1] in _QUOTES + " ":
        i -= 1
    start = i
    while start > 0 and _NAME_CHARS.match(text[start - 1]) and i - start < 16:
        start -= 1
    name = text[start:i]
    for word in _LEADING:
        if name.startswith(word) and len(name) - len(word) >= MIN_NAME:
            name = name[len(word) :]
    return name


def declared(texts: Iterable[str]) -> Dict[str, str]:
    """{visitor's name: role name} from the visitor's messages, later ones winning."""
    kb = load_kb()
    roles = kb.names_of_subjects()
    found: Dict[str, str] = {}
    for text in texts:
        t = normalize(str(text or ""))
        for m in _role_pattern().finditer(t):
            if _ASKS.search(_CLAUSE_END.split(t[m.end() :], maxsplit=1)[0]):
                continue  # 按那个流程算是市场负责还是运营负责: a question, not a name given
            name, role = _name_before(t, m.start()), m.group(1)
            if name.startswith(_NOT_A_NAME):
                continue  # 按那个用户流程 / 这个环节 point at something; they name nothing
            # 运营就是市场吗 compares two roles; 电商事业部 = 电商运营 only names its own role
            inside = {key for r, key in roles.items() if r in name}
            if MIN_NAME <= len(name) <= MAX_NAME and inside <= {roles[role]} and name not in roles:
                found[name] = role
    return found


def in_page_terms(text: str, names: Dict[str, str]) -> str:
    """The text with the visitor's names replaced by the roles they stand for."""
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, names[name])
    return text

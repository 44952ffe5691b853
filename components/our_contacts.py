"""Our own phone number or WeChat ID in a message, even half-remembered, after the classifier.

A visitor who writes our number with two digits swapped (怎么一直打不通，是不是记错了), or its first
digits (你们微信号是1454什么来着) or its last (175-____-2043) wants our contacts: the message asks for a person, whatever the
classifier made of the digits. Their own number, or any other figure, is left alone.
"""

from __future__ import annotations

import re

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT
from rasa.shared.nlu.training_data.message import Message

from assistant.kb import load_kb
from components.message_rule import MessageRule
from leads import contact

_DIGITS = re.compile(r"\d(?:[\d\s-]*\d)?")
MIN_PREFIX = 4  # digits of the start of our number that are unmistakably it
MAX_SLIPS = 2  # digits out of place in a number of the same length (one swap is two)


_PHONE_ENDS = re.compile(r"(?:[-_＿*xX×?？\s]{2,}|尾号|后四位是?)(\d{4})(?![\d年])")


def ends_like_our_phone(text: str) -> bool:
    """175-____-2043 / 尾号2043: our phone's last four digits after a gap or 尾号."""
    phone = contact.normalize_phone(load_kb().contacts["phone"]) or ""
    return any(phone.endswith(m.group(1)) for m in _PHONE_ENDS.finditer(text))


def ours(digits: str) -> bool:
    """Whether a run of digits is our phone or WeChat ID, its start, or it slightly misremembered."""
    kb = load_kb()
    for number in (contact.normalize_phone(kb.contacts["phone"]), str(kb.contacts["wechat"])):
        if not number or not number.isdigit():
            continue
        if len(digits) >= MIN_PREFIX and number.startswith(digits):
            return True
        if len(digits) == len(number) and sum(a != b for a, b in zip(digits, number)) <= MAX_SLIPS:
            return True
    return False


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class OurContactsMatcher(MessageRule):
    def settle(self, message: Message, text: str) -> None:
        runs = [re.sub(r"\D", "", m.group()) for m in _DIGITS.finditer(text)]
        if any(ours(run) for run in runs) or ends_like_our_phone(text):
            message.set(INTENT, {"name": "request_human", "confidence": 1.0}, add_to_output=True)
            message.set("our_contact", True, add_to_output=True)

"""Words that settle what a message is, after the classifier and the page index.

- Asking what our services cost (报价 / 多少钱) is a price question, and asking for our contacts
  (还有别的联系方式吗) a request for a person, when the classifier took the message for a fact of
  the page that it holds no word of, or was unsure.
- Asking about the assistant itself (你能回答哪些问题) or where the page's views come from (这篇
  文章的观点出自哪里) is that question, even inside a story or beside roles of the page that only
  say which article is meant (`meta_questions` in kb/glossary.yml).
- A message that asks nothing and ends with thanks, a goodbye or a greeting in any register (谢谢
  你听我唠叨 / 就此别过，后会有期 / 幸会幸会) is that small talk when the classifier declined it, was
  unsure, or took it for a fact the message holds no word of (`small_talk_cues`). The last sentence's
  cue wins (承蒙指教……就此别过 is a goodbye).
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from assistant.clauses import names_page
from assistant.cues import (
    asks_again,
    asks_for_person,
    asks_gist,
    asks_our_price,
    asks_price,
    closes_with_greeting,
    closing_small_talk,
    meta_question,
    opens_with_greeting,
    page_step,
    pings,
    points_into_last_answer,
    resends,
    thanks_for_help,
)
from assistant.kb import load_kb
from assistant.wording import glossary
from components.message_rule import MessageRule

CUE = "cue_word"
UNSURE_INTENTS = {"out_of_scope", "nlu_fallback"}
SURE_AT = 0.5  # below this the classifier's page intent gives way to a closing cue
COMPARISON_INTENTS = {"ask_difference", "ask_role"}
SMALL_TALK = {"greet", "thank", "goodbye", "affirm"}
PERSON_INTENTS = {"request_human", "request_callback", "correct_lead", "inform"}


def _holds_no_word_of_its_fact(intent: str, text: str) -> bool:
    kb = load_kb()
    fact = kb.fact_for_intent(intent)
    return bool(fact) and not kb.fact_supported(fact, text)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class CueWords(MessageRule):
    def settle(self, message: Message, text: str) -> None:
        """`text` is the whole message, the message's TEXT the question in it (assistant.clauses)."""
        focus = message.get(TEXT)
        if not isinstance(focus, str):
            return
        intent = message.get(INTENT) or {}
        name, confidence = intent.get("name"), intent.get("confidence") or 0
        # (号码显示成****了，再发一次完整的 is still the request for our contacts it was)
        resent_contacts = resends(focus) and name in PERSON_INTENTS
        # (你回的一字不差，是机器人吧 says 一字不差 of our replies: a question about us, not "again")
        about_us = meta_question(text, focus) == "bot_challenge"
        if asks_again(focus, text) and not asks_for_person(text) and name not in SMALL_TALK and not resent_contacts:
            if about_us:
                return _set(message, "bot_challenge", "meta_question")
            # unsure, so that the follow-up acts give the last answer again (actions/follow_up.py)
            message.set(INTENT, {"name": "nlu_fallback", "confidence": confidence}, add_to_output=True)
            return message.set(CUE, "asks_again", add_to_output=True)
        small_talk = closing_small_talk(text)
        if name in PERSON_INTENTS and small_talk and any(cue in text for cue in glossary()["puts_off_contact"]):
            return _set(message, small_talk, "puts_off_contact")  # 先别打电话给我……谢谢了
        if name == "request_human" and meta_question(text, focus) == "bot_challenge":
            return _set(message, "bot_challenge", "meta_question")  # 你是人工客服吗: about us, not a request
        if name in PERSON_INTENTS and (name != "request_human" or confidence >= SURE_AT or asks_for_person(text)):
            return  # (酱紫啊，灰常感谢！你们小编粉给力, a person at 0.45, is thanks; a callback is the form's)
        # (收到收到，第一点再细说下 read as a goodbye: the acknowledgement comes with the point asked)
        more = any(cue in focus for cue in glossary()["follow_up_acts"]["more"])
        stepping = page_step(focus) and not names_page(focus)  # ok 下一条呢: not the ok
        pointing = points_into_last_answer(focus) and (name not in SMALL_TALK or more)
        if (stepping or pointing) and not meta_question(text, focus):  # (第一个问题还没回答呢，你是不是真人)
            # unsure, so that the follow-up acts on the last answer (actions/chitchat.py) take it
            # (第二点讲的啥 / 紧接着那部分讲的啥: not the gist of the page)
            message.set(INTENT, {"name": "nlu_fallback", "confidence": confidence}, add_to_output=True)
            return message.set(CUE, "points_into_last_answer", add_to_output=True)
        if asks_gist(focus) and name not in SMALL_TALK:
            # 我在淘宝开小店……跟我相关的那部分讲了啥: the part of the page the visitor's setting names
            own = load_kb().comparison_of_setting(text)
            gist = own or "overview"
            overview = {"entity": "comparison", "value": gist, "start": 0, "end": len(focus), "extractor": CUE}
            kept = [e for e in message.get(ENTITIES) or [] if e.get("entity") not in ("comparison", "dimension")]
            message.set(ENTITIES, kept + [overview], add_to_output=True)
            return _set(message, "ask_difference", "asks_gist")
        meta = meta_question(text, focus)
        # 出处我在文末找到了，谢啦: the sources named in thanks that ask nothing are not asked for
        if meta and small_talk not in ("thank", "goodbye"):
            return _set(message, meta, "meta_question")
        roles = any(e.get("entity") == "subject" for e in message.get(ENTITIES) or [])
        misread = (
            name in UNSURE_INTENTS
            or confidence < SURE_AT
            or _holds_no_word_of_its_fact(name or "", text)
            or (name in COMPARISON_INTENTS and not roles)  # 对比下行情: a comparison of nothing named
        )
        # ……自己接活吗？想开个企业邮箱，大概多少钱: a misread message asks for a price or a person
        # wherever in it it says so, not only in its first question
        if name != "ask_price" and asks_price(text) and (misread or asks_our_price(text)):
            return _set(message, "ask_price", "asks_price")
        if asks_for_person(text) and misread:
            return _set(message, "request_human", "asks_for_person")
        if pings(text) and misread:
            return _set(message, "greet", "pings")  # 在不在啊？挂着个窗口总得有人回话吧
        if (opens_with_greeting(text) or closes_with_greeting(text)) and misread and not names_page(text):
            return _set(message, "greet", "opens_with_greeting")  # 哈咯～可以用华语问问题吗？
        if thanks_for_help(text):  # 面试过了！那篇文章帮了大忙，特地来说声谢谢 (……就此别过 is a goodbye)
            return _set(message, "goodbye" if small_talk == "goodbye" else "thank", "thanks_for_help")
        # 谢谢，拜拜: a goodbye with the thanks is a goodbye
        if small_talk == "goodbye" and name in SMALL_TALK:
            misread = True
        if small_talk is not None and small_talk != name and misread:
            _set(message, small_talk, "closing_small_talk")


def _set(message: Message, intent: str, how: str) -> None:
    message.set(INTENT, {"name": intent, "confidence": 1.0}, add_to_output=True)
    message.set(CUE, how, add_to_output=True)

"""components/page_index.py: what the NLU does with the page index after the classifier."""

import pytest
from rasa.shared.nlu.training_data.message import Message

from components.normalizer import FULL_TEXT
from components.page_index import PageIndexMatcher

MATCHER = PageIndexMatcher(PageIndexMatcher.get_default_config())


def parsed(text: str, intent: str, confidence: float = 0.9, entities=None, full_text=None) -> Message:
    message = Message(data={"text": text, FULL_TEXT: full_text or text})
    message.set("intent", {"name": intent, "confidence": confidence})
    message.set("intent_ranking", [{"name": intent, "confidence": confidence}])
    message.set("entities", entities or [])
    MATCHER.process([message])
    return message


def entity(message: Message, name: str):
    return next((e["value"] for e in message.get("entities") if e["entity"] == name), None)


def test_a_quotation_wins_over_a_confident_wrong_intent():
    message = parsed(
        "这话到底啥意思", "ask_dimension", 0.98, full_text="页面上说“运营偏向务实,市场偏向务虚”,这话到底啥意思"
    )
    assert message.get("intent")["name"] == "ask_difference"
    assert entity(message, "comparison") == "ops_vs_marketing"
    assert message.get("page_match")["decision"] == "quotation"


def test_a_declined_question_the_page_answers_is_answered_from_its_section():
    message = parsed("务实务虚?", "out_of_scope", 0.36)
    assert message.get("intent")["name"] == "ask_difference"
    assert entity(message, "comparison") == "ops_vs_marketing"


def test_a_dimension_section_names_its_comparison_and_dimension():
    message = parsed("“推广专员只要宣传能力够强”是真的吗", "out_of_scope", 0.5)
    assert (entity(message, "comparison"), entity(message, "dimension")) == ("taobao_vs_promoter", "ability")
    assert message.get("intent")["name"] == "ask_dimension"


def test_a_fairly_sure_match_becomes_a_clarification_with_candidates():
    message = parsed("认知转化使用付费这几个环节", "out_of_scope", 0.6)
    assert message.get("intent")["name"] == "nlu_fallback"
    assert message.get("page_candidates")[0] == "purchase_funnel"


@pytest.mark.parametrize("text", ["今天天气怎么样", "帮我订一张去上海的机票", "好的"])
def test_what_the_page_does_not_say_stays_declined(text):
    message = parsed(text, "out_of_scope", 0.8)
    assert message.get("intent")["name"] == "out_of_scope"
    assert message.get("page_candidates") is None


def test_a_gap_keeps_its_honest_answer():
    gap = [{"entity": "gap", "value": "工资", "start": 0, "end": 2}]
    message = parsed("“推广专员只要宣传能力够强”的工资多少", "ask_role", 0.7, entities=gap)
    assert message.get("intent")["name"] == "ask_role"


def test_a_confident_intent_without_a_quotation_is_left_alone():
    message = parsed("务实务虚?", "ask_role", 0.9)
    assert message.get("intent")["name"] == "ask_role" and message.get("page_match") is None

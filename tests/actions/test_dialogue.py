"""Facts, small talk, declines, clarification and the handoff to customer service."""

import pytest

from actions.chitchat import ActionChitchat, ActionClarify, ActionDecline
from actions.handoff import ActionHandoff
from actions.page_questions import ActionAnswerFact
from assistant.kb import load_kb
from assistant.text import chinese_punctuation
from tests.action_helpers import run, slots_set, text_of, titles, tracker

KB = load_kb()
# Phrases only one section of the page uses: an out-of-scope reply must contain none.
PAGE_CONTENT = [
    "大局观",
    "商品整合",
    "务实",
    "务虚",
    "简化决策",
    "用户认知",
    "对外的事情",
    "关键词广告",
    "可行性分析",
    "粉丝经济",
    "个性化",
    "一种手段或方法",
]


@pytest.mark.parametrize("key", list(KB.facts))
def test_every_fact_is_answered_from_the_knowledge_base(key):
    fact = KB.facts[key]
    messages, events = run(ActionAnswerFact(), tracker(fact["title"], fact["intent"]))
    text = text_of(messages)
    assert fact["title"] in text
    for quote in [fact.get("text")] + [i["text"] for i in fact.get("items", []) + fact.get("steps", [])]:
        if quote:  # the page's words, with Chinese punctuation as displayed
            assert chinese_punctuation(quote) in text
    assert "联系客服" in titles(messages)
    if fact["comparison"] in KB.comparisons:
        assert slots_set(events)["comparison"] == fact["comparison"]


def test_fact_sets_context_for_a_follow_up():
    _, events = run(ActionAnswerFact(), tracker("什么是无形价值", "ask_intangible_value"))
    assert slots_set(events)["comparison"] == "ops_vs_marketing"


def test_purchase_funnel_lists_four_steps_in_order():
    text = text_of(run(ActionAnswerFact(), tracker("购买决策流程", "ask_purchase_funnel"))[0])
    positions = [text.index(step) for step in ["1. 用户认知", "2. 用户转化", "3. 用户使用", "4. 用户付费"]]
    assert positions == sorted(positions)


def counted(monkeypatch, keys):
    """The staff report's most-asked questions, as the greeting reads them."""
    from actions import popular

    monkeypatch.setattr(popular, "_cache", {"at": None, "keys": []})
    monkeypatch.setattr(popular, "_counted_keys", lambda kb: list(keys))


def test_greeting_offers_the_four_comparisons_and_customer_service(monkeypatch):
    counted(monkeypatch, [])  # nobody asked anything yet: the page's order
    messages, _ = run(ActionChitchat(), tracker("你好", "greet"))
    assert "您好" in text_of(messages) and "猜你想问" in text_of(messages)
    assert titles(messages) == [c["title"] for c in KB.comparisons.values()] + ["联系客服"]


def test_guess_you_ask_puts_what_visitors_ask_most_first(monkeypatch):
    counted(monkeypatch, ["intangible_value", "ops_vs_marketing", "no_such_topic"])
    guesses = titles(run(ActionChitchat(), tracker("你好", "greet"))[0])
    assert guesses[:2] == ["什么是无形价值", "运营与市场部门的工作区别"]
    assert len(guesses) == 5 and guesses[-1] == "联系客服"
    assert set(guesses[2:4]) <= {c["title"] for c in KB.comparisons.values()}


@pytest.mark.parametrize(
    "intent,expected",
    [("thank", "不客气"), ("goodbye", "再见"), ("bot_challenge", "机器人"), ("ask_capabilities", "新媒体推广")],
)
def test_small_talk(intent, expected):
    after_an_answer = tracker("...", intent)
    after_an_answer.events.insert(0, {"event": "bot", "text": "淘宝运营和推广专员的区别……"})
    text = text_of(run(ActionChitchat(), after_an_answer)[0])
    assert expected in text
    assert not [p for p in PAGE_CONTENT if p in text]


def test_out_of_scope_is_declined_without_page_content():
    messages, events = run(ActionDecline(), tracker("今天天气怎么样", "out_of_scope"))
    text = text_of(messages) + "".join(titles(messages))
    assert "抱歉" in text and KB.contacts["phone"] in text
    assert not [p for p in PAGE_CONTENT if p in text]
    assert slots_set(events)["failures"] == 1


def test_low_confidence_offers_the_likeliest_topics():
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.5},
        {"name": "ask_intangible_value", "confidence": 0.3},
        {"name": "ask_purchase_funnel", "confidence": 0.2},
        {"name": "greet", "confidence": 0.1},
    ]
    messages, _ = run(ActionClarify(), tracker("那个价值的东西", "nlu_fallback", ranking=ranking))
    assert "您是不是想问" in text_of(messages)
    assert titles(messages)[:2] == ["什么是无形价值", "互联网行业的购买决策流程"]
    assert titles(messages)[-1] == "联系客服"


def test_second_failure_in_a_row_hands_over_to_customer_service():
    first = text_of(run(ActionDecline(), tracker("讲个笑话", "out_of_scope"))[0])
    second = text_of(run(ActionDecline(), tracker("讲个笑话", "out_of_scope", slots={"failures": 1.0}))[0])
    assert "没能理解" not in first
    assert "没能理解" in second and KB.contacts["wechat"] in second


def test_understood_turn_resets_the_failure_streak():
    _, events = run(ActionAnswerFact(), tracker("什么是无形价值", "ask_intangible_value", slots={"failures": 1.0}))
    assert slots_set(events)["failures"] == 0


def test_contact_request_gives_phone_and_wechat():
    messages, _ = run(ActionHandoff(), tracker("转人工", "request_human"))
    text = text_of(messages)
    assert "175-8598-2043" in text and "1454722008" in text
    assert not any(m.get("custom") for m in messages)  # no WeChat transfer on the website


def test_price_question_names_the_service_and_gives_contacts():
    text = text_of(run(ActionHandoff(), tracker("小程序开发运营多少钱", "ask_price"))[0])
    assert "小程序开发运营" in text and "175-8598-2043" in text


def test_on_wechat_a_request_for_a_person_is_transferred(monkeypatch):
    monkeypatch.delenv("WECHAT_TRANSFER_TO_HUMAN", raising=False)
    messages, _ = run(ActionHandoff(), tracker("转人工", "request_human", channel="wechat"))
    assert {"type": "handoff", "kf_account": None} in [m.get("custom") for m in messages]
    monkeypatch.setenv("WECHAT_TRANSFER_TO_HUMAN", "0")
    messages, _ = run(ActionHandoff(), tracker("转人工", "request_human", channel="wechat"))
    assert not any(m.get("custom") for m in messages)


def test_unclear_message_about_a_service_goes_to_customer_service():
    ranking = [{"name": "nlu_fallback", "confidence": 0.3}, {"name": "ask_purchase_funnel", "confidence": 0.2}]
    messages, _ = run(ActionClarify(), tracker("想做个官网，大概要准备多少预算", "nlu_fallback", ranking=ranking))
    text = text_of(messages)
    assert "官网" in text and "175-8598-2043" in text and "您是不是想问" not in text


def test_unsure_classifier_but_clear_entities_in_context_get_the_answer():
    ranking = [{"name": "nlu_fallback", "confidence": 0.3}, {"name": "ask_job_prospects", "confidence": 0.2}]
    messages, events = run(
        ActionClarify(),
        tracker("哪个范围更大", "nlu_fallback", ranking=ranking, slots={"comparison": "ecom_vs_newmedia"}),
    )
    assert "一种手段或方法" in text_of(messages)
    assert slots_set(events)["dimension"] == "scope"


def test_unsure_classifier_with_one_role_and_no_context_still_asks():
    ranking = [{"name": "nlu_fallback", "confidence": 0.3}, {"name": "ask_ops_duties", "confidence": 0.2}]
    messages, _ = run(ActionClarify(), tracker("那个运营的事怎么弄", "nlu_fallback", ranking=ranking))
    assert "您是不是想问" in text_of(messages)


def test_a_platform_the_page_never_mentions_is_said_to_be_uncovered():
    ranking = [{"name": "nlu_fallback", "confidence": 0.3}, {"name": "ask_ops_duties", "confidence": 0.2}]
    text = text_of(run(ActionClarify(), tracker("小红书运营怎么弄", "nlu_fallback", ranking=ranking))[0])
    assert "没有讲" in text and "具体平台的玩法" in text and "175-8598-2043" in text
    assert "开拓市场" not in text  # no nearby section passed off as the answer


def test_an_unsure_fact_without_any_of_its_words_is_not_answered():
    from actions.page_questions import ActionAnswerFact

    ranking = [{"name": "ask_reads_example", "confidence": 0.5}, {"name": "out_of_scope", "confidence": 0.3}]
    trk = tracker("我最近失眠很严重，有没有什么好办法", "ask_reads_example", ranking=ranking)
    trk.latest_message["intent"]["confidence"] = 0.5
    text = text_of(run(ActionAnswerFact(), trk)[0])
    assert "10W" not in text and "抱歉" in text


def test_an_unsure_fact_gives_way_to_the_next_one_its_words_support():
    from actions.page_questions import ActionAnswerFact

    ranking = [
        {"name": "ask_job_prospects", "confidence": 0.4},
        {"name": "ask_ops_contains_marketing", "confidence": 0.3},
    ]
    trk = tracker("运营和市场部门哪个包含哪个", "ask_job_prospects", ranking=ranking)
    trk.latest_message["intent"]["confidence"] = 0.4
    text = text_of(run(ActionAnswerFact(), trk)[0])
    assert "包含市场" in text and "各有各的优点" not in text


def test_a_sure_fact_is_answered_even_in_few_words():
    from actions.page_questions import ActionAnswerFact

    text = text_of(run(ActionAnswerFact(), tracker("那它俩呢", "ask_job_prospects"))[0])
    assert "各有各的优点" in text


def test_the_action_server_registers_exactly_the_domains_custom_actions():
    from rasa.shared.core.domain import Domain
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")
    domain_actions = {a for a in Domain.load("domain.yml").user_actions if a.startswith(("action_", "validate_"))}
    assert set(executor.actions) == domain_actions  # no stray base class such as 'action_ask_'


def test_a_fact_asked_after_a_statement_about_another_role_is_that_roles_fact():
    # 网络推广 is named only in the statement the question turns from; the question is 运营's.
    entities = [
        {"entity": "subject", "value": "网络推广", "start": 0, "end": 4},
        {"entity": "subject", "value": "运营", "start": 10, "end": 12},
    ]
    messages, _ = run(
        ActionAnswerFact(), tracker("网络推广主要对外，那运营是做什么的", "ask_ops_duties", entities=entities)
    )
    assert KB.facts["ops_duties"]["title"] in text_of(messages)


def test_a_fact_of_one_role_asked_of_another_still_goes_to_that_role():
    entities = [{"entity": "subject", "value": "淘宝运营", "start": 0, "end": 4}]
    messages, _ = run(ActionAnswerFact(), tracker("淘宝运营是做什么的", "ask_ops_duties", entities=entities))
    assert KB.facts["ops_duties"]["title"] not in text_of(messages)


def test_a_clients_own_business_with_the_agency_is_never_declined():
    messages, _ = run(ActionDecline(), tracker("上个月的发票还没收到，帮我找下负责的人", "out_of_scope", entities=[]))
    text = text_of(messages)
    assert "175-8598-2043" in text and "不在我能回答的范围" not in text


def test_a_question_off_the_page_without_business_of_ours_is_still_declined():
    messages, _ = run(ActionDecline(), tracker("今天上海天气怎么样", "out_of_scope", entities=[]))
    assert "不在我能回答的范围" in text_of(messages)


def test_a_number_the_visitor_leaves_is_confirmed_with_our_own_contacts_beside_it():
    from actions.inform import ActionHandleInform

    messages, events = run(ActionHandleInform(), tracker("我姓王，手机139 1234 5678，请回电", "inform", entities=[]))
    text = text_of(messages)
    assert "13912345678" in text  # what we would call back
    assert KB.contacts["phone"] in text and KB.contacts["wechat"] in text  # and how to reach us meanwhile
    assert slots_set(events)["lead_contact"] == "13912345678"


def test_a_dimension_word_inside_a_question_of_its_own_is_no_follow_up_on_the_last_comparison():
    after = {"comparison": "taobao_vs_promoter"}
    text = "那淘宝主图尺寸要求是多少 800还是750"
    dim = [{"entity": "dimension", "value": "要求", "start": text.index("要求"), "end": text.index("要求") + 2}]
    messages, _ = run(ActionDecline(), tracker(text, "out_of_scope", slots=after, entities=dim))
    assert "不在我能回答的范围" in text_of(messages) and "大局观" not in text_of(messages)
    # ……while 那能力要求呢 right after the comparison is its ability dimension
    text = "那能力要求呢"
    dim = [{"entity": "dimension", "value": "能力要求", "start": 1, "end": 5}]
    messages, _ = run(ActionDecline(), tracker(text, "out_of_scope", slots=after, entities=dim))
    assert "大局观" in text_of(messages)


def test_a_question_off_the_page_with_a_person_asked_for_should_we_not_know_gets_our_contacts():
    text = "上海做营销策划的公司哪家排第一？你不知道的话就让人工回我"
    asked = tracker("上海做营销策划的公司哪家排第一？", "out_of_scope", entities=[])  # the question read from it
    asked.events[-1]["text"] = text
    messages, _ = run(ActionDecline(), asked)
    assert "175-8598-2043" in text_of(messages) and "不在我能回答的范围" not in text_of(messages)

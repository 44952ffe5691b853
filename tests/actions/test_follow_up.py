"""actions/follow_up.py: acts on the last answer (its Nth point, how many, an example, more,
why) for each kind of answer structure: a fact with items, a fact with steps, a comparison."""

import pytest

from actions.chitchat import ActionClarify, ActionDecline
from actions.page_questions import ActionAnswerFact
from tests.action_helpers import run, slots_set, text_of, tracker

ITEMS = {"fact": "intangible_value"}  # 品牌简化决策, 提供消费线索, 提供身份象征
STEPS = {"fact": "purchase_funnel"}  # 用户认知 → 转化 → 使用 → 付费
COMPARISON = {"comparison": "taobao_vs_promoter"}  # 定位, 内容, 能力


def act(text, slots, action=ActionClarify()):
    return text_of(run(action, tracker(text, "nlu_fallback", slots, entities=[]))[0])


@pytest.mark.parametrize("action", [ActionClarify(), ActionDecline()])
def test_the_nth_point_of_a_fact_with_items(action):
    text = act("第三点能再讲细点吗", ITEMS, action)
    assert "身份象征" in text and "消费线索" not in text


def test_how_many_steps_a_fact_has():
    text = act("一共几个阶段", STEPS, ActionDecline())
    assert "4" in text and "用户认知" in text and "用户付费" in text


def test_an_example_is_the_pages_own_and_never_invented():
    assert "果汁" in act("有没有具体例子", ITEMS)
    honest = act("能举个例子吗", COMPARISON)
    assert "没有举更具体的例子" in honest and "大局观" in honest


def test_the_nth_dimension_of_a_comparison():
    text = act("第二个方面展开说说", COMPARISON)
    assert "店铺" in text and "大局观" not in text


def test_a_point_the_answer_does_not_have_is_said_honestly():
    assert "没有第5点" in act("第五点呢", ITEMS)


def test_why_gives_the_pages_words_and_says_it_explains_no_further():
    text = act("为什么", STEPS)
    assert "没有进一步解释" in text and "用户认知" in text


def test_without_a_last_answer_it_is_still_a_clarification():
    assert "您是不是想问" in act("第三点能再讲细点吗", {}) or "换个说法" in act("第三点能再讲细点吗", {})


def test_an_act_after_one_dimension_was_answered_is_about_that_dimension():
    text = act("举点例子吧，越具体越好", {**COMPARISON, "dimension": "content"})
    assert "店铺的打理" in text and "大局观" not in text


def test_an_act_after_one_side_was_answered_is_about_that_side():
    text = act("为什么", {**COMPARISON, "dimension": "ability", "subject": "promoter"})
    assert "宣传能力" in text and "店铺的打理" not in text


def test_the_source_asked_right_after_an_answer_is_that_answers_with_the_pages_words():
    messages, _ = run(
        ActionAnswerFact(),
        tracker("这个定义是谁提出的？原话怎么说", "ask_sources", {"fact": "marketing_definition"}, entities=[]),
    )
    text = text_of(messages)
    assert "李叫兽" in text and "无形价值" in text and "百度百科" not in text


def test_the_source_asked_without_an_answer_before_lists_them_all():
    messages, _ = run(ActionAnswerFact(), tracker("这些观点出自哪里", "ask_sources", {}, entities=[]))
    text = text_of(messages)
    assert "李叫兽" in text and "百度百科" in text


def test_asking_how_to_pass_the_answer_on_gives_the_whole_answer_again():
    text = act("我怕说错，按页面上的说法该怎么回他？", {"comparison": "online_promo_vs_ops"}, ActionDecline())
    assert "对外" in text and "对内" in text


def test_a_reply_that_arrived_broken_is_sent_again_whole():
    # naming its first point in describing what showed is no request for that point
    text = act("你这条在我手机上只显示了第一点定位，后面两点都没了，能完整再发一遍吗", COMPARISON, ActionDecline())
    assert "定位" in text and "内容" in text and "能力" in text
    text = act("我这边显示一堆小方框乱码，一个字都看不清，麻烦再发一次", ITEMS, ActionDecline())
    assert "简化决策" in text and "身份象征" in text


def test_asking_whether_the_list_is_complete_gives_every_item():
    text = act("还有没有其他的？别漏了", {"fact": "newmedia_features"}, ActionDecline())
    assert "个性化" in text and "实时化" in text and "多元化" in text


def test_how_many_of_an_answer_said_in_one_sentence_gives_that_sentence():
    text = act("你把那几种常见形式再完整列一下", {"fact": "ad_forms"}, ActionDecline())
    assert "Banner" in text and "Email" in text and "一共1点" not in text


def test_an_answer_taken_as_advice_is_said_to_advise_nothing_and_given_again():
    text = act("那你是推荐我先去应聘推广专员？反正会宣传就够了", COMPARISON)
    assert "没有替您做决定" in text and "大局观" in text
    # after a comparison in which the page speaks to choosing, that is its answer
    text = act("所以你是建议我去做运营咯？", {"comparison": "online_promo_vs_ops"})
    assert "没有替您做决定" in text and "各有各的优点" in text


def test_the_next_point_after_one_dimension_is_the_comparisons_next_dimension_and_is_remembered():
    messages, events = run(
        ActionClarify(), tracker("ok 下一条呢", "nlu_fallback", {**COMPARISON, "dimension": "content"}, entities=[])
    )
    assert "大局观" in text_of(messages) and "店铺的打理" not in text_of(messages)
    assert slots_set(events)["dimension"] == "ability"  # so that 再下一条 goes on from there


def test_the_next_section_is_the_pages_next_comparison_and_the_previous_one_before_it():
    text = act("再往下那段呢，讲的啥", {"comparison": "online_promo_vs_ops"})
    assert "一种手段或方法" in text and "对外" not in text
    text = act("上一段讲的什么来着", {"comparison": "online_promo_vs_ops", "dimension": "content"})
    assert "务实" in text and "对外" not in text


def test_past_the_pages_last_section_it_says_so_instead_of_starting_again():
    text = act("接下来那一段呢", {"comparison": "ecom_vs_newmedia"})
    assert "最后一部分" in text and "大局观" not in text


def test_the_next_point_after_a_fact_is_the_next_section():
    text = act("下一段", {"fact": "ad_forms", "comparison": "online_promo_vs_ops"})
    assert "一种手段或方法" in text


def test_back_to_the_question_before_a_detour_after_the_overview_gives_the_overview():
    slots = {"pair": ["market_promo", "ops"]}
    text = act("哦行 那回到刚才那个问题 一句话概括下", slots)
    assert "务实" in text and "对外" in text


def test_the_reason_asked_in_the_last_answers_own_words_is_that_answer_not_the_related_fact():
    slots = {"fact": "reads_example", "comparison": "ops_vs_marketing"}
    messages, _ = run(
        ActionAnswerFact(), tracker("他们坚持说有价值 依据是啥", "ask_intangible_value", slots, entities=[])
    )
    assert "10W" in text_of(messages) and "理由" in text_of(messages)
    # a question with the related fact's own words is that fact
    messages, _ = run(ActionAnswerFact(), tracker("为什么说品牌有无形价值", "ask_intangible_value", slots, entities=[]))
    assert "身份象征" in text_of(messages)


def test_the_verdict_of_the_last_answer_checked_in_its_own_words_is_that_answer():
    slots = {"fact": "reads_example", "comparison": "ops_vs_marketing"}
    messages, _ = run(
        ActionAnswerFact(), tracker("按文章的说法 这篇到底有没有价值", "ask_intangible_value", slots, entities=[])
    )
    assert "10W" in text_of(messages)


def test_the_related_fact_asked_for_itself_after_an_answer_is_that_fact():
    slots = {"fact": "marketing_definition", "comparison": "ops_vs_marketing"}
    messages, _ = run(
        ActionAnswerFact(), tracker("那这个无形价值又具体指什么？", "ask_intangible_value", slots, entities=[])
    )
    assert "身份象征" in text_of(messages)

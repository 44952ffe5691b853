"""Comparison questions: whole, one dimension, one side, and follow-ups from context."""

from actions.page_questions import ActionAnswerComparison, ActionAnswerFact
from tests.action_helpers import run, slots_set, text_of, titles, tracker

ACTION = ActionAnswerComparison()
TAOBAO = {"comparison": "taobao_vs_promoter"}
ECOM = {"comparison": "ecom_vs_newmedia"}


def ask(text, intent="ask_difference", slots=None, entities=None):
    return run(ACTION, tracker(text, intent, slots, entities))


def test_whole_comparison_shows_every_dimension_and_offers_next_questions():
    messages, events = ask("淘宝运营和推广专员有什么区别")
    text = text_of(messages)
    for part in ["工作总定位", "工作内容", "能力要求", "商品整合", "宣传能力"]:
        assert part in text
    assert "联系客服" in titles(messages)
    assert slots_set(events)["comparison"] == "taobao_vs_promoter"
    assert len(text) < 600  # fits a chat bubble


def test_follow_up_dimension_uses_the_current_comparison():
    messages, events = ask("那能力要求呢?", "ask_dimension", TAOBAO)
    text = text_of(messages)
    assert "大局观" in text and "宣传能力" in text
    assert "商品整合" not in text and "市场动向" not in text
    assert slots_set(events)["dimension"] == "ability"
    # The other dimensions are offered as quick replies.
    assert "工作总定位上的区别" in titles(messages)


def test_same_follow_up_resolves_to_the_comparison_in_context():
    taobao = text_of(ask("内容上呢", "ask_dimension", TAOBAO)[0])
    ecom = text_of(ask("内容上呢", "ask_dimension", ECOM)[0])
    assert "商品整合" in taobao and "粉丝经济" not in taobao
    assert "粉丝经济" in ecom and "商品整合" not in ecom


def test_dimension_without_context_asks_which_comparison():
    messages, _ = ask("内容上有什么区别", "ask_dimension")
    assert "哪一组" in text_of(messages)
    assert len(titles(messages)) >= 3


def test_dimension_only_one_comparison_has_needs_no_context():
    text = text_of(ask("范畴上呢", "ask_dimension")[0])
    assert "一种手段或方法" in text


def test_one_side_of_a_comparison():
    messages, events = ask("淘宝运营需要什么能力?", "ask_role")
    text = text_of(messages)
    # the side asked about first; the other side follows, labelled as the contrast
    assert "大局观" in text and text.index("大局观") < text.index("对比一下，推广专员：") < text.index("宣传能力")
    assert slots_set(events)["subject"] == "taobao_ops"
    assert "推广专员的能力要求" in titles(messages)


def test_other_side_follow_up_keeps_the_dimension():
    slots = {**TAOBAO, "dimension": "ability", "subject": "taobao_ops"}
    text = text_of(ask("那推广专员呢", "ask_role", slots)[0])
    assert text.index("宣传能力") < text.index("对比一下，淘宝运营：") < text.index("大局观")
    assert "商品整合" not in text  # the same dimension, not the whole comparison


def test_comparison_the_page_does_not_make_is_declined_honestly():
    messages, _ = ask("淘宝运营和新媒体推广有什么区别")
    text = text_of(messages)
    assert "没有直接比较" in text
    assert "大局观" not in text and "粉丝经济" not in text  # no invented comparison
    assert "淘宝运营和推广专员的区别" in titles(messages)


def test_title_question_gives_the_overview_of_all_four():
    messages, _ = ask("市场推广和运营的区别和联系")
    text = text_of(messages)
    for part in ["务实", "对外", "一种手段或方法", "淘宝运营和推广专员", "包含市场"]:
        assert part in text


def test_traditional_question_gets_a_traditional_answer():
    messages, events = ask("淘寶運營和推廣專員有什麼區別？")
    text = text_of(messages)
    assert "淘寶運營" in text and "淘宝运营" not in text
    assert all("联系" not in t for t in titles(messages))  # buttons too
    assert slots_set(events)["script"] == "traditional"


def test_button_payload_with_comparison_and_dimension():
    messages, _ = run(
        ACTION,
        tracker(
            '/ask_difference{"comparison":"ecom_vs_newmedia","dimension":"scope"}',
            "ask_difference",
            entities=[{"entity": "comparison", "value": "ecom_vs_newmedia"}, {"entity": "dimension", "value": "scope"}],
        ),
    )
    assert "一种手段或方法" in text_of(messages)


def test_role_question_shaped_like_a_fact_is_answered_for_that_role():
    # 淘宝运营是做什么的 looks like 运营是做什么的 (ask_ops_duties) but names another role.
    text = text_of(run(ActionAnswerFact(), tracker("淘宝运营是做什么的", "ask_ops_duties"))[0])
    assert "店铺" in text and "引入资金" not in text


def test_generic_role_means_the_side_being_discussed():
    # 推广 while talking about 网络推广 vs 运营 is 网络推广, not the title question.
    text = text_of(ask("那推广这块呢", "ask_role", {"comparison": "online_promo_vs_ops"})[0])
    assert "网络品牌" in text and "务实" not in text


def test_ambiguous_dimension_without_context_is_not_guessed():
    messages, _ = ask("目的上有什么区别", "ask_dimension")
    assert "哪一组" in text_of(messages)


def test_the_titles_roles_asked_about_what_one_comparison_has_answer_from_it():
    # 推广 and 运营 are the title's roles; 对外 is a dimension only 网络推广 vs 运营 has.
    messages, events = ask("推广和运营，哪个对外打交道更多", "ask_dimension")
    text = text_of(messages)
    assert "对外" in text and "对内" in text
    assert slots_set(events)["comparison"] == "online_promo_vs_ops"


def test_a_section_named_by_the_page_index_is_answered_from_it():
    entities = [{"entity": "comparison", "value": "ops_vs_marketing"}]
    messages, _ = ask("务实务虚?", "ask_difference", entities=entities)
    assert "务实" in text_of(messages) and "务虚" in text_of(messages)


def test_a_title_word_beside_a_compared_role_stands_for_its_partner():
    # 推广 in 淘宝运营不管推广 is the 推广专员 the page compares 淘宝运营 with
    messages, _ = ask("淘宝运营不管推广的话，平时干啥", "ask_role")
    text = text_of(messages)
    assert "没有直接比较" not in text
    assert "店铺的打理" in text


def test_a_title_word_with_no_partner_of_that_name_is_still_declined_honestly():
    messages, _ = ask("网络推广和市场部门有什么区别")
    assert "没有直接比较" in text_of(messages)


def test_several_dimensions_named_are_the_whole_comparison():
    messages, _ = ask("从定位到干的活再到能力要求，淘宝运营和推广专员我全搞混了")
    text = text_of(messages)
    assert "计划、组织" in text and "店铺的打理" in text and "大局观" in text


def test_of_two_dimensions_named_the_later_is_asked():
    messages, _ = ask("先不说干啥活，就定位上，淘宝运营和推广专员有啥不一样", "ask_dimension")
    text = text_of(messages)
    assert "计划、组织" in text and "店铺的打理" not in text


def test_the_most_specific_pair_named_is_the_one_answered():
    messages, _ = ask("店里该先招运营还是推广，淘宝运营和推广专员有什么区别")
    text = text_of(messages)
    assert "大局观" in text and "对外的事情" not in text


def test_a_role_compared_with_a_word_the_page_never_names_is_declined_honestly():
    entities = [{"entity": "subject", "value": "市场"}, {"entity": "unpaged", "value": "销售"}]
    messages, _ = ask("市场和销售有什么区别", entities=entities)
    text = text_of(messages)
    assert "没有直接比较" in text and "销售" in text
    assert "市场动向" not in text and "务虚" not in text  # no section that merely holds the word
    assert "运营与市场部门的工作区别" in titles(messages)

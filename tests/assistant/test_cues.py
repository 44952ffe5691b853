"""assistant/cues.py: words that say what a message is, whatever the classifier made of the rest."""

import pytest
import yaml

from assistant.cues import asks_for_person, asks_price, closing_small_talk, meta_question
from assistant.kb import load_kb
from assistant.wording import glossary, normalize


@pytest.mark.parametrize(
    "text, asks",
    [
        ("打了两次没人接，你们还有别的联系方式吗", True),  # 别的 is another one
        ("运营和市场有什么区别，还是找真人细聊吧", True),  # 区别 holds 别 but negates nothing
        ("给我个联系方式", True),
        ("匿名问一下，不用留联系方式吧", False),
        ("别给我打电话号码", False),
        ("我不想留联系方式，就在这问", False),
    ],
)
def test_a_request_for_a_person_is_heard_unless_it_is_refused(text, asks):
    assert asks_for_person(normalize(text)) is asks


@pytest.mark.parametrize(
    "text, asks",
    [
        ("小程序开发你们报价大概什么量级", True),
        ("企业邮箱一年多少钱", True),
        ("消费者冲着牌子下单，这是品牌给的什么价值", False),
        ("零转化的文章还有价值吗", False),
    ],
)
def test_a_price_question_is_told_from_a_question_about_value(text, asks):
    assert asks_price(normalize(text)) is asks


def test_questions_about_the_assistant_or_the_sources():
    assert meta_question("你这个助手都能回答哪些问题", "你这个助手都能回答哪些问题") == "ask_capabilities"
    # roles that only say which article is meant do not make a source question a comparison
    text = normalize("那你们这篇讲运营和市场区别的文章，观点到底出自哪里")
    assert meta_question(text, text) == "ask_sources"
    # the roles in the question itself: a page question, not one about the assistant
    asked = normalize("你能回答淘宝运营和推广专员有哪些方面的问题吗")
    assert meta_question(asked, asked) is None


@pytest.mark.parametrize(
    "text, small_talk",
    [
        ("原来这些方面都有作用啊，那我也不算白干。谢谢你听我唠叨这么多", "thank"),
        ("今日承蒙指教，受益匪浅。天色已晚，就此别过，后会有期！", "goodbye"),
        ("幸会幸会！在下初来贵地，特来问安。", "greet"),
        ("发错了，刚才那条别管，你前面讲得挺清楚的，谢啦", "thank"),
        ("谢谢，那推广专员要什么能力？", None),  # it asks something
        ("淘宝运营有什么区别吗谢谢", None),
        ("好的，今天就到这，88", "goodbye"),
        ("时候不早我得跑，改天再来找你聊", "goodbye"),
    ],
)
def test_small_talk_closes_a_message_that_asks_nothing(text, small_talk):
    assert closing_small_talk(normalize(text)) == small_talk


def test_the_cue_lists_name_intents_the_assistant_has():
    intents = set(yaml.safe_load(open("domain.yml", encoding="utf-8"))["intents"])
    assert set(glossary()["meta_questions"]) <= intents
    assert set(glossary()["small_talk_cues"]) <= intents
    # every cue is text (YAML reads a bare 88 as a number)
    for key in ("meta_questions", "small_talk_cues"):
        assert all(isinstance(cue, str) for cues in glossary()[key].values() for cue in cues)
    for key in ("asks_for_person", "asks_price", "leave_out", "restates_before", "relation_cues"):
        assert all(isinstance(cue, str) for cue in glossary()[key])
    # a decisive word says its fact only: no word is decisive for two facts of one comparison
    kb = load_kb()
    for comparison in kb.comparisons:
        words = [w for f in kb.facts.values() if f.get("comparison") == comparison for w in f.get("decisive") or []]
        assert len(words) == len(set(words)), comparison


def test_a_person_asked_for_only_should_we_not_know_is_no_request_yet():
    from assistant.cues import person_if_unanswered

    text = "李叫兽那篇文章里市场部是咋定义的,你搞不清楚的话转人工"
    assert not asks_for_person(text) and person_if_unanswered(text)
    assert asks_for_person("转人工") and asks_for_person("有问题的话转人工")


def test_an_answer_taken_as_advice_is_asked_again_but_not_beside_a_request_of_its_own():
    from assistant.cues import asks_again

    assert asks_again("所以你是建议我去做运营咯？")
    assert not asks_again("那你是建议我去报个运营培训班喽？给我推荐一家靠谱的机构呗")

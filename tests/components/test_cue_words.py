"""components/cue_words.py: cue words settle a message after the classifier and the page index."""

import pytest
from rasa.shared.nlu.training_data.message import Message

from assistant.wording import normalize
from components.cue_words import CueWords
from components.normalizer import FULL_TEXT

CUES = CueWords()


def intent_after(text: str, intent: str, confidence: float = 0.9, focus: str | None = None, entities=()) -> str:
    full = normalize(text)
    message = Message(data={"text": normalize(focus) if focus else full, FULL_TEXT: full})
    message.set("intent", {"name": intent, "confidence": confidence})
    message.set("entities", list(entities))
    CUES.process([message])
    return message.get("intent")["name"]


@pytest.mark.parametrize(
    "text, intent, confidence, settled",
    [
        ("原来这些方面都有作用啊，那我也不算白干。谢谢你听我唠叨这么多", "out_of_scope", 0.7, "thank"),
        ("啊发错了，刚才那条当没看见，你前面讲得挺清楚的，谢啦", "ask_reads_example", 0.73, "thank"),
        ("今日承蒙指教，就此别过，后会有期！", "out_of_scope", 0.56, "goodbye"),
        ("你这个助手都能回答哪些问题？", "out_of_scope", 0.5, "ask_capabilities"),
        ("那你们这篇讲运营和市场区别的文章，观点出自哪里？", "ask_difference", 0.96, "ask_sources"),
        ("小程序开发加后续运营，你们报价什么量级？", "ask_reads_example", 0.88, "ask_price"),
        ("175那个号打了两次都没人接，还有别的联系方式吗？", "ask_reads_example", 0.8, "request_human"),
        ("老实告诉我，屏幕那头坐着的，到底是不是一个活生生的人？", "out_of_scope", 0.64, "bot_challenge"),
        ("敢问贵派掌柜可在？在下欲当面请教合作之事，该往何处寻他？", "ask_reads_example", 0.8, "request_human"),
        ("号码中间几位显示成****了，能再发一次完整的吗", "request_human", 0.92, "request_human"),
        ("一堆小方框乱码，一个字都看不清，麻烦再发一次", "out_of_scope", 0.6, "nlu_fallback"),
    ],
)
def test_what_the_cue_words_say_wins_over_a_misreading(text, intent, confidence, settled):
    assert intent_after(text, intent, confidence) == settled


@pytest.mark.parametrize(
    "text, intent",
    [
        ("谢谢，淘宝运营的工作内容", "ask_dimension"),  # thanks beside a page question it names
        ("一篇文章阅读10万没转化，还有价值吗？谢谢", "ask_reads_example"),  # it asks
        ("零转化的文章对市场部还有价值吗", "ask_reads_example"),  # 价值 is no price
    ],
)
def test_a_page_question_with_polite_words_stays_a_page_question(text, intent):
    entities = [{"entity": "subject", "value": "淘宝运营"}] if "淘宝运营" in text else []
    assert intent_after(text, intent, 0.9, entities=entities) == intent


def test_a_price_in_the_story_is_not_the_question():
    story = "市场和运营都报了写稿子的费用，我怀疑重复。这两个部门做的事情哪些相同？"
    assert intent_after(story, "ask_common_ground", 0.8, focus="这两个部门做的事情哪些相同？") == "ask_common_ground"


def test_a_callback_being_filled_in_is_left_alone():
    assert intent_after("不用了谢谢", "request_callback", 0.4) == "request_callback"


def test_a_point_of_the_last_answer_goes_to_the_follow_up_acts():
    assert intent_after("第二点展开说说", "ask_sources", 0.74) == "nlu_fallback"
    # a point of a part of the page it names stays the classifier's
    assert intent_after("购买决策流程的第二步是什么", "ask_purchase_funnel", 0.9) == "ask_purchase_funnel"
    # an acknowledgement asking for a point in more detail is that act, not a goodbye
    assert intent_after("收到收到第一点再细说下", "goodbye", 0.8) == "nlu_fallback"
    assert intent_after("第一点我懂了，拜拜", "goodbye", 0.8) == "goodbye"


def test_thanks_with_a_goodbye_is_a_goodbye():
    assert intent_after("谢谢，拜拜", "thank", 0.95) == "goodbye"


def test_asking_who_a_cited_author_is_asks_for_the_sources():
    assert intent_after("李叫兽是谁", "bot_challenge", 0.6) == "ask_sources"


def test_a_greeting_opening_a_question_about_asking_is_a_greeting():
    assert intent_after("哈咯～我是新加坡这边的，可以用华语问问题吗？", "nlu_fallback", 0.3) == "greet"
    # a greeting before a page question leaves the page question alone
    assert intent_after("哈喽，淘宝运营和推广专员有什么区别", "ask_difference", 0.95) == "ask_difference"


def test_asking_whether_a_person_is_typing_is_asking_about_the_assistant():
    assert intent_after("小助手你回得这么快，是不是后面藏了个真人小编在打字呀", "nlu_fallback", 0.3) == "bot_challenge"


def test_thanks_for_help_already_given_is_thanks_whatever_the_story_names():
    text = "面试过了！！之前看你们那篇讲运营和推广区别的文章帮了大忙，特地来说声谢谢"
    assert intent_after(text, "ask_difference", 0.95, entities=[{"entity": "subject", "value": "运营"}]) == "thank"
    assert intent_after("今日承蒙指教，受益匪浅。就此别过，后会有期！", "thank", 0.9) == "goodbye"
    # a question with thanks stays the question
    assert intent_after("帮了大忙，谢谢！那推广专员要什么能力？", "ask_dimension", 0.9) == "ask_dimension"


def test_a_price_range_after_a_comparison_word_of_nothing_named_is_a_price_question():
    assert intent_after("别打太极了，给个大概区间呗，我就对比下行情", "ask_difference", 0.68) == "ask_price"


def test_asking_to_be_called_is_a_request_for_a_person():
    text = "我电话13800001234，今天下午都在。麻烦让你们的人打给我，想咨询网站建设的事"
    assert intent_after(text, "out_of_scope", 0.6) == "request_human"


@pytest.mark.parametrize(
    "text, intent, confidence, settled",
    [
        # a price or a person asked for after an unrelated first question
        ("顺带问问你们接不接外包？我们要做个小程序，大概多少钱", "out_of_scope", 0.42, "ask_price"),
        ("你们做推广靠谱吗？有点担心，想先找个人聊聊", "out_of_scope", 0.58, "request_human"),
        # the sources named in thanks that ask nothing are not asked for
        ("出处我自己在页面底部看到了，谢啦", "ask_difference", 0.3, "thank"),
    ],
)
def test_cues_anywhere_in_a_misread_message_settle_it(text, intent, confidence, settled):
    assert intent_after(text, intent, confidence) == settled


def test_asking_for_the_pages_own_words_acts_on_the_last_answer():
    # 给我原文 is not a request for a person, whatever the classifier made of 给我
    assert intent_after("别总结了，把原话给我", "request_human", 0.83) == "nlu_fallback"
    assert intent_after("把原话给我，顺便留个你们电话", "request_human", 0.83) == "request_human"


def test_asking_what_the_page_says_as_a_whole_is_the_title_question():
    text = normalize("扫码进来的，这个页面主要内容是啥")
    message = Message(data={"text": text, FULL_TEXT: text})
    message.set("intent", {"name": "ask_reads_example", "confidence": 0.89})
    message.set("entities", [])
    CUES.process([message])
    assert message.get("intent")["name"] == "ask_difference"
    assert [e["value"] for e in message.get("entities") if e["entity"] == "comparison"] == ["overview"]


def test_asking_what_the_assistant_takes_on_is_a_capabilities_question():
    assert intent_after("你这边能接哪些问题？", "out_of_scope", 0.5) == "ask_capabilities"


@pytest.mark.parametrize(
    "text, intent, confidence, settled",
    [
        ("喂，有人在吗？怎么半天没动静", "ask_reads_example", 0.6, "greet"),
        ("想做个官网，大概得几万块？先估个开销我好报预算", "ask_funnel_ownership", 0.4, "ask_price"),
    ],
)
def test_a_ping_and_a_cost_estimate_are_heard_in_a_misread_message(text, intent, confidence, settled):
    assert intent_after(text, intent, confidence) == settled


def test_a_question_about_the_assistant_after_a_story_naming_a_role_is_still_about_the_assistant():
    text = "我在运营岗干了多年。想先看看你能聊哪些话题？"
    assert intent_after(text, "nlu_fallback", 0.5) == "ask_capabilities"


def test_thanks_the_classifier_took_for_an_unsure_request_for_a_person_is_thanks():
    assert intent_after("酱紫啊，灰常感谢捏", "request_human", 0.45) == "thank"
    assert intent_after("谢谢，麻烦转人工", "request_human", 0.45) == "request_human"


def test_a_greeting_closing_a_message_about_finding_the_assistant_is_a_greeting():
    assert intent_after("朋友说页面角上有个能提问的小框，就是你吧？哈喽", "out_of_scope", 0.6) == "greet"


def test_the_sources_cue_gives_way_to_a_definition_asked_with_its_source():
    text = "市场部说到底是个干嘛的部门？我想引一个有出处的定义回他"
    assert intent_after(text, "ask_marketing_definition", 0.8) == "ask_marketing_definition"
    assert (
        intent_after("“运营包含市场”这些观点，author 是谁 / 出自哪", "ask_ops_contains_marketing", 0.8) == "ask_sources"
    )


def test_our_price_asked_after_page_words_is_a_price_question():
    text = "页面写运营要管贴吧、百科、公众号的日常运维，你们代运维公众号一年收多少钱？"
    assert intent_after(text, "ask_ops_duties", 0.95) == "ask_price"
    assert intent_after("零转化的文章对市场部还有价值吗", "ask_reads_example", 0.95) == "ask_reads_example"


def test_asking_whether_the_assistant_only_answers_one_question_is_about_the_assistant():
    assert intent_after("你就只能回答运营和推广区别这一个问题？", "ask_difference", 0.95) == "ask_capabilities"


def test_thanks_that_put_off_contact_are_thanks_however_sure_the_classifier_is():
    assert intent_after("你们先别打电话给我哈，定了我们主动联系，谢谢了", "request_human", 0.99) == "thank"
    assert intent_after("请你们客服给我打电话，谢谢", "request_human", 0.99) == "request_human"


def test_an_invitation_to_speak_is_a_request_for_a_person():
    assert (
        intent_after("我们商会下个月办个沙龙，想请你们老师来讲讲，这个怎么约", "out_of_scope", 0.6) == "request_human"
    )


def test_asking_whether_we_are_a_person_is_about_us_not_a_request_for_one():
    assert intent_after("你是人工客服吗,主要负责干嘛的", "request_human", 0.58) == "bot_challenge"
    assert intent_after("有人工客服吗", "request_human", 0.9) == "request_human"

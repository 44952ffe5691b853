"""components/page_index.py: what the NLU does with the page index after the classifier."""

import pytest
from rasa.shared.nlu.training_data.message import Message

from components.normalizer import FULL_TEXT
from components.page_index import PageIndexMatcher

MATCHER = PageIndexMatcher(PageIndexMatcher.get_default_config())


def parsed(text: str, intent: str, confidence: float = 0.9, entities=None, full_text=None, runners_up=()) -> Message:
    """The message as the classifier left it (`runners_up`: (intent, confidence) after the first)."""
    message = Message(data={"text": text, FULL_TEXT: full_text or text})
    message.set("intent", {"name": intent, "confidence": confidence})
    ranking = [{"name": intent, "confidence": confidence}] + [{"name": n, "confidence": c} for n, c in runners_up]
    message.set("intent_ranking", ranking)
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
    message = parsed("这几个环节分别是?", "ask_role", 0.9)
    assert message.get("intent")["name"] == "ask_role" and message.get("page_match") is None


def subjects(*names):
    return [{"entity": "subject", "value": n, "start": 0, "end": 1} for n in names]


def test_which_of_two_roles_does_a_task_the_story_describes_is_that_dimension():
    story = "我们网店缺人手，要有人天天打理店铺、把商品整合上架，这归淘宝运营还是推广专员"
    message = parsed("这归淘宝运营还是推广专员", "ask_role", 0.95, subjects("淘宝运营", "推广专员"), full_text=story)
    assert (entity(message, "comparison"), entity(message, "dimension")) == ("taobao_vs_promoter", "content")
    assert message.get("page_match")["decision"] == "story_dimension"


def test_a_story_without_a_task_of_the_page_keeps_the_whole_comparison():
    story = "我刚毕业，家里人都在外地，想找份稳定点的工作，淘宝运营和推广专员选哪个"
    message = parsed("淘宝运营和推广专员选哪个", "ask_role", 0.95, subjects("淘宝运营", "推广专员"), full_text=story)
    assert entity(message, "dimension") is None


def test_asking_for_the_whole_difference_after_a_story_stays_whole():
    story = "我们网店要有人天天打理店铺、把商品整合上架，淘宝运营和推广专员有什么区别"
    message = parsed(
        "淘宝运营和推广专员有什么区别", "ask_difference", 0.95, subjects("淘宝运营", "推广专员"), full_text=story
    )
    assert entity(message, "dimension") is None


def unsure_between(ranking, entities, text="它们到底差在哪"):
    return parsed(text, "nlu_fallback", 0.3, entities, runners_up=[(r["name"], r["confidence"]) for r in ranking])


def test_unsure_only_between_the_whole_comparison_and_one_dimension_of_a_named_pair():
    ranking = [{"name": "ask_difference", "confidence": 0.5}, {"name": "ask_dimension", "confidence": 0.45}]
    message = unsure_between(ranking, subjects("运营", "市场部门"))
    assert message.get("intent")["name"] == "ask_difference"


def test_unsure_between_comparison_intents_without_a_compared_pair_stays_unsure():
    ranking = [{"name": "ask_difference", "confidence": 0.5}, {"name": "ask_dimension", "confidence": 0.45}]
    assert unsure_between(ranking, subjects("运营")).get("intent")["name"] == "nlu_fallback"
    other = [{"name": "ask_difference", "confidence": 0.5}, {"name": "out_of_scope", "confidence": 0.45}]
    assert unsure_between(other, subjects("运营", "推广专员")).get("intent")["name"] == "nlu_fallback"


def test_asking_on_how_many_sides_two_roles_differ_is_the_whole_comparison():
    dim = [{"entity": "dimension", "value": "定位", "start": 0, "end": 2}]
    message = parsed("网络推广和运营可以从哪几个方面比较", "ask_dimension", 0.9, subjects("网络推广", "运营") + dim)
    assert message.get("intent")["name"] == "ask_difference"
    assert entity(message, "dimension") is None


def test_a_gap_word_that_only_sets_the_scene_is_not_what_is_asked():
    text = "我报了个培训课程,运营和市场有什么区别"
    gap = [{"entity": "gap", "value": "课程", "start": 6, "end": 8}]
    message = parsed(text, "ask_difference", 0.95, gap + subjects("运营", "市场"))
    assert entity(message, "gap") is None


def test_a_gap_word_in_the_asking_clause_keeps_its_honest_answer():
    text = "我想转行做运营,有什么入门课程推荐吗"
    gap = [{"entity": "gap", "value": "课程", "start": 14, "end": 16}]
    message = parsed(text, "ask_role", 0.95, gap + subjects("运营"))
    assert entity(message, "gap") == "课程"


def test_a_dimension_the_comparison_lacks_gives_way_to_the_one_that_says_it():
    dim = [{"entity": "dimension", "value": "目的", "start": 0, "end": 2}]
    message = parsed("新媒体推广主要靠什么来达到营销目的", "ask_role", 0.9, subjects("新媒体推广") + dim)
    assert entity(message, "dimension") == "content"
    assert message.get("page_match")["decision"] == "dimension_instead"


def test_a_dimension_the_comparison_lacks_and_the_index_cannot_place_stays_missing():
    dim = [{"entity": "dimension", "value": "目的", "start": 0, "end": 2}]
    message = parsed(
        "淘宝运营和推广专员的工作目的有啥区别", "ask_dimension", 0.9, subjects("淘宝运营", "推广专员") + dim
    )
    assert entity(message, "dimension") == "目的"


def declined(text, ranking, entities):
    runners_up = [(r["name"], r["confidence"]) for r in ranking[1:]]
    return parsed(text, "out_of_scope", ranking[0]["confidence"], entities, runners_up=runners_up)


THOUGHT_OF_THE_PAGE = [{"confidence": 0.44}, {"name": "ask_difference", "confidence": 0.23}]


def test_a_declined_question_naming_a_compared_pair_is_about_that_comparison():
    message = declined("网络推广跟运营总记混，有什么好记的办法", THOUGHT_OF_THE_PAGE, subjects("网络推广", "运营"))
    assert message.get("intent")["name"] == "ask_difference"
    assert message.get("page_match")["decision"] == "compared_pair"


def test_a_declined_question_naming_roles_the_page_does_not_compare_stays_declined():
    message = declined("网络推广跟市场部门有什么好记的办法", THOUGHT_OF_THE_PAGE, subjects("网络推广", "市场部门"))
    assert message.get("intent")["name"] in ("out_of_scope", "nlu_fallback")
    assert (message.get("page_match") or {}).get("decision") != "compared_pair"


def test_a_pair_named_in_a_question_the_classifier_never_took_for_the_page_stays_declined():
    ranking = [{"confidence": 0.38}, {"name": "bot_challenge", "confidence": 0.32}]
    message = declined("你猜我是做运营的还是做市场的", ranking, subjects("运营", "市场"))
    assert message.get("intent")["name"] in ("out_of_scope", "nlu_fallback")
    assert (message.get("page_match") or {}).get("decision") != "compared_pair"


def test_a_pair_with_a_gap_word_keeps_its_honest_answer():
    gap = [{"entity": "gap", "value": "工资", "start": 6, "end": 8}]
    message = parsed("网络推广和运营谁工资高", "out_of_scope", 0.6, subjects("网络推广", "运营") + gap)
    assert message.get("intent")["name"] == "out_of_scope"


def test_unsure_between_a_pairs_comparison_and_its_fact_with_the_facts_words_is_the_fact():
    message = parsed(
        "做运营比做网推好找工作吧",
        "ask_dimension",
        0.39,
        subjects("运营", "网推"),
        runners_up=[("ask_job_prospects", 0.33)],
    )
    assert message.get("intent")["name"] == "ask_job_prospects"


@pytest.mark.parametrize(
    "text, roles, intent, dimension",
    [
        ("新媒体推广和电商运营是一回事吗", ("新媒体推广", "电商运营"), "ask_dimension", "scope"),
        ("市场算不算运营的一个分支", ("市场", "运营"), "ask_ops_contains_marketing", None),
    ],
)
def test_how_two_roles_relate_is_answered_from_the_section_their_comparison_names(text, roles, intent, dimension):
    message = parsed(text, "ask_difference", 0.8, subjects(*roles))
    assert message.get("intent")["name"] == intent
    assert entity(message, "dimension") == dimension


def test_a_pair_whose_comparison_names_no_relation_keeps_its_reading():
    message = parsed("淘宝运营和推广专员是一回事吗", "ask_difference", 0.8, subjects("淘宝运营", "推广专员"))
    assert message.get("intent")["name"] == "ask_difference"


def test_a_fact_whose_word_is_negated_gives_way_to_the_comparison_of_the_named_pair():
    message = parsed(
        "市场部和运营部工作有啥不一样",
        "ask_common_ground",
        0.58,
        subjects("市场部", "运营部"),
        runners_up=[("ask_difference", 0.29)],
    )
    assert message.get("intent")["name"] == "ask_difference"


def test_a_fact_whose_word_is_said_keeps_its_reading():
    message = parsed("市场部和运营部有哪些一样的地方", "ask_common_ground", 0.58, subjects("市场部", "运营部"))
    assert message.get("intent")["name"] == "ask_common_ground"


def test_a_fact_whose_words_the_message_says_far_more_often_wins():
    story = "我看完一篇阅读10万+的推文，一单也没买，这对市场部来说是不是白干了"
    message = parsed("这对市场部来说是不是白干了", "ask_marketing_definition", 0.8, full_text=story)
    assert message.get("intent")["name"] == "ask_reads_example"
    assert message.get("page_match")["decision"] == "evidence_vote"


def test_a_fact_with_one_word_more_keeps_the_classifiers_reading():
    message = parsed("市场部的定位是什么", "ask_marketing_definition", 0.8)
    assert message.get("intent")["name"] == "ask_marketing_definition"


def test_a_declined_question_about_one_role_with_its_facts_words_is_that_fact():
    message = parsed(
        "招一名运营，招聘启事里岗位职责写什么",
        "out_of_scope",
        0.66,
        subjects("运营"),
        runners_up=[("ask_ops_duties", 0.23)],
    )
    assert message.get("intent")["name"] == "ask_ops_duties"


def test_a_declined_remark_naming_a_role_without_its_facts_words_stays_declined():
    message = parsed(
        "我是做运营的，今天好累", "out_of_scope", 0.7, subjects("运营"), runners_up=[("ask_ops_duties", 0.2)]
    )
    assert message.get("intent")["name"] in ("out_of_scope", "nlu_fallback")


def test_a_fact_confirmed_by_the_vote_is_answered_by_the_action_as_it_is():
    from actions.facts import UNSURE_CONFIDENCE

    assert PageIndexMatcher.get_default_config()["evidence_vote_confidence"] >= UNSURE_CONFIDENCE


def test_the_vote_counts_no_role_names_and_not_what_a_correction_took_back():
    text = "市场部的定义是什么？哦不对，我是想知道市场和运营有哪些相似之处"
    message = parsed("市场和运营有哪些相似之处", "ask_common_ground", 0.9, full_text=text)
    assert message.get("intent")["name"] == "ask_common_ground"
    team = parsed("市场部门跟运营团队的工作有啥不一样", "ask_common_ground", 0.6)
    assert (team.get("page_match") or {}).get("fact") != "marketing_definition"


def test_a_declined_message_that_says_one_facts_words_far_more_than_any_others_is_that_fact():
    text = "用户先知道有这个app，然后注册，用着用着最后掏钱，这整个过程每一步叫什么"
    message = parsed(text, "nlu_fallback", 0.4)
    assert message.get("intent")["name"] == "ask_purchase_funnel"


def test_a_declined_message_with_a_word_or_two_of_a_fact_stays_declined():
    message = parsed("我昨天注册了一个新app，好用吗", "out_of_scope", 0.8)
    assert message.get("intent")["name"] != "ask_purchase_funnel"


def test_small_talk_the_classifier_is_unsure_of_beside_a_role_and_a_facts_words_is_that_fact():
    message = parsed(
        "新媒体推广那几个特点我忘了，再告诉我一次吧",
        "goodbye",
        0.3,
        subjects("新媒体推广"),
        runners_up=[("ask_dimension", 0.22), ("ask_newmedia_features", 0.21)],
    )
    assert message.get("intent")["name"] == "ask_newmedia_features"


def test_sure_small_talk_naming_a_role_stays_small_talk():
    message = parsed(
        "谢谢，新媒体推广的特点我懂了",
        "thank",
        0.8,
        subjects("新媒体推广"),
        runners_up=[("ask_newmedia_features", 0.15)],
    )
    assert message.get("intent")["name"] == "thank"


def test_how_two_roles_relate_wins_over_another_fact_of_their_comparison():
    message = parsed(
        "只做了新媒体推广，能说就是在做电商运营吗", "ask_ecom_scope_example", 0.95, subjects("新媒体推广", "电商运营")
    )
    assert (message.get("intent")["name"], entity(message, "dimension")) == ("ask_dimension", "scope")


def test_a_declined_question_naming_one_role_and_a_dimension_it_has_is_about_that_side():
    dim = [{"entity": "dimension", "value": "本事", "start": 0, "end": 2}]
    message = parsed(
        "自己学着干淘宝运营得具备啥本事",
        "out_of_scope",
        0.42,
        subjects("淘宝运营") + dim,
        runners_up=[("ask_role", 0.3)],
    )
    assert message.get("intent")["name"] == "ask_role"


@pytest.mark.parametrize(
    "text, subjects, fact_intent",
    [
        ("网络推广和运营,哪一个比较容易找工作呢?", ["网络推广", "运营"], "ask_job_prospects"),
        ("市场部门和运营到底相似在哪?", ["市场部门", "运营"], "ask_common_ground"),
    ],
)
def test_a_decisive_word_of_a_fact_of_the_named_pair_is_that_fact(text, subjects, fact_intent):
    roles = [{"entity": "subject", "value": s, "start": text.index(s), "end": text.index(s) + len(s)} for s in subjects]
    message = parsed(text, "ask_dimension", 0.9, entities=roles)
    assert message.get("intent")["name"] == fact_intent
    assert message.get("page_match")["decision"] == "decisive_fact"


def test_a_decisive_word_negated_leaves_the_comparison():
    text = "市场和运营有啥不一样的地方"
    roles = [
        {"entity": "subject", "value": s, "start": text.index(s), "end": text.index(s) + len(s)}
        for s in ("市场", "运营")
    ]
    message = parsed(text, "ask_difference", 0.9, entities=roles)
    assert message.get("intent")["name"] == "ask_difference"


def _roles_of(text, *names):
    return [{"entity": "subject", "value": s, "start": text.index(s), "end": text.index(s) + len(s)} for s in names]


def test_a_yes_or_no_question_of_one_dimension_is_that_dimension_not_the_fact():
    text = "市场部门跟运营部门的目的一样吗"
    entities = _roles_of(text, "市场部门", "运营部门") + [
        {"entity": "dimension", "value": "目的", "start": 10, "end": 12}
    ]
    message = parsed(text, "ask_common_ground", 0.8, entities=entities)
    assert message.get("intent")["name"] == "ask_dimension"


def test_asking_which_things_are_the_same_stays_the_common_ground():
    text = "这两个部门做的事情里,哪些是相同的"
    entities = _roles_of("市场和运营", "市场", "运营") + [
        {"entity": "dimension", "value": "做的事情", "start": 6, "end": 10}
    ]
    message = parsed(text, "ask_common_ground", 0.8, entities=entities)
    assert message.get("intent")["name"] == "ask_common_ground"


def test_a_quotation_wins_over_a_fact_named_only_by_a_role():
    full = "文章说“运营偏向务实,市场偏向务虚”。这个“务虚”是贬义吗?意思是市场部干的都是虚活?"
    message = parsed("这个“务虚”是贬义吗?意思是市场部干的都是虚活?", "ask_marketing_definition", 0.8, full_text=full)
    assert message.get("page_match")["decision"] == "quotation"
    assert entity(message, "comparison") == "ops_vs_marketing"


def test_a_gap_word_before_the_compared_pair_only_says_what_the_answer_is_for():
    text = "我局正在举办电商技能培训班,课程需要讲淘宝运营和推广专员两个岗位有何区别,请从各方面系统介绍一下。"
    entities = _roles_of(text, "电商", "淘宝运营", "推广专员") + [
        {"entity": "gap", "value": "课程", "start": text.index("课程"), "end": text.index("课程") + 2}
    ]
    message = parsed(text, "ask_dimension", 0.51, entities=entities)
    assert not any(e["entity"] == "gap" for e in message.get("entities"))
    # 各方面: the whole comparison, not the 技能 of the scene
    assert message.get("intent")["name"] == "ask_difference" and entity(message, "dimension") is None


def test_a_gap_word_that_is_asked_stays_declined():
    text = "淘宝运营和推广专员的工资有什么区别"
    entities = _roles_of(text, "淘宝运营", "推广专员") + [
        {"entity": "gap", "value": "工资", "start": text.index("工资"), "end": text.index("工资") + 2}
    ]
    message = parsed(text, "ask_difference", 0.9, entities=entities)
    assert any(e["entity"] == "gap" for e in message.get("entities"))


def test_from_which_sides_they_differ_is_the_whole_comparison_even_beside_a_relation_word():
    text = "我要证明两者不是一回事,可以从哪几个方面论证电商运营和新媒体推广的区别?"
    message = parsed(text, "ask_dimension", 0.8, entities=_roles_of(text, "电商运营", "新媒体推广"))
    assert message.get("page_match")["decision"] == "all_aspects"


def test_a_fact_read_into_a_message_saying_nothing_of_the_page_is_declined():
    message = parsed("可以直接转载吗?需不需要授权,要交授权费吗?", "ask_reads_example", 0.71)
    assert message.get("intent")["name"] == "out_of_scope"
    # a confident reading is not declined for want of the page's words
    assert parsed("可以直接转载吗?", "ask_reads_example", 0.9).get("intent")["name"] != "out_of_scope"


def test_another_fact_of_the_comparison_with_its_decisive_words_is_that_fact():
    message = parsed("用户下单几步走,从头到尾捋一捋,认知之后往哪走", "ask_funnel_ownership", 0.64)
    assert message.get("intent")["name"] == "ask_purchase_funnel"
    # the fact's own name said: no swap (无形价值 归市场部负责)
    kept = parsed("归市场部负责、又不体现在数据上的无形价值具体包括哪些", "ask_intangible_value", 0.7)
    assert kept.get("intent")["name"] == "ask_intangible_value"


def test_a_dimension_word_after_a_person_is_a_verb():
    text = "领导要求梳理运营和市场两类工作的区别"
    entities = _roles_of(text, "运营", "市场") + [{"entity": "dimension", "value": "要求", "start": 2, "end": 4}]
    message = parsed(text, "ask_dimension", 0.97, entities=entities)
    assert entity(message, "dimension") is None


def test_a_fact_without_its_words_gives_way_to_the_fact_the_words_say():
    text = "我视力不好,靠读屏。网络广告常见形式那一串英文中文混在一起,麻烦一个一个列出来"
    message = parsed(text, "ask_reads_example", 0.7)
    assert message.get("intent")["name"] == "ask_ad_forms"


def test_a_declined_question_saying_the_named_roles_own_fact_is_that_fact():
    text = "估计你也答不上来,随便试试:市场部到底算个什么部门,有没有个正经定义?"
    message = parsed(text, "out_of_scope", 0.53, entities=_roles_of(text, "市场部"))
    assert message.get("intent")["name"] == "ask_marketing_definition"


def test_a_comparisons_decisive_words_ask_for_all_of_it_whatever_fact_was_guessed():
    message = parsed(
        "运营和市场，简单点：哪个偏实哪个偏虚？", "ask_ops_contains_marketing", 0.7, subjects("运营", "市场")
    )
    assert message.get("intent")["name"] == "ask_difference"
    assert entity(message, "comparison") == "ops_vs_marketing"
    # a fact asked in its own words keeps its fact
    message = parsed("运营偏务实，那市场部的定义是什么", "ask_marketing_definition", 0.7, subjects("运营", "市场部"))
    assert message.get("intent")["name"] == "ask_marketing_definition"


def test_one_role_and_words_only_its_comparisons_summary_says_is_that_comparison():
    message = parsed("运营到底是务实的还是务虚的", "ask_dimension", 0.42, subjects("运营"))
    assert message.get("intent")["name"] == "ask_difference"
    assert entity(message, "comparison") == "ops_vs_marketing"


def test_the_pages_examples_named_in_a_question_reach_their_section():
    text = "页面里冲着牌子买果汁、拿比星巴克还贵的饮料上班这两个例子，说明的是什么"
    message = parsed(text, "ask_reads_example", 0.67)
    assert message.get("intent")["name"] == "ask_intangible_value"
    assert message.get("page_match")["decision"] == "page_example"


def test_a_story_of_the_pairs_work_wins_over_a_fact_it_says_no_word_of():
    full = "甲组这周：办了发布会和两场活动，做了事件营销。乙组这周：注册用户涨了，留存率和活跃率也涨了。哪组是市场哪组是运营？"
    message = parsed(
        "哪组是市场哪组是运营?", "ask_ops_contains_marketing", 0.97, subjects("市场", "运营"), full_text=full
    )
    assert message.get("intent")["name"] == "ask_difference"  # of the two roles named: their comparison
    assert message.get("page_match")["decision"] == "comparison_instead_of_fact"
    # without the story, the classifier's fact stands (管得更宽 is containment in other words)
    message = parsed("运营是不是比市场管得更宽", "ask_ops_contains_marketing", 0.97, subjects("运营", "市场"))
    assert message.get("intent")["name"] == "ask_ops_contains_marketing"


def test_a_confident_fact_with_none_of_its_words_in_the_whole_message_is_unsure():
    message = parsed("那反过来想，有没有副作用？会不会很乱？", "ask_reads_example", 0.95, subjects("新媒体推广"))
    assert message.get("intent")["name"] == "nlu_fallback"
    # its role named, the classifier's fact stands (the words may be the visitor's own)
    message = parsed("市场部写的稿子没人下单算白写吗", "ask_reads_example", 0.9, subjects("市场部"))
    assert message.get("intent")["name"] == "ask_reads_example"


def test_an_unsure_request_for_a_person_saying_none_of_its_words_is_the_fact_the_message_names():
    text = "我卖门户网站广告位，想多打包几种网络广告形式。页面上常见的有哪几种？"
    message = parsed(text, "request_human", 0.46, full_text=text)
    assert message.get("intent")["name"] == "ask_ad_forms"
    # with a person's words it stays a request for a person
    message = parsed("想找你们的人聊聊网络广告投放", "request_human", 0.46)
    assert message.get("intent")["name"] == "request_human"


def test_a_comparisons_summary_words_with_no_role_named_are_that_comparison():
    message = parsed("这种要落到数据上的活偏务实还是务虚？", "ask_dimension", 0.87)
    assert entity(message, "comparison") == "ops_vs_marketing"


def test_a_single_roles_fact_by_its_decisive_words_when_unsure():
    message = parsed("你们文章里引的那个定义，大意是怎么说的", "nlu_fallback", 0.3)
    assert message.get("intent")["name"] == "ask_marketing_definition"
    # a pair's fact is not reached without its pair (心理咨询师的就业前景 is not the page's)
    message = parsed("心理咨询师的就业前景怎么样", "nlu_fallback", 0.3)
    assert message.get("intent")["name"] != "ask_job_prospects"


def test_a_dimension_asked_beside_a_relation_word_is_that_dimension():
    ents = subjects("电商运营", "新媒体推广") + [{"entity": "dimension", "value": "内容", "start": 0, "end": 1}]
    message = parsed("他说电商运营跟新媒体推广不是一回事，内容上到底差在哪", "ask_dimension", 0.9, ents)
    assert message.get("page_match") is None or message.get("page_match").get("decision") != "relation"


def test_a_tie_at_the_top_of_the_index_decides_nothing():
    # 还是, 活 alone cover several sections equally: the story of the pair decides, not the tie
    story = "我们部门天天搞发布会、事件营销、做传播，但从来不用背注册量、留存率这种数据，这算市场的活还是运营的活？"
    message = parsed(
        "这算市场的活还是运营的活?", "ask_funnel_ownership", 0.51, subjects("市场", "运营"), full_text=story
    )
    assert entity(message, "comparison") != "online_promo_vs_ops"  # not 网络推广's, which neither names
    # a section well ahead of the rest still replaces a fact the question holds no word of
    message = parsed("网络广告常见形式那一串，一个一个列出来", "ask_reads_example", 0.9)
    assert message.get("intent")["name"] == "ask_ad_forms"


def test_one_role_and_a_dimension_its_own_fact_answers_is_that_fact():
    ents = subjects("运营") + [{"entity": "dimension", "value": "日常工作", "start": 0, "end": 1}]
    message = parsed("运营的日常工作都有哪些？", "ask_dimension", 0.89, ents)
    assert message.get("intent")["name"] == "ask_ops_duties"
    ents = subjects("市场部") + [{"entity": "dimension", "value": "定位", "start": 0, "end": 1}]
    message = parsed("该把市场部定位成一个什么部门", "ask_dimension", 0.49, ents)
    assert message.get("intent")["name"] == "ask_marketing_definition"
    # a dimension the role's fact does not answer stays the comparison's question
    ents = subjects("运营") + [{"entity": "dimension", "value": "目的", "start": 0, "end": 1}]
    message = parsed("运营的工作目的是什么", "ask_dimension", 0.9, ents)
    assert message.get("intent")["name"] == "ask_dimension"


def test_which_of_two_a_storys_task_is_gets_its_dimension_even_as_a_whole_difference():
    story = "我在淘宝店主要负责上新、整理商品、打理店铺日常这些，那我这岗位是运营还是推广专员？"
    message = parsed(
        "那我这岗位是运营还是推广专员?", "ask_difference", 0.64, subjects("运营", "推广专员"), full_text=story
    )
    assert (entity(message, "comparison"), entity(message, "dimension")) == ("taobao_vs_promoter", "content")
    # asking for the difference itself stays whole
    message = parsed("淘宝运营和推广专员有什么区别", "ask_difference", 0.9, subjects("淘宝运营", "推广专员"))
    assert entity(message, "dimension") is None


def test_the_classifiers_second_choice_with_its_words_beats_a_first_without_any():
    text = "这篇里的观点应该都是你们小编自己原创总结的吧，没参考别人的东西？"
    message = parsed(text, "ask_reads_example", 0.53, runners_up=[("ask_sources", 0.44)])
    assert message.get("intent")["name"] == "ask_sources"


def test_a_facts_decisive_words_beat_another_fact_the_classifier_chose():
    message = parsed("你们引用的那个定义是怎么说的", "ask_sources", 0.45)
    assert message.get("intent")["name"] == "ask_marketing_definition"
    message = parsed("你们引用了哪些书", "ask_sources", 0.9)
    assert message.get("intent")["name"] == "ask_sources"


def test_the_task_a_story_tells_beats_a_word_of_the_which_of_two_question():
    # 岗位 shares its characters with 岗位定位; the story's 店铺 and 商品 are what decides
    story = "我在淘宝店主要负责上新、整理商品、打理店铺日常这些，那我这岗位是淘宝运营还是推广专员？"
    message = parsed(
        "那我这岗位是淘宝运营还是推广专员?", "ask_role", 0.83, subjects("淘宝运营", "推广专员"), full_text=story
    )
    assert entity(message, "dimension") == "content"


def test_a_market_opened_up_is_no_marketing_department():
    text = "那运营具体就只是开拓市场吗"
    ents = subjects("运营") + [{"entity": "subject", "value": "市场", "start": text.index("市场"), "end": 12}]
    message = parsed(text, "ask_ops_duties", 0.9, ents)
    assert [e["value"] for e in message.get("entities") if e["entity"] == "subject"] == ["运营"]


def test_a_gap_that_only_names_where_a_claim_is_applied_leaves_the_claim_to_answer():
    text = "淘宝运营重整个过程、推广专员重销售，这个定位上的区分放到直播带货团队里也一样吗？"
    gap = {"entity": "gap", "value": "直播带货", "start": text.index("直播"), "end": text.index("团队")}
    message = parsed(text, "ask_dimension", 0.9, subjects("淘宝运营", "推广专员") + [gap])
    assert message.get("gap_setting") == "直播带货"
    assert not any(e["entity"] == "gap" for e in message.get("entities"))
    # asked for itself, a gap stays declined
    text = "直播带货和运营哪个更赚钱"
    gap = {"entity": "gap", "value": "直播带货", "start": 0, "end": 4}
    message = parsed(text, "ask_difference", 0.9, subjects("运营") + [gap])
    assert message.get("gap_setting") is None


def test_small_talk_the_classifier_half_believes_gives_way_to_the_fact_the_whole_message_tells():
    text = "领导看了我那篇推文的后台，阅读九万多，一单没出，丢下一句“白忙活”。真的是白忙吗"
    message = parsed("真的是白忙吗", "bot_challenge", 0.54, full_text=text)
    assert message.get("intent")["name"] == "ask_reads_example"


def test_a_question_naming_nothing_of_the_page_asks_about_the_gap_the_message_names():
    text = "顺便问一句，你们推荐阅读里那个“上海市场营销策划公司排名前十”，具体是哪十家？"
    at = text.index("营销策划公司排名")
    gap = {"entity": "gap", "value": "营销策划公司排名", "start": at, "end": at + 8}
    message = parsed(text, "ask_reads_example", 0.7, [gap])
    assert any(e["entity"] == "gap" for e in message.get("entities"))
    # a gap word only in the story, not quoted, stays out of the question
    text = "从新媒体推广升到电商运营，要多会哪些东西？"
    gap = {"entity": "gap", "value": "升到", "start": text.index("升到"), "end": text.index("升到") + 2}
    message = parsed(text, "ask_dimension", 0.7, subjects("新媒体推广", "电商运营") + [gap])
    assert not any(e["entity"] == "gap" for e in message.get("entities"))


def test_a_decline_the_classifier_doubts_gives_way_to_the_next_fact_with_two_of_its_words():
    text = "网上投广告我们只打算留一种，其余的都不投了。先告诉我常见的一共有哪些形式可以挑？"
    message = parsed(
        "先告诉我常见的一共有哪些形式可以挑?", "out_of_scope", 0.37, full_text=text, runners_up=[("ask_ad_forms", 0.3)]
    )
    assert message.get("intent")["name"] == "ask_ad_forms"
    message = parsed("今天天气怎么样", "out_of_scope", 0.4, runners_up=[("ask_ad_forms", 0.3)])
    assert message.get("intent")["name"] != "ask_ad_forms"


def test_the_task_a_story_tells_of_one_role_with_one_comparison_is_its_dimension():
    story = "我店里招的推广专员，这一礼拜都在帮着上新、整理商品，推广几乎没碰。他干的这些算他的本职吗？"
    message = parsed("推广专员干的这些算他的本职吗?", "ask_role", 0.8, subjects("推广专员"), full_text=story)
    assert entity(message, "dimension") == "content"


def test_an_unsure_comparison_naming_one_role_with_one_partner_is_their_comparison():
    story = "这个月被调到市场部了，领导说我思路要转过来。以前天天盯数据，现在做市场最大的不同到底在哪？"
    message = parsed("现在做市场最大的不同到底在哪?", "out_of_scope", 0.4, subjects("市场"), full_text=story)
    assert (message.get("intent")["name"], entity(message, "comparison")) == ("ask_difference", "ops_vs_marketing")
    # 运营 is compared twice: which of its comparisons is not guessed
    message = parsed("运营最大的不同到底在哪?", "out_of_scope", 0.4, subjects("运营"))
    assert entity(message, "comparison") is None


def test_a_length_asked_for_is_not_a_relation_cue():
    text = "这回只说运营和市场部门最核心的区别,一句话就够"
    message = parsed(text, "ask_difference", 0.8, subjects("运营", "市场部门"))
    assert (message.get("page_match") or {}).get("decision") != "relation"
    # ……just as 就够了 about the roles still asks how they relate
    message = parsed("只做新媒体推广就够了吗", "ask_difference", 0.8, subjects("新媒体推广", "电商运营"))
    assert message.get("page_match")["decision"] == "relation"


def test_an_unsure_story_naming_both_roles_and_two_words_of_one_of_their_facts_is_that_fact():
    story = "下周转正答辩,我是运营岗,可这半年一大半时间都在写文案、搞活动。评委会不会说我干的其实是市场的活?"
    message = parsed("评委会不会说我干的其实是市场的活?", "out_of_scope", 0.36, subjects("市场"), full_text=story)
    assert message.get("intent")["name"] == "ask_common_ground"
    # one fact word is not enough
    story = "我是运营岗，最近在写文案。评委会不会说我干的其实是市场的活?"
    message = parsed("评委会不会说我干的其实是市场的活?", "out_of_scope", 0.36, subjects("市场"), full_text=story)
    assert message.get("intent")["name"] != "ask_common_ground"


def test_one_word_of_the_fact_inside_a_story_of_the_pairs_tasks_does_not_keep_the_fact():
    full = "我们部门天天搞发布会、事件营销、做传播,但从来不用背注册量、留存率这种数据,这算市场的活还是运营的活?"
    message = parsed(
        "这算市场的活还是运营的活?", "ask_funnel_ownership", 0.52, subjects("市场", "运营"), full_text=full
    )
    assert entity(message, "comparison") == "ops_vs_marketing"
    assert message.get("intent")["name"] in ("ask_difference", "ask_dimension", "ask_role")


def test_a_facts_word_the_references_renamed_still_supports_it():
    full = "站在打工人的角度:不管我最后进市场部还是运营部,有哪些活是两边都躲不掉、都得会的?"
    message = Message(data={"text": "有哪些活是市场部门和运营都躲不掉、都得会的?", FULL_TEXT: full})
    message.set("intent", {"name": "ask_common_ground", "confidence": 0.87})
    message.set("intent_ranking", [{"name": "ask_common_ground", "confidence": 0.87}])
    message.set("entities", subjects("市场部门", "运营"))
    message.set("reading", {"references": ["两边=市场部门和运营"]})
    MATCHER.process([message])
    assert message.get("intent")["name"] == "ask_common_ground"


def test_an_unsure_comparison_of_one_role_saying_its_own_facts_word_is_that_fact():
    text = "新媒体推广那三个特点我上次记在本子上了,结果本子丢了……再告诉我一次吧"
    message = parsed(text, "ask_dimension", 0.31, subjects("新媒体推广"))
    assert message.get("intent")["name"] == "ask_newmedia_features"
    # sure of a dimension, it stays, unless the fact's decisive words (那三个特点) are said
    message = parsed(text, "ask_dimension", 0.95, subjects("新媒体推广"))
    assert message.get("intent")["name"] == "ask_newmedia_features"
    text = "新媒体推广那几条我上次记在本子上了,结果本子丢了……再告诉我一次吧"
    message = parsed(text, "ask_dimension", 0.95, subjects("新媒体推广"))
    assert message.get("intent")["name"] == "ask_dimension"


def test_a_gap_the_visitor_sets_aside_is_not_asked():
    text = "先不管文凭市场部到底是干啥的文章里怎么定义的"
    gap = {"entity": "gap", "value": "文凭", "start": 3, "end": 5}
    message = parsed(text, "ask_marketing_definition", 0.99, subjects("市场部") + [gap])
    assert not any(e["entity"] == "gap" for e in message.get("entities"))
    text = "没学历能做运营吗"
    gap = {"entity": "gap", "value": "学历", "start": 1, "end": 3}
    message = parsed(text, "out_of_scope", 0.66, subjects("运营") + [gap])
    assert any(e["entity"] == "gap" for e in message.get("entities"))


def test_an_unsure_question_naming_no_role_but_a_facts_decisive_words_is_that_fact():
    message = parsed("上面说的那四步能再捋一遍吗", "nlu_fallback", 0.3, runners_up=[("ask_dimension", 0.27)])
    assert message.get("intent")["name"] == "ask_purchase_funnel"


def test_a_plan_told_of_a_role_with_one_section_well_ahead_is_what_the_page_says_to_it():
    text = "我决定去投网络推广的岗位了,因为我不太喜欢跟外面的人打交道"
    message = parsed(text, "out_of_scope", 0.63, subjects("网络推广"))
    assert (entity(message, "comparison"), entity(message, "dimension")) == ("online_promo_vs_ops", "focus")
    # the same words without a role the section compares stay a suggestion
    message = parsed("我不太喜欢跟外面的人打交道", "out_of_scope", 0.63)
    assert message.get("page_match", {}).get("decision") != "search_of_the_role"


def test_a_tie_between_a_dimension_and_the_named_roles_own_fact_is_that_fact():
    text = "「引入资金」?，打错了吧应该是引入流量,运营怎么还管拉钱"
    message = parsed(text, "out_of_scope", 0.54, subjects("运营"))
    assert message.get("intent")["name"] == "ask_ops_duties"


def test_a_dimension_asked_of_no_settled_pair_is_of_the_comparison_its_words_belong_to():
    text = "甲方说推广交给你们,那日常店铺打理和商品整合算谁的?按你们文章这是哪个岗位的工作内容"
    dim = [{"entity": "dimension", "value": "工作内容", "start": 0, "end": 1}]
    message = parsed(text, "ask_dimension", 0.99, subjects("推广") + dim)
    assert entity(message, "comparison") == "taobao_vs_promoter"
    # without words of one comparison's side the question stays unsettled
    message = parsed("按你们文章这是哪个岗位的工作内容", "ask_dimension", 0.99, subjects("推广") + dim)
    assert entity(message, "comparison") is None


def test_the_titles_pair_with_one_comparisons_decisive_words_is_that_comparison():
    message = parsed("推广是不是往外跑的,运营窝在里头干活", "ask_difference", 0.8, subjects("推广", "运营"))
    assert entity(message, "comparison") == "online_promo_vs_ops"
    # the title's pair alone stays the title's
    message = parsed("推广和运营有啥区别", "ask_difference", 0.9, subjects("推广", "运营"))
    assert message.get("page_match", {}).get("decision") != "decisive_comparison"


def _dimension(value: str, text: str) -> dict:
    start = text.index(value)
    return {"entity": "dimension", "value": value, "start": start, "end": start + len(value)}


def test_the_dimensions_said_to_be_understood_are_not_asked():
    text = "内容和能力那两条我看懂了,就定位那条没懂啥意思"
    dims = [_dimension(v, text) for v in ("内容", "能力", "定位")]
    message = parsed(text, "ask_dimension", 0.99, entities=dims)
    assert [e["value"] for e in message.get("entities") if e["entity"] == "dimension"] == ["定位"]
    # all of them said to be understood: nothing is left to ask, so they stay
    text = "内容我看懂了,能力也看懂了"
    message = parsed(text, "ask_dimension", 0.99, entities=[_dimension(v, text) for v in ("内容", "能力")])
    assert len([e for e in message.get("entities") if e["entity"] == "dimension"]) == 2


def test_a_section_of_another_pair_than_the_one_named_is_not_taken_instead_of_the_fact():
    text = "我是做数据分析的,同时接了市场部和运营部的报表需求"
    roles = [
        {"entity": "subject", "value": v, "start": text.index(v), "end": text.index(v) + len(v)}
        for v in ("市场部", "运营部")
    ]
    message = parsed(text, "ask_common_ground", 0.38, entities=roles, runners_up=[("ask_difference", 0.17)])
    assert entity(message, "comparison") != "ecom_vs_newmedia"


def test_two_dimensions_asked_together_are_the_whole_comparison():
    text = "电商运营跟新媒体推广那两条区别,范畴不同和内容不同不就是一个意思么"
    message = parsed(text, "ask_dimension", 0.99, entities=[_dimension(v, text) for v in ("范畴", "内容")])
    assert entity(message, "comparison") == "ecom_vs_newmedia" and entity(message, "dimension") is None
    # a dimension set against another (先不说内容，就目的上) is not asked together with it
    text = "先不说内容,就目的上"
    message = parsed(text, "ask_dimension", 0.99, entities=[_dimension(v, text) for v in ("内容", "目的")])
    assert entity(message, "comparison") is None

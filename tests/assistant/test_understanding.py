"""Reading what visitors write: wording (Cantonese, Taiwan, English), typo fixes that never touch
ordinary words, the question inside a long message, two questions, and references."""

import pytest

from assistant.clauses import Context, is_question, read, separate_questions
from assistant.kb import default_corrector, load_kb
from assistant.wording import normalize_mapped
from tests.action_helpers import entities_in


def reading(text, pair=(), subject=None):
    return read(normalize_mapped(text, default_corrector()), Context(tuple(pair), subject))


@pytest.mark.parametrize(
    "typed, read_as",
    [
        ("淘寶營運同推廣專員有咩分別", "淘宝运营同推广专员有什么分别"),
        ("點樣先可以聯絡到你哋客服", "怎样先可以联系到你们客服"),
        ("營運係咪包埋市場部嘅工作", "运营是不是包括市场部的工作"),
        ("網路行銷有什麼作用", "网络行销有什么作用"),
        ("operation的scope是不是比marketing更大", "运营的范畴是不是比市场更大"),
        ("online ads有哪些format", "网络广告有哪些形式"),
        ("淘宝operation和promotion专员的difference", "淘宝运营和推广专员的区别"),
    ],
)
def test_regional_and_english_wording_becomes_plain_mandarin(typed, read_as):
    assert normalize_mapped(typed, default_corrector()).text == read_as


def test_a_relationship_keeps_its_character():
    # 係 is 是 in Cantonese, but 關係 is 关系, never 关是
    assert normalize_mapped("兩者的關係係咩").text == "两者的关系是什么"


@pytest.mark.parametrize(
    "typed, read_as",
    [
        ("网路推光和运营", "网络推广和运营"),  # -ang / -uang: exact toneless sound
        ("运莹是做什么的", "运营是做什么的"),
        ("新媒推广的特点", "新媒体推广的特点"),  # one character dropped
        ("推广专园需要什么", "推广专员需要什么"),  # blurred -an / -uan
    ],
)
def test_typos_of_knowledge_base_terms_are_fixed(typed, read_as):
    assert normalize_mapped(typed, default_corrector()).text == read_as


@pytest.mark.parametrize(
    "ordinary",
    [
        "运营不同的产品",
        "我们想做网上投广",
        "联系电话多少",
        "这个市场很大",
        "他在广场上推车",
        "运送货物的公司",
        "新媒体时代",
        "我今天很忙",
        "营业执照怎么办",
        "推荐一本书",
        "市长说了",
        "网络很慢",
        "电视广告",
        "我想推掉这个会",
        "工作定了吗",
        "能力有限",
        "内容很多",
        "范围太大",
        "目的地在哪",
    ],
)
def test_ordinary_words_are_never_corrected(ordinary):
    assert normalize_mapped(ordinary, default_corrector()).text == ordinary


def test_entities_point_at_what_the_visitor_typed_after_rewriting():
    text = "淘宝operation和promoter的difference"
    found = {(text[e["start"] : e["end"]], e["value"]) for e in entities_in(text)}
    assert ("operation", "运营") in found or ("淘宝operation", "淘宝运营") in found
    assert ("promoter", "推广专员") in found


def test_the_question_of_a_long_story_is_what_is_read():
    text = (
        "我家在县城开了一家卖干货的小店，这两年生意一般，儿子说要开网店。网店开起来以后，"
        "淘宝运营和推广专员有什么区别？我们只请得起一个人，想先弄明白。"
    )
    r = reading(text)
    assert "淘宝运营和推广专员有什么区别" in r.focus.text
    assert "干货" not in r.focus.text and "请得起" not in r.focus.text


def test_a_question_that_points_back_at_the_story_gets_the_roles_it_means():
    text = "我们店打算招一个淘宝运营和一个推广专员。我想知道这两个岗位平时负责的事情有什么不同，方便分工。"
    assert "淘宝运营和推广专员" in reading(text).focus.text


def test_references_resolve_against_the_conversation():
    pair = ("online_promo", "ops")
    assert reading("前者常用哪些广告", pair).focus.text == "网络推广常用哪些广告"
    assert reading("后者负责什么", pair).focus.text == "运营负责什么"
    assert reading("它俩哪个好找工作", pair).focus.text == "网络推广和运营哪个好找工作"
    assert reading("另一个呢", pair, subject="ops").focus.text == "网络推广呢"
    assert reading("这个岗位要什么能力", subject="promoter").focus.text == "推广专员要什么能力"


def test_another_role_in_the_same_message():
    assert reading("淘宝运营的能力我知道了，另一个呢").focus.text == "淘宝运营的能力我知道了,推广专员呢"


def test_without_context_a_reference_stays_as_typed():
    assert reading("前者呢").focus.text == "前者呢"


def test_two_questions_are_found_in_order():
    assert separate_questions("新媒体推广有什么特点？另外你们有人工客服吗") == [
        "新媒体推广有什么特点？",
        "另外你们有人工客服吗",
    ]
    assert separate_questions("市场部怎么定义？无形价值又是什么？") == ["市场部怎么定义？", "无形价值又是什么？"]


def test_one_question_with_a_story_is_not_two():
    assert (
        separate_questions(
            "淘宝运营和推广专员分别需要什么能力？我外向但是做事没条理，不知道自己适合哪边，想先看看再决定"
        )
        == []
    )
    assert separate_questions("网推和运营哪个好就业") == []


@pytest.mark.parametrize(
    "text, asks",
    [
        ("淘宝运营是做什么的", True),
        ("有什么区别", True),
        ("我也没什么经验。", False),
        ("考核标准不一样。", True),
        ("我们店开了三年了。", False),
        ("你们有客服吗", True),
    ],
)
def test_is_question(text, asks):
    assert is_question(text) is asks


@pytest.mark.parametrize(
    "typed, read_as",
    [
        ("How does a promotion specialist differ from a Taobao operator?", "怎么推广专员区别淘宝运营?"),
        ("What are the main features of new media marketing?", "什么主要特点新媒体推广?"),
        ("Does operations include marketing?", "运营包含市场?"),
    ],
)
def test_a_whole_english_question_keeps_the_pages_terms_and_drops_the_rest(typed, read_as):
    assert normalize_mapped(typed, default_corrector()).text == read_as


@pytest.mark.parametrize("typed, read_as", [("886", "拜拜"), ("88~", "拜拜~"), ("3Q!!", "谢谢!!")])
def test_shorthand_alone_is_a_goodbye_or_thanks(typed, read_as):
    assert normalize_mapped(typed).text == read_as


def test_shorthand_inside_a_sentence_is_left_alone():
    assert normalize_mapped("我住886号").text == "我住886号"


@pytest.mark.parametrize(
    "typed, focus",
    [
        ("网络广告有哪些形式？哦不对，我是想问网络推广有什么作用", "网络推广有什么作用"),
        ("不对，我想问的不是就业，是两者的工作内容", "两者的工作内容"),
        ("说错了，是电商运营和新媒体推广", "是电商运营和新媒体推广"),
    ],
)
def test_a_correction_replaces_what_came_before_it(typed, focus):
    assert reading(typed).focus.text == focus
    assert separate_questions(typed) == []  # one question, corrected: never answered twice


def test_a_message_that_only_says_no_is_not_a_correction():
    assert reading("不对").focus.text == "不对"


@pytest.mark.parametrize(
    "typed, asks_about",
    [("文章第三部分讲的是啥", "网络推广和运营的区别"), ("第1个问题再说说", "淘宝运营和推广专员的区别")],
)
def test_a_part_of_the_page_by_its_number_is_that_comparison(typed, asks_about):
    assert asks_about in reading(typed).focus.text


def test_a_numbered_point_of_an_answer_is_not_a_part_of_the_page():
    assert reading("第三点能再讲细点吗").focus.text == "第三点能再讲细点吗"


@pytest.mark.parametrize(
    "typed, must_read",
    [
        # a check of the visitor's own understanding is about the claim before it
        ("我的看法是：淘宝运营偏统筹，推广专员偏宣传。在能力上我没说错吧？", ["淘宝运营", "推广专员", "能力"]),
        ("按我理解，运营是管内部数据的。对不对？", ["运营是管内部数据"]),
        # a request to go on from a list the visitor started
        ("购买决策先是用户认知、用户转化……还有哪些？", ["用户认知"]),
    ],
)
def test_a_question_that_only_checks_or_continues_is_read_with_the_sentence_before(typed, must_read):
    focus = reading(typed).focus.text
    assert all(part in focus for part in must_read), focus


def test_a_checked_claim_is_one_question_not_two():
    assert separate_questions("我觉得网络推广主要对外？我理解得对吗？") == []


def test_a_statement_ending_with_a_question_mark_and_a_question_about_both_is_one_question():
    typed = "就好比说电商运营是厨房，新媒体推广是灶台？那它俩在范围上差在哪"
    assert separate_questions(typed) == []
    assert "电商运营" in reading(typed).focus.text


def test_a_question_about_both_after_a_real_question_is_still_two():
    assert len(separate_questions("电商运营是做什么的？它俩有什么区别？")) == 2


@pytest.mark.parametrize(
    "typed, focus",
    [
        ("淘宝运营的定位在过程，那推广专员的定位呢", "那推广专员的定位呢"),
        ("网络推广的工作内容偏对外，那么运营的工作内容是什么？", "那么运营的工作内容是什么?"),
    ],
)
def test_a_question_turning_from_one_role_to_the_same_of_another_is_about_the_other(typed, focus):
    assert reading(typed).focus.text == focus


def test_a_turn_to_another_role_without_the_same_dimension_keeps_the_whole_question():
    typed = "假设电商运营是一整条流水线，那新媒体推广在里面是什么角色？"
    assert "电商运营" in reading(typed).focus.text


def test_going_back_to_ones_own_first_question_is_not_the_pages_first_part():
    focus = reading("好的。那回到第一个问题，运营平时具体干什么？").focus.text
    assert "淘宝运营" not in focus and "运营平时具体干什么" in focus


def test_a_pasted_link_is_not_read_as_words():
    focus = reading("看到你们这个页面 https://example.com/a/b?id=3 淘宝运营和推广专员啥区别").focus.text
    assert "http" not in focus and "example" not in focus and "淘宝运营和推广专员" in focus


def test_a_numbered_list_of_questions_is_answered_item_by_item():
    assert separate_questions("想问：1. 市场部怎么定义 2. 无形价值指什么") == ["市场部怎么定义", "无形价值指什么"]
    assert separate_questions("(1)电商运营管哪些事 (2)新媒体推广有啥特点") == ["电商运营管哪些事", "新媒体推广有啥特点"]


def test_the_roles_of_a_lists_header_go_with_its_first_item():
    parts = separate_questions("关于网络推广想问两点：①它的作用有哪些 ②常见广告形式有哪些")
    assert parts[0].startswith("关于网络推广") and parts[1] == "常见广告形式有哪些"


def test_figures_are_not_list_markers():
    assert "10w" in reading("阅读了10w，转化0笔，对市场部有价值吗").focus.text
    assert "1.5万" in reading("工资1.5万的运营岗和推广岗哪个好").focus.text


def test_a_homework_question_that_points_at_the_sentence_before_is_read_with_it():
    focus = reading("作业题：对比电商运营和新媒体推广的区别。这题怎么答？").focus.text
    assert "电商运营和新媒体推广" in focus


def test_a_sentence_that_only_announces_a_question_goes_with_the_question():
    assert separate_questions("嗯，我想问一下，就是网络推广和运营…它们平时都忙些啥") == []
    assert separate_questions("请问市场部怎么定义？另外无形价值是什么") == [
        "请问市场部怎么定义？",
        "另外无形价值是什么",
    ]


def test_a_short_question_without_a_role_reaches_back_to_the_clause_that_names_one():
    focus = reading("刚刷到一段讲新媒体推广的内容，我没细看，主要是哪几个特点？").focus.text
    assert "新媒体推广" in focus


@pytest.mark.parametrize(
    "typed, focus",
    [
        # rhetorical questions, then the real one that turns from them
        (
            "淘宝运营不就是上上架嘛，推广专员就更轻松了吧？行，那你说说这俩的工作内容有啥区别",
            "行,那你说说淘宝运营和推广专员的工作内容有啥区别",
        ),
        (
            "随便发两条朋友圈也叫新媒体推广了？那它跟电商运营到底差在哪儿，说来听听",
            "那新媒体推广跟电商运营到底差在哪儿,说来听听",
        ),
    ],
)
def test_a_last_question_turning_from_rhetorical_ones_is_the_one_asked(typed, focus):
    assert reading(typed).focus.text == focus


def test_a_short_turn_to_another_role_asks_the_same_of_both():
    # 运营是偏务实还是偏务虚？市场呢？ is one question about the two roles, not two
    for text in ("淘宝运营做什么？那推广专员呢？", "运营是偏务实还是偏务虚？市场呢？我老记反"):
        assert separate_questions(text) == []
        focus = reading(text).focus.text
        assert text[:2] in focus and "呢" in focus
    # a turn to a role after a question about two is still a question of its own
    assert len(separate_questions("淘宝运营和推广专员有啥区别？网络推广呢？")) == 2


def test_a_reference_in_a_later_question_is_the_role_of_the_one_before():
    parts = separate_questions("推广专员说白了就是推销，会不会没底线？它的工作总定位到底是啥")
    assert parts[-1] == "推广专员的工作总定位到底是啥"


def test_an_announced_question_after_a_marked_one_is_asked_too():
    parts = separate_questions("匿名问一下，不用留联系方式吧？就想知道市场推广和运营大体上有什么区别")
    assert parts[-1] == "就想知道市场推广和运营大体上有什么区别"


def test_a_which_ones_question_naming_nothing_is_about_the_sentence_before():
    focus = reading("别处给我列了十几种网络广告形式，记不住。你们这里说常见的是哪几种？").focus.text
    assert "网络广告形式" in focus and "哪几种" in focus
    # a request for a person is its own question, not one about the sentence before
    assert len(separate_questions("淘宝运营做什么？你们电话多少？")) == 2


@pytest.mark.parametrize(
    "typed, kept, left_out",
    [
        ("只讲淘宝运营和推广专员在能力要求上的区别，工作内容、定位那些就不用说了", "能力要求", ["工作内容", "定位"]),
        ("电商运营和新媒体推广，只说范畴上有什么不同就行，内容上的不用讲", "范畴", ["内容上"]),
    ],
)
def test_what_the_visitor_asks_to_leave_out_is_not_read(typed, kept, left_out):
    focus = reading(typed).focus.text
    assert kept in focus and not any(word in focus for word in left_out), focus


def test_set_notation_reads_as_words():
    assert normalize_mapped("运营 ⊃ 市场？").text.startswith("运营包含市场")


@pytest.mark.parametrize(
    "typed, means",
    [
        ("第一大点里的第3小点讲的啥来着？", "淘宝运营和推广专员的区别的工作能力要求上的区别"),
        ("第三部分第2点说的什么", "网络推广和运营的区别的工作内容上的区别"),
    ],
)
def test_the_pages_nth_part_and_its_nth_point_are_that_dimension(typed, means):
    assert means in reading(typed).focus.text


def test_alternatives_and_a_dimension_question_without_roles_are_one_question():
    focus = reading("运营 ⊃ 市场？还是 市场 ⊃ 运营？范围上哪个大").focus.text
    assert focus.startswith("运营包含市场") and "范围上哪个大" in focus


def test_a_clause_naming_the_dimension_before_the_asking_clause_is_kept():
    typed = "第一部分第1点：工作总定位上，淘宝运营和推广专员分别重在什么？"
    assert reading(typed).focus.text.startswith("工作总定位上")


def test_a_sentence_restating_the_one_before_is_one_question_with_it():
    typed = "文章说“运营偏向务实，市场偏向务虚”。这个“务虚”是贬义吗？意思是市场部干的都是虚活？"
    assert separate_questions(typed) == []
    assert "务虚" in reading(typed).focus.text


def test_an_emoji_ends_a_sentence():
    focus = reading("一句话就说透了，对外对内，好记👍 那网络推广具体能起到什么作用啊").focus.text
    assert focus.startswith("那网络推广") and "对外" not in focus


def test_this_kind_of_person_is_the_role_named_before():
    focus = reading("不降价我就自己招个推广专员了。招这种人主要得看他什么能力？").focus.text
    assert "推广专员" in focus and "能力" in focus


@pytest.mark.parametrize(
    "typed, kept",
    [
        ("我单位新成立了融媒体中心", "融媒体中心"),  # 中心 is a word, not a typo of 重心
        ("淘宝运营和推广专员，工作的总体定位有啥区别", "工作的总体定位"),  # 工作的 is no 工作目的 missing 目
    ],
)
def test_ordinary_words_that_sound_or_look_like_terms_are_left_alone(typed, kept):
    assert kept in normalize_mapped(typed, default_corrector()).text


@pytest.mark.parametrize(
    "typed, focus",
    [
        ("运营(不是市场,也不是推广)平时具体负责哪些工作?(比如要不要管贴吧)", "运营平时具体负责哪些工作?"),
        ("网络推广(就是在网上投广告那种吧?)到底在哪些方面有作用(对小公司有没有用)", "网络推广到底在哪些方面有作用"),
    ],
)
def test_bracketed_asides_are_not_the_question(typed, focus):
    assert reading(typed).focus.text == focus


def test_blanks_in_brackets_are_no_aside():
    assert "(  )" in reading("注重对运营过程的计划、（  ）、实施").focus.text


def test_these_two_jobs_after_a_story_are_the_two_the_page_compares():
    typed = "女主在电商公司做运营，男二是做新媒体推广的。现实里这两个岗位干的内容到底有啥不一样？"
    focus = reading(typed).focus.text
    assert "电商运营和新媒体推广" in focus


def test_a_question_whether_the_story_is_so_reads_the_story():
    typed = "上一个团队做的文章阅读十万，一单没成交，还说对品牌有价值。这是不是在忽悠我？你们页面怎么说的"
    assert "阅读十万" in reading(typed).focus.text


def test_a_mail_programs_footer_is_not_read():
    read = normalize_mapped("收到，你们的解答很有帮助，谢谢！\n\n祝好\nJason\n发自我的iPad").text
    assert "发自" not in read and "Jason".lower() not in read and "谢谢" in read


def test_these_two_groups_are_the_roles_named_before():
    focus = reading("组织架构调整，要把网络推广组和运营组拆开。两个组的分工怎么一句话说清楚？").focus.text
    assert "网络推广和运营" in focus


def test_a_plan_asked_about_with_this_way_reads_the_plan():
    typed = "我打算把“用户认知”交给市场部，后面的转化、使用、付费都归运营部。这样切跟你们文章里的说法一致吗？"
    assert "归运营" in reading(typed).focus.text


def test_a_repost_chain_keeps_what_each_reposter_said_and_drops_their_names():
    read = normalize_mapped("//@小鹿:运营偏务实，市场偏务虚 //@阿杰:求解释").text
    assert read.startswith("运营偏务实") and "小鹿" not in read and "阿杰" not in read and "求解释" in read


def test_a_pasted_repost_chain_is_text_not_a_command():
    from assistant.text import clean_input

    cleaned = clean_input("//@奶茶:网络推广和运营哪个好找工作啊 //@路人甲:同问+1")
    assert not cleaned.startswith("/")
    assert normalize_mapped(cleaned).text.startswith("网络推广和运营哪个好找工作")
    assert clean_input("/restart") == "/restart"  # a real command stays one


def test_a_goodbye_s_them_are_people_not_the_roles_last_discussed():
    pair = tuple(load_kb().comparisons["ops_vs_marketing"]["subjects"])
    assert "他们" in reading("明白了，回头发给他们看看，拜拜", pair=pair).focus.text
    # asking, 他们 is still the pair last answered
    assert "他们" not in reading("那他们各自的目的呢", pair=pair).focus.text


@pytest.mark.parametrize(
    "text, dimension_word",
    [
        ("淘宝运营和推广专员这俩，技能树该怎么点？主要是能力要求方面", "能力"),
        ("新媒体推广算电商运营的一门手艺，还是另起炉灶？我只想弄清范畴上的关系", "范畴"),
    ],
)
def test_a_statement_after_a_question_naming_its_dimension_is_read_with_it(text, dimension_word):
    assert dimension_word in reading(text).focus.text


def test_the_two_roles_referred_to_are_the_pair_the_page_compares_not_loose_words_beside_them():
    text = "看了你们讲淘宝运营跟推广专员的页面。我们小店运营推广就我一个，这两个岗位从哪些方面区分？"
    assert "淘宝运营和推广专员" in reading(text).focus.text


def test_a_short_clause_asking_about_a_role_inside_a_long_sentence_is_asked():
    text = "朋友说网络推广就是天天发帖子？网络推广平时负责什么，我想心里有个数"
    assert any("负责什么" in q for q in reading(text).questions)


def test_a_rhetorical_claim_before_a_question_only_sets_the_scene():
    text = "运营不就是发发帖子嘛？淘宝运营凭什么要的能力比它多？"
    r = reading(text)
    assert r.questions == ["淘宝运营凭什么要的能力比它多?"]


def test_it_compared_with_is_the_role_named_before():
    # 比它: not the role beside it, the one named in the claim before
    assert "比推广专员" in reading("推广专员不就是能说会道嘛？淘宝运营的能力凭什么比它高").focus.text


@pytest.mark.parametrize(
    "text",
    [
        # the later question names a dimension of the pair the earlier one named, referring to both
        "上架、改价是不是该淘宝运营干，投直通车是不是推广专员干？两者工作内容怎么分",
        # one role each, the pair the page compares, and how they relate
        "新媒体推广做好了，电商运营不就等于搞定了？还分什么新媒体推广？",
    ],
)
def test_two_questions_about_one_pair_of_roles_are_one_question(text):
    assert separate_questions(text) == []


def test_a_question_naming_no_role_after_a_rhetorical_claim_asks_about_the_claims_role():
    r = reading("市场不就是办办活动嘛，能有多大学问？具体负责啥")
    assert "市场" in r.focus.text and "负责啥" in r.focus.text


def test_not_or_a_particle_is_never_corrected_into_a_term():
    # 运营不 sounds like 运营部, but 不 is the visitor's word
    assert normalize_mapped("运营不就是发帖子吗", default_corrector()).text.startswith("运营不就是")
    assert normalize_mapped("新没体推广有什么特点", default_corrector()).text.startswith("新媒体推广")


def test_the_converters_pinyin_pasted_with_the_page_is_not_read():
    assert normalize_mapped("市場(chǎng)和運(yùn)營(yíng)的相似之處").text == "市场和运营的相似之处"


def test_a_question_about_a_line_of_code_reads_that_line():
    text = "roles = ['网络推广', '运营']\nprint(max(roles, key=好就业))  # 这行按文章该输出啥"
    assert "网络推广" in reading(text).focus.text


def test_a_part_compared_with_a_role_says_who_is_compared():
    parts = separate_questions("市场这活儿最虚的地方是不是就在这？跟运营比差在哪儿？")
    assert parts[-1].startswith("市场") and "运营" in parts[-1]


def test_a_question_that_only_says_so_divided_leans_on_the_sentence_before():
    text = "我们公司拉新是市场部的事，留存充值归运营部。文章里也这么分吗？"
    assert "运营" in reading(text).focus.text and "这么分" in reading(text).focus.text


def test_asking_by_telling_beside_a_question_is_asked_too():
    r = reading("这些会不会有副作用？你先把新媒体推广那几个特点讲一遍")
    assert any("特点" in q for q in r.questions)


def test_the_pair_named_in_the_visitors_last_message_is_the_context_for_these_two():
    from assistant.clauses import compared_pair_named

    assert set(compared_pair_named("我从运营调去市场部了")) == set(
        load_kb().comparisons["ops_vs_marketing"]["subjects"]
    )
    assert compared_pair_named("我在做运营") is None


def test_an_item_ticked_off_a_pasted_to_do_list_is_not_asked():
    text = normalize_mapped("[x] 淘宝运营 vs 推广专员\n[ ] 电商运营 vs 新媒体推广：范畴上谁包含谁").text
    assert "淘宝运营" not in text and "电商运营" in text


def test_an_alternative_or_a_comparison_without_a_question_mark_is_asked_too():
    r = reading("把新媒体做好，电商运营就齐活了？还是说新媒体推广只是其中一块")
    assert "还是说新媒体推广" in r.focus.text
    r = reading("推广专员只要会吆喝就够了？跟淘宝运营比，对能力的要求是不是低一些")
    assert any("跟淘宝运营比" in q for q in r.questions)


def test_thinking_aloud_with_pauses_and_no_question_mark_is_one_thought():
    text = "运营和市场相同的地方……写文案算一个……做活动也算……还有个啥来着"
    assert reading(text).focus.text.startswith("运营和市场")


@pytest.mark.parametrize("text", ["我总觉得哪里不对，按你们文章该怎么改？", "我看着有几格不对劲，帮我逐项改一下"])
def test_something_being_off_is_no_correction(text):
    from assistant.clauses import corrected

    assert corrected(text) is None


def test_a_claim_checked_with_a_tag_is_read_whole():
    focus = reading(
        "推广专员的定位是负责整个运营过程的计划、组织、实施和控制，淘宝运营只管卖货，我没记错吧？"
    ).focus.text
    assert "推广专员" in focus and "计划" in focus


def test_the_role_a_question_is_asked_against_after_it_is_part_of_it():
    assert "运营" in reading("网络推广主要是处理公司内部的事情对吧？跟运营比的话").focus.text


def test_parts_left_out_in_so_many_words_are_not_read():
    focus = reading("别扯能力要求，也别说日常做啥，就单说淘宝运营跟推广专员在工作总定位上差在哪").focus.text
    assert "能力" not in focus and "总定位" in focus
    focus = reading("淘宝运营和推广专员的区别，定位和工作内容我都看懂了，就能力要求这一块再说说").focus.text
    assert "定位" not in focus and "能力要求" in focus


def test_a_bare_role_is_the_qualified_one_the_story_named():
    text = "我们已经有电商运营了，如果再招个新媒体推广，他负责的工作内容具体跟运营有啥不同？"
    assert "电商运营" in reading(text).focus.text
    # a pair the page compares as typed stays as typed
    text = "淘宝运营那部分讲的是管店铺，网络推广那部分讲的运营好像又不一样。网络推广和运营的区别到底是啥？"
    assert "淘宝运营" not in reading(text).focus.text


def test_this_compared_with_a_role_is_the_role_the_story_named():
    text = "我的职称是网络推广。万一面谈时签证官问我这跟运营有什么不同，我该怎么答？"
    assert "网络推广跟运营" in reading(text).focus.text


def test_an_entry_of_the_contents_is_that_comparison():
    assert "淘宝运营和推广专员的区别" in reading("本文目录第一条，展开讲讲").focus.text


def test_an_interjected_no_before_small_talk_corrects_nothing():
    text = "我敢打赌，新媒体推广就是电商运营的全部，对吗？哦不，别用那种眼神看着我，告诉我真相吧。"
    assert "全部" in reading(text).focus.text
    assert "运营" in reading("市场部门的目的是啥？哦不，我想问运营的").focus.text


def test_a_line_ending_on_a_question_particle_ends_the_question():
    text = "市场和运营\n不是说\n差别很大吗\n那它俩\n有没有\n一样要干的活"
    assert reading(text).focus.text.startswith("那")


def test_a_claim_turned_round_is_read_with_the_claim():
    focus = reading("推广是对外的事多。倒推一下，那运营就基本不碰外面的事，只关起门来干活？").focus.text
    assert "推广" in focus and "运营" in focus
    focus = reading("既然市场偏务虚，那翻过来是不是说运营一点都不虚，干的每件事都得落到数据上？").focus.text
    assert "务虚" in focus and "运营" in focus


def test_the_alternatives_of_one_question_are_read_together():
    text = "去客户公司推销，按你们文章里那个流程，这东西是市场的人更在意，还是运营的人更在意？"
    focus = reading(text).focus.text
    assert "市场" in focus and "运营" in focus


def test_a_story_set_in_a_taobao_shop_makes_a_bare_title_word_that_role():
    focus = reading("我跟我老公合伙开了家淘宝店，打算一个做运营一个做推广，平常的活具体该怎么分？").focus.text
    assert "淘宝运营" in focus


def test_a_claim_about_the_pair_put_as_a_tag_question_is_asked_too():
    text = "运营真不用看数据？运营和市场不是这么分的吧"
    assert "市场" in " ".join(reading(text).questions)


def test_a_title_word_beside_a_compared_role_is_that_roles_partner():
    from assistant.clauses import compared_pair_named

    assert set(compared_pair_named("知乎上都在说淘宝运营就是打杂的、推广就是卖货的")) == {"taobao_ops", "promoter"}
    assert compared_pair_named("运营和推广") is None  # the title question's own pair


def test_a_question_about_moving_between_the_pair_a_story_names_is_about_that_pair():
    focus = reading("淘宝运营做烦了，天天对着后台，想换去当推广专员。换过去之后每天干的活会变成什么样？").focus.text
    assert "淘宝运营" in focus and "推广专员" in focus
    focus = reading(
        "我现在在公司做新媒体推广，领导想让我接手整个电商运营。是不是相当于把我现在的活儿铺大一点就行？"
    ).focus.text
    assert "电商运营" in focus and "新媒体推广" in focus


def test_a_clause_naming_the_lens_of_the_question_after_it_is_part_of_it():
    text = "应届生，在纠结简历往哪投。听说大公司推广岗多、小公司运营岗多，单论好不好就业，网络推广和运营哪个强？"
    assert "就业" in reading(text).focus.text


def test_a_question_about_a_saying_is_read_with_the_clause_that_holds_it():
    text = "考研机构做市场的，领导开会老说我们市场部“务虚”，这话到底啥意思，跟运营比差在哪"
    assert "务虚" in reading(text).focus.text


def test_he_or_she_in_the_question_is_the_role_the_story_opened_with():
    text = "我店里招的推广专员,这一礼拜都在帮着上新、整理商品,推广几乎没碰。他干的这些算他的本职吗?"
    assert reading(text).focus.text.startswith("推广专员干的")
    # 其他 / 他们 are not 他, and a question naming its role keeps it
    assert "其他" in reading("淘宝运营讲完了，其他的呢").focus.text
    assert reading("我同事是做淘宝运营的，他每天都在干嘛").focus.text.count("淘宝运营") == 1


def test_a_short_sentence_judging_the_story_is_read_with_it():
    text = "我们公司十来号人，没有单独的市场部，运营顺手把市场的活也干了。这从道理上讲说得通吗？"
    assert "市场的活也干了" in reading(text).focus.text


def test_he_who_says_something_is_a_person_not_the_last_answers_role():
    assert "新媒体" not in reading("他这么说在理吗？", subject="newmedia_promo").focus.text
    assert "新媒体" not in reading("她觉得呢", subject="newmedia_promo").focus.text


def test_the_visitors_own_question_said_to_be_missed_is_not_the_pages_part():
    assert "运营与市场部门" not in reading("第二个问题漏了 运营具体做啥").focus.text
    assert "运营与市场部门" in reading("第二个问题讲了啥").focus.text


@pytest.mark.parametrize(
    "typed, read_as",
    [
        (
            "我没证也没啥学历 就想知道网络推广跟运营哪个更好就业一点",
            "我没证也没啥学历,就想知道网络推广跟运营哪个更好就业一点",
        ),
        (
            "如果主要不看证书 那淘宝运营和推广专员分别更看重什么能力",
            "如果主要不看证书,那淘宝运营和推广专员分别更看重什么能力",
        ),
        ("淘宝 运营 和推广专员有啥区别", "淘宝运营和推广专员有啥区别"),
        ("网络推广 和 运营 哪个好就业", "网络推广和运营哪个好就业"),
    ],
)
def test_a_space_that_breaks_clauses_is_a_comma_and_other_spaces_between_words_go(typed, read_as):
    assert normalize_mapped(typed, default_corrector()).text == read_as


def test_a_person_asked_for_only_if_we_cannot_answer_is_not_part_of_the_question():
    assert (
        reading("李叫兽那篇文章里市场部是咋定义的，你搞不清楚的话转人工").focus.text
        == "李叫兽那篇文章里市场部是咋定义的"
    )


def test_these_two_opening_a_chat_are_the_two_of_the_pages_title():
    assert reading("这俩到底啥区别啊").focus.text.startswith("市场推广和运营")
    assert reading("这俩呢", pair=("ecom_ops", "newmedia_promo")).focus.text.startswith("电商运营和新媒体推广")


def test_the_alternatives_offered_after_a_question_are_part_of_it():
    assert "平级" in reading("市场跟运营之间是啥联系？是一个包着另一个，还是平级的").focus.text


def test_a_claim_turned_round_to_the_other_role_is_read_with_the_claim():
    assert "对内" in reading("它这儿说运营是对内的 那推广就是对外的？").focus.text
    assert reading("推广专员的定位重在销售，那淘宝运营的定位是什么").focus.text.startswith("那淘宝运营")


def test_a_bare_role_after_an_answer_about_its_fuller_name_is_that_role():
    text = "有张漫画画了一栋楼 推广的小人往楼外跑 运营的小人在楼里忙活 说的就是这个区别吧"
    assert "网络推广" in reading(text, pair=("online_promo", "ops")).focus.text
    assert "网络推广" not in reading(text).focus.text


def test_a_question_restated_in_a_word_before_a_complaint_about_the_reply_is_that_word():
    text = "我问的是区别 你列一堆横幅广告、邮件广告干嘛 这跟区别有啥关系 说重点"
    assert "横幅" not in reading(text, pair=("online_promo", "ops")).focus.text
    assert reading("我问的是天气 你跟我说什么运营推广 这有啥关系？到底下不下").focus.text.startswith("天气")
    assert reading("区别呢", pair=("online_promo", "ops")).focus.text == "网络推广和运营的区别呢"


def test_a_picture_checked_against_what_we_said_is_read_whole_and_of_the_last_pair():
    text = "我之前看过一张图 一个大圆里套着一个小圆 大圆写运营 小圆写市场 跟你说的是一回事吗"
    assert "大圆写运营" in reading(text, pair=("ops", "marketing")).focus.text
    text = "看过一张对比图 左边一栏写「盯数据」 右边一栏写「造声量」 左边应该是运营吧？这页也是这么分的吗"
    assert reading(text, pair=("ops", "marketing")).focus.text.startswith("运营和市场部门")


def test_a_bare_role_set_on_a_platform_is_the_role_of_that_platform():
    assert "新媒体推广" in reading("抖音那种推广跟开网店的运营 有啥不一样").focus.text
    assert "电商运营" in reading("抖音那种推广跟开网店的运营 有啥不一样").focus.text
    assert "网络推广" in reading("百度上投的那种推广 主要能起啥作用").focus.text


def test_my_role_is_the_one_the_visitor_said_is_theirs():
    story = "我是做公众号的，老板给我岗位名写的新媒体推广，我们组还有个同事叫电商运营。那我这个有啥特点"
    assert "新媒体推广有啥特点" in reading(story).focus.text
    said_before = read(normalize_mapped("那我这个有啥特点", default_corrector()), Context(own="newmedia_promo"))
    assert said_before.focus.text == "那新媒体推广有啥特点"
    # 我是想问… says no role of one's own; 我这个问题 is a question, not a role
    assert reading("我是想问淘宝运营的，我这个问题有点长").focus.text.count("淘宝运营") <= 1


def test_another_difference_than_the_one_said_is_the_pairs_other_dimension():
    pair = ("ecom_ops", "newmedia_promo")
    text = reading("昨天你说范畴不一样 还有啥别的区别吗", pair).focus.text
    assert "内容" in text and "范畴" not in text
    after = read(
        normalize_mapped("还有其他区别吗", default_corrector()), Context(("online_promo", "ops"), dimension="focus")
    )
    assert "工作内容" in after.focus.text
    # three dimensions, one said: two remain, and the question stays as asked
    assert reading("定位我懂了，还有啥别的区别", ("taobao_ops", "promoter")).focus.text.startswith("定位")


def test_which_is_more_after_an_answer_is_asked_of_the_pair_just_answered():
    assert reading("那按这篇说 谁管得更宽", ("marketing", "ops")).focus.text.startswith("市场部门和运营")
    assert reading("谁管得更宽").focus.text == "谁管得更宽"


def test_a_bare_role_in_a_second_question_is_the_fuller_role_of_the_first():
    assert separate_questions("网络推广和运营哪个好就业？推广和运营区别是啥？")[1] == "网络推广和运营区别是啥？"
    assert separate_questions("网络推广和运营哪个好就业？市场推广和运营区别是啥？")[1] == "市场推广和运营区别是啥？"


def test_a_question_asking_between_the_ends_a_story_named_keeps_the_story():
    text = "做文案想搞明白用户从知道一个产品到最后掏钱 中间要经过哪几步 文章里那个流程能发我下吗"
    assert "掏钱" in reading(text).focus.text


def test_every_cue_of_ones_own_role_holds_a_mark_the_turn_looks_for():
    from assistant.wording import glossary

    marks = glossary()["own_role_marks"]
    assert all(any(m in cue for m in marks) for cue in glossary()["own_role"])

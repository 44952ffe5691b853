"""The input normaliser: what the NLU pipeline reads."""

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.kb import default_corrector
from assistant.text import MAX_CORRECTED_CHARS, script_of, to_halfwidth, to_simplified, to_traditional
from assistant.wording import normalize, normalize_mapped


def norm(text: str) -> str:
    return normalize(text, default_corrector())


def test_traditional_becomes_simplified():
    assert norm("淘寶運營和推廣專員有什麼區別？") == "淘宝运营和推广专员有什么区别?"


def test_taiwan_phrases_become_mainland_terms():
    assert norm("網路推廣") == "网络推广"


def test_simplified_text_is_left_alone():
    assert norm("你能做什么") == "你能做什么"  # tw2sp would turn 么 into 幺


def test_full_width_letters_digits_and_punctuation_become_half_width():
    assert to_halfwidth("ＴＡＯＢＡＯ　１２３！") == "TAOBAO 123!"
    assert norm("ＴａｏＢａｏ运营") == "淘宝运营"  # half-width, then the English word in the page's Chinese


def test_same_sounding_typos_of_known_terms_are_corrected():
    assert norm("淘宝运营跟推广专圆有啥不一样") == "淘宝运营跟推广专员有啥不一样"
    assert norm("我要找课服") == "我要找客服"
    assert norm("申请中英文遇名多少钱") == "申请中英文域名多少钱"


def test_one_wrong_inner_character_of_a_long_term_is_corrected():
    assert norm("电商运营跟新媒休推广的差别") == "电商运营跟新媒体推广的差别"
    # A correct term followed by another word is not "corrected" into a longer alias.
    assert norm("电商运营跟") == "电商运营跟"


def test_ordinary_words_are_not_rewritten():
    # 运营不同 sounds like 运营部同, 网上投广 is one character from 网上推广, 推广干的 sounds like 推广岗的.
    for text in [
        "今天天气怎么样",
        "讲个笑话",
        "运营一个月工资多少",
        "网推跟运营不同之处",
        "网上投广告",
        "找合作这些是推广干的还是运营干的",
    ]:
        assert norm(text) == text


def test_script_detection():
    assert script_of("淘寶運營") == "traditional"
    assert script_of("淘宝运营") == "simplified"
    assert script_of("你好") is None
    assert to_traditional("传播速度实时化") == "傳播速度實時化"  # the page's words, not 即時
    assert to_traditional("联系客服") == "聯繫客服"  # phrase-aware where the words stay the same


def test_huge_input_is_not_typo_corrected_and_stays_fast():
    text = "课服" * (MAX_CORRECTED_CHARS)
    assert norm(text) == text


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_every_normalised_character_maps_back_into_the_typed_text(text):
    # Entity offsets found on the normalised text are moved back onto the original with this map.
    mapped = normalize_mapped(text, default_corrector())
    assert len(mapped.starts) == len(mapped.ends) == len(mapped.text)
    assert all(0 <= a <= b <= len(text) for a, b in zip(mapped.starts, mapped.ends))
    assert list(mapped.starts) == sorted(mapped.starts)
    assert len(to_simplified(text)) == len(text)


def test_lone_surrogates_do_not_break_normalising():
    # JSON allows "\ud800"; OpenCC cannot encode it.
    assert norm("淘宝\ud800运营") == "淘宝?运营"
    assert script_of("\ud800淘寶") == "traditional"


def test_answers_follow_the_visitors_regional_variant():
    from assistant.text import in_script

    answer = "网络推广在网络品牌、产品促销等方面均有明显作用。"
    assert script_of("網路推廣有什麼作用") == "taiwan"
    assert in_script(answer, "taiwan").startswith("網路推廣在網路品牌")
    assert script_of("網絡推廣有咩用") == "hongkong"
    assert "網絡" in in_script(answer, "hongkong")
    assert in_script(answer, "traditional").startswith("網絡推廣")
    assert in_script(answer, "simplified") == answer
    assert script_of("系咪有冇") in (None, "simplified")  # Cantonese typed in Simplified gets Simplified


def test_answers_get_chinese_punctuation_but_numbers_times_and_links_keep_theirs():
    from assistant.text import chinese_punctuation

    assert (
        chinese_punctuation("重在整个工作过程,注重计划。电话:175-8598-2043")
        == "重在整个工作过程，注重计划。电话：175-8598-2043"
    )
    assert chinese_punctuation("为什么?难道") == "为什么？难道"
    for kept in ("下午3:30", "共2,000元", "https://a.example/x?y=1", "ok, fine: yes"):
        assert chinese_punctuation(kept) == kept

"""Validation, normalisation and masking of the contact data a visitor leaves."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leads.contact import (
    find_phone,
    mask_contact,
    mask_phone,
    mask_text,
    mask_wechat,
    normalize_name,
    normalize_need,
    normalize_phone,
    normalize_preferred_time,
    normalize_wechat,
    visible_text,
)


@pytest.mark.parametrize(
    "raw",
    [
        "13800138000",
        "138 0013 8000",
        "138-0013-8000",
        "+86 13800138000",
        "+86-138-0013-8000",
        "008613800138000",
        "8613800138000",
        "１３８００１３８０００",
        "＋８６ １３８ ００１３ ８０００",
        " 13800138000 ",
        "(+86) 138.0013.8000",
    ],
)
def test_mobile_numbers_are_normalised_to_11_digits(raw):
    assert normalize_phone(raw) == "13800138000"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        None,
        "010-12345678",
        "02112345678",
        "1380013800",
        "138001380001",
        "12800138000",
        "23800138000",
        "+1 13800138000",
        "abc13800138000",
        "电话13800138000",
        "8813800138000",
    ],
)
def test_landlines_wrong_length_or_prefix_are_rejected(raw):
    assert normalize_phone(raw) is None


@pytest.mark.parametrize(
    "text, phone",
    [
        ("我的手机是 138 0013 8000，下午打", "13800138000"),
        ("电话：+86-139-1234-5678", "13912345678"),
        ("号码１５９１２３４５６７８", "15912345678"),
        ("座机 010-12345678", None),
        ("订单号 2013800138000123", None),
    ],
)
def test_phone_is_found_inside_a_sentence(text, phone):
    assert find_phone(text) == phone


@pytest.mark.parametrize(
    "raw, wechat",
    [
        ("wx_my_id", "wx_my_id"),
        ("Lily-2024", "Lily-2024"),
        ("a12345", "a12345"),
        ("abcdefghij0123456789", "abcdefghij0123456789"),
        (" wxid_abc ", "wxid_abc"),
        ("138 0013 8000", "13800138000"),  # a mobile number is a valid WeChat login
        ("ａｂｃｄｅｆ", "abcdef"),
    ],
)
def test_valid_wechat_ids(raw, wechat):
    assert normalize_wechat(raw) == wechat


@pytest.mark.parametrize(
    "raw",
    [
        "abc12",
        "abcdefghij01234567890",
        "1454722008",
        "_abcdef",
        "abc def",
        "微信号abc",
        "abc.def",
        "",
        None,
    ],
)
def test_invalid_wechat_ids(raw):
    assert normalize_wechat(raw) is None


@pytest.mark.parametrize(
    "raw, name",
    [
        ("王先生", "王先生"),
        ("  叫我 王先生 就行 ", "王先生"),
        ("我叫李娜。", "李娜"),
        ("Lily", "Lily"),
        ("张 女士", "张 女士"),
        ("我是小陈吧", "小陈"),
    ],
)
def test_names(raw, name):
    assert normalize_name(raw) == name


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "12345",
        "13800138000",
        "王13800138000",
        "http://evil.example",
        "www.x.cn",
        "a@b.com",
        "！！！",
        "名" * 21,
    ],
)
def test_unusable_names(raw):
    assert normalize_name(raw) is None


def test_free_text_is_trimmed_capped_and_cleaned():
    assert normalize_preferred_time("  明天\n下午  ") == "明天 下午"
    assert normalize_preferred_time("   ") is None
    capped = normalize_preferred_time("晚" * 80)
    assert len(capped) == 50 and capped.endswith("…")
    assert normalize_need("做个\x00小程序") == "做个小程序"
    assert len(normalize_need("需" * 2000)) == 500


def test_masks():
    assert mask_phone("13800138000") == "138****8000"
    assert mask_phone("+86 138 0013 8000") == "138****8000"
    assert mask_wechat("wx_my_id") == "wx***id"
    assert mask_wechat("13800138000") == "138****8000"
    assert mask_contact("13800138000", "wx_my_id") == "手机 138****8000 / 微信 wx***id"


@pytest.mark.parametrize(
    "text, secret",
    [
        ("Received user message '我的电话 138 0013 8000'", "0013"),
        ("phone=+8613800138000", "0013800"),
        ("号码 １３８００１３８０００", "００１３"),
        ("SlotSet(key: wechat, value: lily_2024)", "lily_2024"),
        ("SlotSet(key: wechat_id, value: lily_2024)", "lily_2024"),
        ("{'wechat': 'lily_2024', 'name': '王'}", "lily_2024"),
        ("我的微信是 lily_2024", "lily_2024"),
        ("微信号：lily_2024", "lily_2024"),
        ("sender wxid_8f3k2l1m", "wxid_8f3k2l1m"),
    ],
)
def test_mask_text_hides_contacts(text, secret):
    masked = mask_text(text)
    assert secret not in masked
    assert "****" in masked or "***" in masked


@pytest.mark.parametrize(
    "text",
    [
        "lead #12 saved for conversation 42 at 2024-05-01 10:00:00, need 小程序",
        "wechat channel connected; weixin login ok",
    ],
)
def test_mask_text_keeps_other_text(text):
    assert mask_text(text) == text


# --- one phone reader for the callback form and the log masker (issue 23, item 12) ----------
WRITTEN = [
    "138.0013.8000",
    "(138)00138000",
    "1 3 8 0 0 1 3 8 0 0 0",
    "138 0013 8000",
    "+86 (138) 0013-8000",
    "１３８．００１３．８０００",
    "13٨٠٠١٣٨٠٠٠",
    "138\u200b0013\u200b8000",
]


def _digits(text: str) -> str:
    return "".join(ch for ch in visible_text(text) if ch.isdigit())


@pytest.mark.parametrize("written", WRITTEN)
def test_every_way_the_form_accepts_a_number_is_masked_in_the_logs(written):
    assert normalize_phone(written) == "13800138000"
    assert find_phone(f"我的电话是{written}，下午打") == "13800138000"
    logged = mask_text(f"Received user message '{written}' from visitor-1")
    assert "0013" not in _digits(logged), logged  # the middle digits never reach a log
    assert "138****8000" in logged


SEPARATORS = st.sampled_from(["", " ", "-", ".", "  ", " - ", "(", ")", "\u200b", "\u3000", "．"])


@settings(max_examples=300, deadline=None)
@given(
    middle=st.text(alphabet="0123456789", min_size=8, max_size=8),
    second=st.sampled_from("3456789"),
    gaps=st.lists(SEPARATORS, min_size=10, max_size=10),
    before=st.sampled_from(["", "电话 ", "call me at ", "号码：", "2026年 "]),
    after=st.sampled_from(["", " 谢谢", "，下午", " 1"]),
)
def test_what_the_form_reads_as_a_number_the_masker_hides(middle, second, gaps, before, after):
    digits = "1" + second + middle + "0"
    written = digits[0] + "".join(gap + digit for gap, digit in zip(gaps, digits[1:]))
    text = before + written + after
    found = find_phone(text)
    if found is None:
        return  # not read as a number by the form: nothing to mask either
    assert found == digits
    masked = mask_text(text)
    assert f"{digits[:3]}****{digits[-4:]}" in masked and digits not in _digits(masked), masked


# --- digits and invisible characters (issue 23, item 13) -------------------------------------
def test_non_ascii_digits_become_ascii_and_invisible_characters_go():
    assert normalize_phone("13٨٠٠١٣٨٠٠٠") == "13800138000"  # Arabic-Indic digits: a broken tel: link
    assert normalize_phone("۱۳۸۰۰۱۳۸۰۰۰") == "13800138000"  # Persian
    assert normalize_name("王\u202e先生\u200b") == "王先生"
    assert normalize_need("做\u2066小程序\u2069，预算５万\ufeff") == "做小程序，预算5万"
    assert normalize_preferred_time("明天\u200d下午３点\u00ad") == "明天下午3点"
    assert normalize_wechat("wx\u200b_my_id") == "wx_my_id"

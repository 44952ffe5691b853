"""Turning bot messages into WeChat text: byte-limited pages, markdown, XML safety, buttons."""

import xmltodict
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from channels.wechat.render import MORE_NOTICE, answer_from, paginate, split_utf8, text_reply_xml, transfer_reply_xml

texts = st.text(alphabet=st.sampled_from(list("运营推广ab1 \n😀**]]>é")), max_size=3000)


@hsettings(max_examples=200, deadline=None)
@given(texts, st.integers(min_value=256, max_value=2048))
def test_pages_fit_the_byte_limit_and_lose_no_characters(text, limit):
    pages = split_utf8(text, limit)
    assert all(len(p.encode("utf-8")) <= limit for p in pages)
    # Only line breaks at cut points and surrounding blank lines may differ.
    assert "".join(pages).replace("\n", "") == text.strip("\n").replace("\n", "") or not text.strip()


@hsettings(max_examples=100, deadline=None)
@given(texts)
def test_paginate_keeps_at_most_max_pages_and_says_how_to_read_on(text):
    now, later = paginate(text, 256, 2)
    assert 1 <= len(now) <= 2 and all(len(p.encode("utf-8")) <= 256 for p in now)
    assert now[-1].endswith(MORE_NOTICE) == bool(later)


def test_a_multibyte_character_is_never_cut():
    pages = split_utf8("好" * 1000, 2048)  # 3 bytes each: 682 fit in 2046 bytes
    assert [len(p) for p in pages] == [682, 318]


@given(st.text(max_size=200))
def test_any_text_gives_well_formed_reply_xml(text):
    parsed = xmltodict.parse(text_reply_xml("gh_x", "o1", text))["xml"]
    expected = "".join(c for c in text if c in "\t\n\r" or (" " <= c and c not in "\ufffe\uffff"))
    # XML normalises line ends; xmltodict strips surrounding whitespace.
    assert (parsed.get("Content") or "") == expected.replace("\r\n", "\n").replace("\r", "\n").strip()


def test_markdown_bold_is_stripped_and_links_kept_readable():
    answer = answer_from(
        [
            {"text": "**区别**见[原文](https://example.com/a)"},
            {"text": "第二条", "buttons": [{"title": "**人工**", "payload": "/human"}]},
        ]
    )
    assert answer.text == "区别见原文 https://example.com/a\n\n第二条"
    assert answer.buttons == [("人工", "/human")] and not answer.handoff


def test_handoff_payload_is_recognised_with_its_agent():
    answer = answer_from([{"custom": {"type": "handoff", "kf_account": "kf1@x"}}])
    assert answer.handoff and answer.kf_account == "kf1@x"
    xml = xmltodict.parse(transfer_reply_xml("gh_x", "o1", answer.kf_account))["xml"]
    assert xml["MsgType"] == "transfer_customer_service" and xml["TransInfo"]["KfAccount"] == "kf1@x"


def test_long_answers_keep_their_shape_in_wechat_and_every_line_the_visitors_script():
    from channels.wechat.render import Answer, full_text, plain_text

    shaped = plain_text("**淘宝运营和推广专员的区别**\n- 淘宝运营：打理店铺\n  - 细节\n1. 第一步 **重点**")
    assert shaped == "【淘宝运营和推广专员的区别】\n▪ 淘宝运营：打理店铺\n  ▪ 细节\n1. 第一步 重点"
    traditional = full_text(Answer(text="請問您想了解哪一個？", buttons=[("淘寶運營", "/x")]), "links")
    simplified = full_text(Answer(text="请问您想了解哪一个？", buttons=[("淘宝运营", "/x")]), "links")
    hint = lambda text: text.split("\n\n")[1].split("\n")[0]  # noqa: E731
    assert hint(traditional) != hint(simplified) and "點" in hint(traditional)
    long = "請問" + "運營與推廣的區別。\n" * 400
    pages, later = paginate(long, 2048, 1)
    assert later and pages[0].endswith("（內容較長，回復“更多”查看後續）")  # the notice too is Traditional
    assert MORE_NOTICE not in pages[0]

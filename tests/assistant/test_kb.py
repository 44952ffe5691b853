"""Every statement the assistant shows from the knowledge base occurs on the published page."""

import re

import pytest

from assistant.kb import ROOT_DIR, load_kb
from assistant.phrasebook import load_phrasebook
from tests.assistant.page import comparable, page_text, section_headings

PAGE = page_text()
PAGE_COMPARABLE = comparable(PAGE)
QUOTES = list(load_kb().quotes())


def test_page_copy_is_unchanged_from_the_published_page():
    shared = ROOT_DIR.parent / "shared" / "source" / "page.txt"
    if not shared.exists():  # a clone elsewhere: its own copy (source/page.txt) is what the rest checks
        pytest.skip(f"{shared} is absent, so the copy cannot be compared with the published page here")
    assert (ROOT_DIR / "source" / "page.txt").read_bytes() == shared.read_bytes()


def test_page_normalisation_removes_pinyin_and_mojibake():
    assert "(yùn)" not in PAGE and "檫" not in PAGE
    assert "淘宝运营和推广专员的区别" in PAGE
    assert "因为这个职务只负责跟流量相关的事情" in PAGE


def test_knowledge_base_has_every_part_of_the_page():
    kb = load_kb()
    headings = section_headings(PAGE)
    assert len(headings) >= 2
    pairs = [[kb.subjects[s]["name"] for s in c["subjects"]] for c in kb.comparisons.values()]
    for heading in headings:  # each of the page's numbered questions is a comparison of the KB
        assert any(all(name in heading for name in pair) for pair in pairs), heading
    assert len(QUOTES) > 40
    assert kb.contacts["phone"] == "175-8598-2043" and kb.contacts["wechat"] == "1454722008"


@pytest.mark.parametrize("where,text", QUOTES, ids=[w for w, _ in QUOTES])
def test_statement_occurs_on_the_page(where, text):
    assert comparable(text) in PAGE_COMPARABLE, f"{where} is not on the page: {text}"


def test_an_invented_statement_would_be_caught():
    assert comparable("淘宝运营需要精通Python编程。") not in PAGE_COMPARABLE
    # One changed character is enough to fail.
    assert comparable("运营偏向务虚,市场偏向务实。") not in PAGE_COMPARABLE


def test_dialogue_texts_state_no_fact_but_the_contacts():
    """The assistant's own sentences must not carry page facts (they live in the KB)."""
    own = " ".join(load_phrasebook().texts.values())
    for where, text in QUOTES:
        if len(comparable(text)) >= 12 and where != "contacts":
            assert comparable(text)[:12] not in comparable(own), where
    assert re.search(r"\{phone\}", own) and re.search(r"\{wechat\}", own)


def test_a_negated_evidence_word_does_not_support_its_fact():
    from assistant.kb import load_kb

    kb = load_kb()
    assert not kb.fact_supported("common_ground", "市场部和运营部工作有啥不一样")
    assert kb.fact_supported("common_ground", "市场部和运营部有哪些一样的地方")


def test_asking_whether_a_or_not_a_is_not_a_negation():
    from assistant.kb import load_kb

    kb = load_kb()
    assert kb.fact_supported("ops_contains_marketing", "运营包不包括市场的工作")
    assert not kb.fact_negated("common_ground", "市场和运营工作一样不一样")


def test_a_word_denied_with_bu_shi_is_not_said_but_a_rhetorical_or_whether_question_says_it():
    from assistant.kb import _said

    assert not _said("找工作", "不是找工作啊,是我们厂的产品想往网上推")
    assert _said("找工作", "是不是找工作更容易") and _said("对内", "运营不是对内的吗")

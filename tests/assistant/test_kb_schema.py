"""The knowledge base is checked when it is loaded, and adding a comparison is data only."""

from __future__ import annotations

import copy

import pytest
import yaml

from actions import answers
from assistant import kb as kb_module
from assistant.kb import KB_PATH, read_kb
from assistant.kb_schema import KnowledgeBaseError
from assistant.phrasebook import PHRASEBOOK_PATH, read_phrasebook

RAW = yaml.safe_load(KB_PATH.read_text(encoding="utf-8"))


def written(tmp_path, data, name="knowledge_base.yml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "change,names",
    [
        (
            lambda d: d["comparisons"]["ops_vs_marketing"]["related_facts"].append("intangible_valu"),
            "comparisons.ops_vs_marketing.related_facts: no fact `intangible_valu`",
        ),
        (lambda d: d["facts"]["ad_forms"].update(titel="网络广告"), "facts.ad_forms.titel"),
        (
            lambda d: d["facts"]["ad_forms"].update(comparison="online_vs_ops"),
            "facts.ad_forms.comparison: no comparison `online_vs_ops`",
        ),
        (
            lambda d: d["comparisons"]["taobao_vs_promoter"]["dimensions"]["content"]["sides"].update(ops="运营…"),
            "comparisons.taobao_vs_promoter.dimensions.content.sides.ops",
        ),
        (
            lambda d: d["comparisons"]["ecom_vs_newmedia"]["dimensions"]["scope"].update(sides={"ecom_ops": "…"}),
            "comparisons.ecom_vs_newmedia.dimensions.scope.both",
        ),
        (
            lambda d: d["comparisons"]["taobao_vs_promoter"].update(subjects=["taobao_ops"]),
            "comparisons.taobao_vs_promoter.subjects",
        ),
        (lambda d: d["facts"]["sources"].update(related=["no_such_fact"]), "facts.sources.related"),
        (lambda d: d["overview"]["lines"][0].update(comparison="nowhere"), "overview.lines[0].comparison"),
        (lambda d: d.pop("contacts"), "contacts: field required"),
        (
            lambda d: d["comparisons"]["taobao_vs_promoter"].update(relation="scope"),
            "comparisons.taobao_vs_promoter.relation: `scope` is neither a dimension of it nor a fact",
        ),
    ],
)
def test_a_mistake_in_the_knowledge_base_names_the_file_and_the_key(tmp_path, change, names):
    data = copy.deepcopy(RAW)
    change(data)
    with pytest.raises(KnowledgeBaseError) as error:
        read_kb(written(tmp_path, data))
    assert str(tmp_path / "knowledge_base.yml") in str(error.value) and names in str(error.value)


def test_a_mistake_in_the_phrasebook_names_the_file_and_the_key(tmp_path):
    data = yaml.safe_load(PHRASEBOOK_PATH.read_text(encoding="utf-8"))
    del data["days"]["weekdays"][6]
    with pytest.raises(KnowledgeBaseError, match=r"dialogue\.yml:\n  days\.weekdays: seven names"):
        read_phrasebook(written(tmp_path, data, "dialogue.yml"), contacts={})


def test_the_project_knowledge_base_and_phrasebook_are_valid():
    kb = read_kb()
    phrases = read_phrasebook()
    assert kb.comparisons and phrases.say("handoff").count(kb.contacts["phone"]) == 1


EXTRA = {
    "subjects": {
        "seo": {"name": "搜索引擎优化", "aliases": ["搜索引擎优化", "seo优化"]},
        "sem": {"name": "竞价推广", "aliases": ["竞价推广", "sem推广"]},
    },
    "comparison": {
        "title": "搜索引擎优化和竞价推广的区别",
        "subjects": ["seo", "sem"],
        "summary": "一个是自然排名,一个是付费排名。",
        "dimensions": {
            "content": {
                "label": "工作内容上的区别",
                "sides": {"seo": "优化网站内容和结构。", "sem": "购买关键词广告。"},
            }
        },
        "related_facts": ["ad_forms"],
    },
}


@pytest.fixture
def five_comparisons(tmp_path, monkeypatch):
    """A temporary copy of the knowledge base with a fifth comparison, used everywhere."""
    data = copy.deepcopy(RAW)
    data["subjects"].update(EXTRA["subjects"])
    data["comparisons"]["seo_vs_sem"] = EXTRA["comparison"]
    data["overview"]["lines"].append({"comparison": "seo_vs_sem", "text": "一个是自然排名,一个是付费排名。"})
    extended = read_kb(written(tmp_path, data))
    monkeypatch.setattr(kb_module, "load_kb", lambda: extended)
    return extended


def test_an_added_comparison_is_answered_listed_and_counted(five_comparisons):
    kb = five_comparisons
    assert kb.comparison_for({"seo", "sem"}) == "seo_vs_sem"
    answer = answers.comparison_answer(kb, "seo_vs_sem")
    assert "**搜索引擎优化和竞价推广的区别**" in answer.text and "购买关键词广告。" in answer.text
    assert [b["title"] for b in answer.buttons][-1] == "联系客服"
    side = answers.side_answer(kb, "seo_vs_sem", "sem", "content")
    assert "购买关键词广告。" in side.text and "优化网站内容和结构。" in side.text  # the other side follows
    overview = answers.overview_answer(kb).text
    assert "页面从五组对比来回答" in overview and "搜索引擎优化和竞价推广的区别" in overview
    assert "搜索引擎优化和竞价推广的区别" in answers.topics_list(kb)
    # Five comparisons and customer service do not fit: at most MAX_BUTTONS buttons, contact last.
    topics = answers.topic_buttons(kb)
    assert len(topics) == answers.MAX_BUTTONS and topics[-1]["title"] == "联系客服"


def test_an_added_comparison_is_on_the_demo_page_and_in_the_wechat_welcome(five_comparisons):
    from channels.wechat.settings import default_welcome
    from web_app.site import render_index

    page = render_index("http://localhost:5005", kb=five_comparisons).decode("utf-8")
    assert "<h2>五、搜索引擎优化和竞价推广的区别</h2>" in page and "<p>购买关键词广告。</p>" in page
    assert "5. 搜索引擎优化和竞价推广的区别" in default_welcome()

"""Staff labels become training data in their own file: one example per label, who and when
kept, never the same message twice, a contradiction flagged and not added."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
import yaml
from rasa.shared.nlu.training_data.loading import load_data

from learning.labels import LABELS_PATH, LabelFile, normalised

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=timezone.utc)


@pytest.fixture
def labels(tmp_path):
    data = tmp_path / "data"
    (data / "nlu").mkdir(parents=True)
    (data / "nlu.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: ask_ad_forms\n  examples: |\n    - 网络广告有哪些形式\n'
        "- intent: out_of_scope\n  examples: |\n    - 明天会下雨吗\n",
        encoding="utf-8",
    )
    held_out = tmp_path / "nlu_test.yml"
    held_out.write_text(
        'version: "3.1"\nnlu:\n- intent: ask_difference\n  examples: |\n'
        "    - [淘宝运营](subject)和[推广专员](subject)两个岗位有哪些不同\n",
        encoding="utf-8",
    )
    return LabelFile(data / "nlu" / "staff_labels.yml", data_dir=data, held_out=held_out)


def test_a_label_is_one_example_with_who_and_when_that_rasa_reads(labels):
    outcome = labels.add("打广告一般都有哪几种方式？", "ask_ad_forms", "wang", now=NOW)
    assert outcome.added
    read = load_data(str(labels.path))
    assert [(m.get("text"), m.get("intent")) for m in read.intent_examples] == [
        ("打广告一般都有哪几种方式？", "ask_ad_forms")
    ]
    content = yaml.safe_load(labels.path.read_text(encoding="utf-8"))
    assert content["nlu"][0]["examples"][0]["metadata"] == {"by": "wang", "at": "2026-12-07T08:00:00Z"}
    assert [(label.text, label.intent, label.by) for label in labels.labels()] == [
        ("打广告一般都有哪几种方式？", "ask_ad_forms", "wang")
    ]


def test_the_same_message_is_never_added_twice(labels):
    assert labels.add("打广告一般都有哪几种方式？", "ask_ad_forms", "wang").added
    before = labels.path.read_text(encoding="utf-8")
    assert labels.add("打广告 一般都有哪几种方式", "ask_ad_forms", "li").status == "duplicate"
    assert labels.add("网络广告有哪些形式!", "ask_ad_forms", "li").status == "duplicate"  # already in data/
    assert labels.path.read_text(encoding="utf-8") == before


def test_a_label_contradicting_an_example_is_flagged_not_added(labels):
    outcome = labels.add("明天会下雨吗？", "ask_ad_forms", "wang")
    assert (outcome.status, outcome.existing_intent) == ("contradicts", "out_of_scope")
    labels.add("打广告有哪几种方式", "ask_ad_forms", "wang")
    outcome = labels.add("打广告有哪几种方式", "ask_purchase_funnel", "li")  # against an earlier label
    assert (outcome.status, outcome.existing_intent) == ("contradicts", "ask_ad_forms")
    assert [label.intent for label in labels.labels()] == ["ask_ad_forms"]


def test_the_held_out_set_and_empty_or_huge_text_are_refused(labels):
    assert labels.add("淘宝运营和推广专员两个岗位有哪些不同", "ask_difference", "wang").status == "held_out"
    assert labels.add(" ，。 ", "ask_difference", "wang").status == "empty"
    assert labels.add("运营" * 200, "ask_difference", "wang").status == "too_long"
    assert not labels.path.exists()


def test_the_repository_file_is_read_by_rasa_and_holds_no_example_twice():
    read = load_data(str(LABELS_PATH))
    texts = [normalised(m.get("text")) for m in read.intent_examples]
    assert len(texts) == len(set(texts))

"""Entity extraction (normaliser + jieba + spaCy EntityRuler) on the held-out NLU set."""

from rasa.shared.nlu.training_data.loading import load_data

from tests.action_helpers import ROOT_DIR, entities_in

MIN_F1 = 0.9


def spans(entities):
    return {(e["start"], e["end"], e["entity"]) for e in entities}


def test_entity_f1_on_the_held_out_set():
    gold = found = hits = 0
    misses = []
    for example in load_data(str(ROOT_DIR / "tests" / "nlu_test.yml")).intent_examples:
        want, got = spans(example.get("entities") or []), spans(entities_in(example.get("text")))
        gold, found, hits = gold + len(want), found + len(got), hits + len(want & got)
        if want != got:
            misses.append((example.get("text"), sorted(want ^ got)))
    precision, recall = hits / max(found, 1), hits / max(gold, 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    print(f"entity precision {precision:.3f} recall {recall:.3f} F1 {f1:.3f} ({gold} gold spans)")
    assert gold > 50
    assert f1 >= MIN_F1, misses


def test_traditional_and_typo_spans_match_what_the_visitor_typed():
    # Offsets refer to the visitor's own text even after normalisation.
    text = "淘寶運營跟推廣專圓有啥不同"
    assert [(text[e["start"] : e["end"]], e["value"]) for e in entities_in(text)] == [
        ("淘寶運營", "淘宝运营"),
        ("推廣專圓", "推广专员"),
    ]

"""components/cue_only.py: an intent only its cue words may carry."""

from rasa.shared.nlu.training_data.message import Message

from components.cue_only import CueOnlyIntents

RULE = CueOnlyIntents()


def classified(text, ranking):
    message = Message(data={"text": text})
    message.set("intent", {"name": ranking[0][0], "confidence": ranking[0][1]})
    message.set("intent_ranking", [{"name": n, "confidence": c} for n, c in ranking])
    RULE.process([message])
    return message


def test_a_hold_the_classifier_half_hears_leaves_its_belief_to_the_rest():
    message = classified(
        "行，那我晚点打电话过去，先下了", [("goodbye", 0.33), ("hold_on", 0.31), ("request_human", 0.23)]
    )
    assert message.get("intent")["name"] == "goodbye" and message.get("intent")["confidence"] > 0.45
    assert "hold_on" not in [r["name"] for r in message.get("intent_ranking")]
    message = classified("把那几种形式再完整列一下", [("hold_on", 0.6), ("ask_ad_forms", 0.3)])
    assert message.get("intent")["name"] == "ask_ad_forms"


def test_a_request_to_wait_stays_one():
    message = classified("先别回，我还没说完", [("hold_on", 0.9), ("goodbye", 0.05)])
    assert message.get("intent")["name"] == "hold_on"

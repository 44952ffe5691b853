"""components/form_guard.py: the callback form starts only on a clear request."""

from rasa.shared.nlu.training_data.message import Message

from components.form_guard import FormStartGuard

GUARD = FormStartGuard(FormStartGuard.get_default_config())


def read(intent, confidence, *runners_up):
    message = Message(data={"text": "…"})
    message.set("intent", {"name": intent, "confidence": confidence})
    ranking = [{"name": intent, "confidence": confidence}] + [{"name": n, "confidence": c} for n, c in runners_up]
    message.set("intent_ranking", ranking)
    GUARD.process([message])
    return message.get("intent")["name"]


def test_a_clear_request_starts_the_form():
    assert read("request_callback", 0.9) == "request_callback"


def test_a_greeting_half_read_as_a_request_is_a_greeting():
    assert read("request_callback", 0.4, ("greet", 0.23), ("out_of_scope", 0.16)) == "greet"


def test_an_unclear_half_request_asks_what_was_meant():
    assert read("request_callback", 0.4, ("out_of_scope", 0.3), ("greet", 0.1)) == "nlu_fallback"

"""actions/callback.py: a visitor who asks to be contacted sees our contacts before the form's
first question, unless they tapped the callback offer shown under them."""

from actions.callback import ActionAskLeadName
from assistant.phrasebook import load_phrasebook
from tests.action_helpers import run, text_of, tracker

PHONE = load_phrasebook().contacts["phone"]


def test_a_callback_asked_for_straight_away_shows_the_contacts_first():
    messages, _ = run(ActionAskLeadName(), tracker("Could someone from your team contact me?", "request_callback"))
    assert PHONE in text_of(messages[:1]) and "称呼" in text_of(messages)


def test_the_offer_tapped_under_the_contacts_does_not_repeat_them():
    messages, _ = run(ActionAskLeadName(), tracker("/request_callback", "request_callback"))
    assert PHONE not in text_of(messages) and "称呼" in text_of(messages)

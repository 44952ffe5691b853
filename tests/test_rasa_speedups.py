"""The faster action-response validation accepts and refuses exactly what Rasa's does."""
import pytest
from jsonschema import ValidationError, validate
from rasa.core.actions.action import RemoteAction

import components  # noqa: F401 - installs the speed-up
from assistant.rasa_speedups import _validate_action_result

GOOD = {"events": [{"event": "slot", "name": "comparison", "value": "x"}],
        "responses": [{"text": "你好", "buttons": []}]}
BAD = [{"events": "not a list"}, {"responses": ["not an object"]}, {"events": [{"event": "no_such_event"}]}]


def test_installed_on_rasa():
    assert RemoteAction._validate_action_result is _validate_action_result


def test_valid_response_is_accepted():
    assert _validate_action_result(None, GOOD) is True
    validate(GOOD, RemoteAction.action_response_format_spec())


@pytest.mark.parametrize("response", BAD)
def test_invalid_response_is_refused_like_rasa_does(response):
    with pytest.raises(ValidationError):
        validate(response, RemoteAction.action_response_format_spec())
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        _validate_action_result(None, response)

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


def test_event_classes_resolve_as_in_rasa():
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    from assistant.rasa_speedups import _resolve_by_type

    assert Event.resolve_by_type is _resolve_by_type
    for cls in all_subclasses(Event):
        assert _resolve_by_type(cls.type_name) is next(c for c in all_subclasses(Event) if c.type_name == cls.type_name)
    assert _resolve_by_type("no_such_event", default=Event) is Event
    with pytest.raises(ValueError):
        _resolve_by_type("no_such_event")
    assert Event.from_parameters({"event": "slot", "name": "a", "value": 1}).value == 1

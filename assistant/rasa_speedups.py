"""Removes the hottest costs of a Rasa 3.6 turn, found by profiling the REST channel (py-spy).

- Rasa validates every action-server response with `jsonschema.validate`, which
  checks the (constant) schema itself on every call: 65% of a turn's CPU time.
  A validator built once gives the same result and the same ValidationError.
- Deserialising the tracker looks up each event's class by walking all Event
  subclasses, for every event of every turn: 9% after the first fix. The classes
  never change once Rasa is imported, so the look-up is cached by type name.

Loaded from components/__init__.py, which every Rasa server process of this
project imports when it loads the model.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict

from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event

_resolve_event_class = Event.resolve_by_type
_event_classes: Dict[str, type] = {}


@lru_cache(maxsize=1)
def _action_response_validator():
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    try:
        _action_response_validator().validate(result)
        return True
    except ValidationError as e:
        e.message += (". Failed to validate Action server response from API, make sure your response "
                      f"from the Action endpoint is valid. For more information about the format visit "
                      f"{DOCS_BASE_URL}/custom-actions")
        raise e


def _resolve_by_type(type_name: str, default=None):
    cls = _event_classes.get(type_name)
    if cls is None:
        cls = _resolve_event_class(type_name, default)  # raises for an unknown name, as before
        if cls is not None and cls is not default:
            _event_classes[type_name] = cls
    return cls


def install() -> None:
    RemoteAction._validate_action_result = _validate_action_result
    Event.resolve_by_type = staticmethod(_resolve_by_type)

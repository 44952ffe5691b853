"""Removes the hottest costs of a Rasa 3.6 turn, found by profiling the REST channel (py-spy).

- Rasa validates every action-server response with `jsonschema.validate`, which
  checks the (constant) schema itself on every call: 65% of a turn's CPU time.
  A validator built once gives the same result and the same ValidationError.
  Even so, each event was tried against all 23 `oneOf` branches of the event schema
  (8% of a turn). Every branch is keyed by a constant `event` name, so an event is
  valid exactly when it matches its own branch: that one branch is checked, and any
  failure is re-checked by the full validator so the error is Rasa's own.
- The tracker sent to the action server is encoded with ujson (already installed
  with Sanic) instead of the json module: another 8% of a turn.
- Deserialising the tracker looks up each event's class by walking all Event
  subclasses, for every event of every turn: 9% after the first fix. The classes
  never change once Rasa is imported, so the look-up is cached by type name.

Loaded from components/__init__.py, which every Rasa server process of this
project imports when it loads the model.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, Tuple

import aiohttp
import ujson
from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.utils.endpoints import EndpointConfig
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


@lru_cache(maxsize=1)
def _per_event_validators() -> Tuple[Any, Dict[str, Any]]:
    """The response schema without the events' `oneOf`, and one validator per event name."""
    schema = RemoteAction.action_response_format_spec()
    items = schema["properties"]["events"]["items"]
    base_items = {k: v for k, v in items.items() if k != "oneOf"}
    outline = {**schema, "properties": {**schema["properties"],
                                        "events": {**schema["properties"]["events"], "items": base_items}}}
    cls = validator_for(schema)
    by_name = {branch["properties"]["event"]["const"]: cls(branch) for branch in items["oneOf"]}
    return cls(outline), by_name


def _passes_fast_check(result: Any) -> bool:
    outline, by_name = _per_event_validators()
    if not outline.is_valid(result):
        return False
    for event in result.get("events") or []:
        branch = by_name.get(event["event"])
        if branch is None or not branch.is_valid(event):
            return False
    return True


def _validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    try:
        if _passes_fast_check(result):
            return True
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


def _dumps(obj: Any) -> str:
    return ujson.dumps(obj, ensure_ascii=False, escape_forward_slashes=False)


def _session(self: EndpointConfig) -> aiohttp.ClientSession:
    """Rasa's EndpointConfig.session, with ujson for request bodies."""
    auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) if self.basic_auth else None
    return aiohttp.ClientSession(headers=self.headers, auth=auth, json_serialize=_dumps,
                                 timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT))


def install() -> None:
    RemoteAction._validate_action_result = _validate_action_result
    EndpointConfig.session = _session
    Event.resolve_by_type = staticmethod(_resolve_by_type)

"""Checks each action-server response with a validator built once, each event against its own branch.

Why a patch: RemoteAction._validate_action_result (rasa/core/actions/action.py) re-checks the constant
schema on every call (65% of a turn's CPU) and tries each event against all 23 `oneOf` branches. A
failure is re-checked by the full validator, so the error is Rasa's own."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict

from rasa_patches.version_guard import applies


@lru_cache(maxsize=1)
def _validators():
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    items = schema["properties"]["events"]["items"]
    events = {**schema["properties"]["events"], "items": {k: v for k, v in items.items() if k != "oneOf"}}
    outline = cls({**schema, "properties": {**schema["properties"], "events": events}})
    by_name = {branch["properties"]["event"]["const"]: cls(branch) for branch in items["oneOf"]}
    return cls(schema), outline, by_name


def _passes_fast_check(result: Any) -> bool:
    _, outline, by_name = _validators()
    if not outline.is_valid(result):
        return False
    return all(
        event["event"] in by_name and by_name[event["event"]].is_valid(event) for event in result.get("events") or []
    )


def _validate_action_result(self, result: Dict[str, Any]) -> bool:
    from jsonschema import ValidationError
    from rasa.shared.constants import DOCS_BASE_URL

    try:
        if not _passes_fast_check(result):
            _validators()[0].validate(result)
        return True
    except ValidationError as e:
        e.message += (
            ". Failed to validate Action server response from API, make sure your response "
            f"from the Action endpoint is valid. For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise e


def install() -> None:
    from rasa.core.actions.action import RemoteAction

    if applies(__name__):
        RemoteAction._validate_action_result = _validate_action_result

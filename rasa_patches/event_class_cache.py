"""Looks up an event's class by its type name once. Why a patch: Event.resolve_by_type
(rasa/shared/core/events.py) walks every Event subclass for each event of each turn (9% of a turn)."""

from __future__ import annotations

from typing import Dict

from rasa_patches.version_guard import applies

_event_classes: Dict[str, type] = {}


def install() -> None:
    from rasa.shared.core.events import Event

    resolve = Event.resolve_by_type
    if getattr(resolve, "cached", False) or not applies(__name__):
        return

    def resolve_by_type(type_name: str, default=None):
        cls = _event_classes.get(type_name)
        if cls is None:
            cls = resolve(type_name, default)  # raises for an unknown name, as before
            if cls is not None and cls is not default:
                _event_classes[type_name] = cls
        return cls

    resolve_by_type.cached = True
    Event.resolve_by_type = staticmethod(resolve_by_type)

"""The Rasa server sends the action server's shared secret (action_server.secret) on every call."""

from __future__ import annotations

from action_server.secret import headers


def install() -> None:
    """Every action endpoint Rasa reads from endpoints.yml sends the secret.

    Patched here rather than written into endpoints.yml because Rasa refuses to start on an
    unset ${VAR}, and `rasa shell` with a plain `rasa run actions` needs no secret."""
    from rasa.core.utils import AvailableEndpoints

    original = AvailableEndpoints.read_endpoints.__func__
    if getattr(original, "sends_secret", False):
        return

    def read_endpoints(cls, endpoint_file):
        endpoints = original(cls, endpoint_file)
        if endpoints.action is not None:
            endpoints.action.headers = {**(endpoints.action.headers or {}), **headers()}
        return endpoints

    read_endpoints.sends_secret = True
    AvailableEndpoints.read_endpoints = classmethod(read_endpoints)

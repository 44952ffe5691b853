"""The Rasa server sends the action server's shared secret (action_server.secret) on every call.

Why a patch: endpoints.yml cannot hold it (Rasa refuses to start on an unset ${VAR}, and
`rasa shell` with a plain `rasa run actions` needs none); rasa.core.utils.AvailableEndpoints
reads the action endpoint's headers only from that file. Required: without it every custom
action is refused."""

from __future__ import annotations

from action_server.secret import headers
from rasa_patches.version_guard import applies


def install() -> None:
    from rasa.core.utils import AvailableEndpoints

    original = AvailableEndpoints.read_endpoints.__func__
    if getattr(original, "sends_secret", False) or not applies(__name__, required=True):
        return

    def read_endpoints(cls, endpoint_file):
        endpoints = original(cls, endpoint_file)
        if endpoints.action is not None:
            endpoints.action.headers = {**(endpoints.action.headers or {}), **headers()}
        return endpoints

    read_endpoints.sends_secret = True
    AvailableEndpoints.read_endpoints = classmethod(read_endpoints)

"""Rasa's REST channel, answering 400 to a body that is not a JSON object.

Why: RestInput reads `request.json.get(...)`, so an empty body or a JSON list raises
AttributeError and the visitor gets HTTP 500 (measured through nginx). Same path
(/webhooks/rest/webhook) and replies otherwise.
"""
from __future__ import annotations

from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic.exceptions import InvalidUsage  # HTTP 400 in sanic 21


class RestInput(RasaRestInput):
    async def _extract_sender(self, req):
        if not isinstance(req.json, dict):
            raise InvalidUsage("the body must be a JSON object with `sender` and `message`")
        return await super()._extract_sender(req)

"""One size limit for what a visitor sends, on every channel, embedded and on the stack.

- HTTP bodies and WebSocket frames on the Rasa server: MAX_BODY_BYTES (Sanic's own defaults,
  100 MB bodies and 1 MB frames, let one visitor stall the others). Over it: 413 / closed socket.
- A message's text: MAX_MESSAGE_CHARS. A longer one is not parsed; the visitor is asked,
  politely and in their script, to send the question alone (channels/turn.py).
"""

from __future__ import annotations

import os

MAX_BODY_BYTES = 64 * 1024  # nginx's client_max_body_size on the stack is the same
MAX_MESSAGE_CHARS = 2000  # several paragraphs of story plus the question


def too_long(text) -> bool:
    return isinstance(text, str) and len(text) > MAX_MESSAGE_CHARS and not text.startswith("/")


def set_server_limits(environ=os.environ) -> None:
    """Sanic reads SANIC_* variables into its config when Rasa creates the app."""
    environ.setdefault("SANIC_REQUEST_MAX_SIZE", str(MAX_BODY_BYTES))
    environ.setdefault("SANIC_WEBSOCKET_MAX_SIZE", str(MAX_BODY_BYTES))
    # Rasa's default accept backlog (100) overflows when many widget visitors connect at once.
    environ.setdefault("SANIC_BACKLOG", "1024")

"""Phone numbers and WeChat IDs visitors leave never reach a log in clear: installed by every
process of the assistant (the Rasa servers through rasa_patches, the action server, the web
app, the leads CLI and the supervisor)."""

from __future__ import annotations

import logging
import warnings

from leads.contact import mask_text


class MaskingFilter(logging.Filter):
    """Rewrites a log record's message with phone numbers and WeChat IDs masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def _mask_warnings() -> None:
    """Python warnings bypass logging (Rasa warns with the text of a payload it cannot parse)."""
    original = warnings.showwarning
    if getattr(original, "masks", False):
        return

    def showwarning(message, category, filename, lineno, file=None, line=None):
        original(mask_text(str(message)), category, filename, lineno, file, line)

    showwarning.masks = True
    warnings.showwarning = showwarning


def install(logger: logging.Logger | None = None) -> MaskingFilter:
    """Adds one MaskingFilter to `logger` (default: root) and to its handlers.

    A filter on a logger does not see records propagated from child loggers,
    hence the handlers. Call it after logging is configured (for the action
    server: when the actions package is imported). Calling it again is harmless.
    """
    _mask_warnings()
    logger = logger or logging.getLogger()
    shared = next((f for f in logger.filters if isinstance(f, MaskingFilter)), None) or MaskingFilter()
    for target in (logger, *logger.handlers):
        if not any(isinstance(f, MaskingFilter) for f in target.filters):
            target.addFilter(shared)
    return shared

"""Each patch is written against one Rasa release: on any other it steps aside, said once in
the log, or refuses to start where running unpatched would be wrong."""

from __future__ import annotations

import logging

import rasa

WRITTEN_FOR = "3.6.21"  # requirements.txt pins it
logger = logging.getLogger(__name__)
_said: set = set()


class UnsupportedRasa(RuntimeError): ...


def applies(patch: str, required: bool = False, installed: str | None = None) -> bool:
    installed = installed or rasa.__version__
    if installed == WRITTEN_FOR:
        return True
    if required:
        raise UnsupportedRasa(f"{patch} was written for Rasa {WRITTEN_FOR}, not {installed}: review it before starting")
    if patch not in _said:
        _said.add(patch)
        logger.warning("%s was written for Rasa %s, not %s: left out", patch, WRITTEN_FOR, installed)
    return False

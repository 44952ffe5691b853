"""The stack's endpoints file: endpoints.production.yml, plus the RabbitMQ event broker only when a
consumer reads its queue (without one, the durable queue only grows).
`python -m production.endpoints OUT` writes it; scripts/stack.sh gives it to every replica."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Mapping

from assistant import settings

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "endpoints.production.yml"
BROKER = Path(__file__).resolve().parent / "event_broker.endpoints.yml"


def broker_enabled(environ: Mapping[str, str] = os.environ) -> bool:
    """BROKER_ENABLED=1: publish every conversation event to RabbitMQ (default 0: no broker)."""
    return settings.BROKER_ENABLED.value(environ) == "1"


def render(environ: Mapping[str, str] = os.environ) -> str:
    text = BASE.read_text(encoding="utf-8")
    if broker_enabled(environ):
        text += "\n" + BROKER.read_text(encoding="utf-8")
    return text


if __name__ == "__main__":
    Path(sys.argv[1]).write_text(render(), encoding="utf-8")

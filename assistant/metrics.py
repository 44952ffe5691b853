"""The assistant's Prometheus metrics, one registry per process: each process serves its own at
/metrics (assistant/operator_endpoints.py). Code records through the record_* functions, so label
values stay few (a value that is not a short identifier becomes "other")."""

from __future__ import annotations

import re
from typing import Optional

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

TURNS = Counter("assistant_turns", "Visitor messages answered, by channel", ["channel"])
TURN_SECONDS = Histogram(
    "assistant_turn_seconds",
    "Time from a visitor's message to the assistant's reply, by channel",
    ["channel"],
    # Up to WeChat's 5 s deadline, with room around the usual 10-50 ms.
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4.5, 10, 30),
)
INTENTS = Counter("assistant_intents", "Intents of the visitor messages understood", ["intent"])
CLARIFICATIONS = Counter("assistant_clarifications", "Turns answered with a question back (action_clarify)")
DECLINES = Counter("assistant_declines", "Turns answered with a polite decline (action_decline)")
HANDOFFS = Counter("assistant_handoffs", "Visitors handed to customer service, by channel", ["channel"])
LEADS_STORED = Counter(
    "assistant_leads_stored", "Callback requests stored (database, or disk while it is away)", ["where"]
)
LEADS_FAILED = Counter("assistant_leads_failed", "Callback requests that could not be stored at all")
ACTION_ERRORS = Counter("assistant_action_errors", "Custom-action calls that failed, by action", ["action"])
RATE_LIMITED = Counter(
    "assistant_rate_limited_messages", "Visitor messages refused for arriving too fast, by channel", ["channel"]
)

_LABEL = re.compile(r"[a-z][a-z0-9_]{0,63}")


def _label(value: object) -> str:
    text = value if isinstance(value, str) else ""
    return text if _LABEL.fullmatch(text) else "other"


def record_turn(channel: str, seconds: float, intent: Optional[str] = None) -> None:
    """One visitor message answered (called where every channel's turn runs)."""
    channel = _label(channel)
    TURNS.labels(channel).inc()
    TURN_SECONDS.labels(channel).observe(max(0.0, seconds))
    if intent is not None:
        INTENTS.labels(_label(intent)).inc()


def record_rate_limited(channel: str) -> None:
    RATE_LIMITED.labels(_label(channel)).inc()


def record_clarification() -> None:
    CLARIFICATIONS.inc()


def record_decline() -> None:
    DECLINES.inc()


def record_handoff(channel: Optional[str]) -> None:
    HANDOFFS.labels(_label(channel)).inc()


def record_lead_stored(kept_on_disk: bool = False) -> None:
    LEADS_STORED.labels("disk" if kept_on_disk else "database").inc()


def record_lead_failed() -> None:
    LEADS_FAILED.inc()


def record_action_error(action: object) -> None:
    ACTION_ERRORS.labels(_label(action)).inc()


def exposition() -> tuple[bytes, str]:
    """This process's metrics in Prometheus's text format, with its content type."""
    return generate_latest(), CONTENT_TYPE_LATEST

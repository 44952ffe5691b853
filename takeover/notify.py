"""Tells the WeCom group robot (LEADS_WECOM_WEBHOOK, as for new leads) that a visitor asked for a
person while no agent was online in the console, with a link to 人工接待 (STAFF_BASE_URL).
Posted from a daemon thread with a timeout and one retry: the visitor's turn never waits."""

from __future__ import annotations

import logging
import threading
import time

import requests

from assistant import settings
from assistant.phrasebook import load_phrasebook, say
from leads.notify import plain

log = logging.getLogger(__name__)
TIMEOUT = 5.0
RETRY_DELAY = 2.0


def console_url() -> str:
    base = settings.STAFF_BASE_URL.value() or f"http://localhost:{settings.WEB_PORT.value()}"
    return base.rstrip("/") + "/staff/takeover"


def message(channel: str) -> dict:
    label = load_phrasebook().texts.get(f"channel_{channel}", channel)
    return {
        "msgtype": "markdown",
        "markdown": {"content": say("wecom_person_wanted", channel=plain(label), url=console_url())},
    }


def post(webhook_url: str, body: dict) -> bool:
    for attempt in (1, 2):
        try:
            answer = requests.post(webhook_url, json=body, timeout=TIMEOUT)
            if answer.status_code == 200 and answer.json().get("errcode") == 0:
                return True
            reason = f"HTTP {answer.status_code}"
        except (requests.RequestException, ValueError, AttributeError) as error:
            reason = type(error).__name__  # never the URL: its key is a secret
        log.warning("WeCom notice of a visitor wanting a person failed (attempt %d/2): %s", attempt, reason)
        if attempt == 1:
            time.sleep(RETRY_DELAY)
    return False


def nobody_online(channel: str) -> threading.Thread | None:
    """Posts in the background; None when no robot is configured."""
    url = settings.LEADS_WECOM_WEBHOOK.value()
    if not url:
        return None
    thread = threading.Thread(target=post, args=(url, message(channel)), name="takeover-wecom", daemon=True)
    thread.start()
    return thread

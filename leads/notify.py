"""Tells staff about a new lead through a WeCom group robot (企业微信群机器人).

The lead is already stored when `submit()` is called; delivery runs in a
daemon thread with timeouts and retries, so a slow or failing webhook never
delays the visitor's reply. A lead whose notification never got through
keeps notified_at empty and is resent by `python -m leads notify-pending`.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from typing import Sequence

import requests
from sqlalchemy.engine import Engine

from leads import store
from leads.contact import mask_contact, visible_text

log = logging.getLogger(__name__)

TIMEOUT = (3.0, 5.0)  # seconds: connect, read
RETRY_DELAYS = (2.0, 10.0, 30.0, 120.0, 600.0)  # then give up until notify-pending


def lead_page_url(lead: store.Lead, environ=os.environ) -> str:
    """The lead's page in the staff console (STAFF_BASE_URL, e.g. https://kefu.example.com)."""
    base = (environ.get("STAFF_BASE_URL") or f"http://localhost:{environ.get('WEB_PORT', '8080')}").rstrip("/")
    return f"{base}/staff/leads/{lead.id}"


# Every character WeCom's markdown gives a meaning to, as its full-width twin: text a visitor typed
# can then never become a link ([查看完整联系方式和对话](https://elsewhere)), an image, a heading,
# emphasis, code, a quote or a <font> tag in the staff's group.
_MARKDOWN_TWINS = {
    "[": "［",
    "]": "］",
    "(": "（",
    ")": "）",
    "<": "＜",
    ">": "＞",
    "*": "＊",
    "_": "＿",
    "`": "｀",
    "#": "＃",
    "~": "～",
    "|": "｜",
    "!": "！",
    "\\": "＼",
    ":": "：",  # no scheme, so no bare link either: https：//…
    "&": "＆",  # no HTML entity (&#91; is a "[")
}


def plain(value: object, keep: str = "") -> str:
    """A value for the robot's markdown as inert text: on one line, no invisible characters, each
    markdown character replaced by its full-width twin (those in `keep` excepted)."""
    text = " ".join(visible_text(str(value)).split())
    return text.translate(str.maketrans({k: v for k, v in _MARKDOWN_TWINS.items() if k not in keep}))


def message(lead: store.Lead) -> dict:
    """The robot's markdown message; contacts are masked because the group may be wide: the
    full ones are on the lead's page in the staff console, behind its login. Every value that
    comes from a visitor is made inert (`plain`): the only link is the one to the console."""
    lines = [
        f"**新的回访请求 #{int(lead.id)}**",
        f"> 称呼：{plain(lead.name or '-')}",
        f"> 联系方式：{plain(mask_contact(lead.phone, lead.wechat), keep='*')}",
        f"> 希望联系时间：{plain(lead.preferred_time or '-')}",
        f"> 渠道：{plain(lead.channel)}",
        f"> 需求：{plain(lead.need or '-')}",
        f"[查看完整联系方式和对话]({lead_page_url(lead)})",
    ]
    # Fields are capped by leads.contact, so this stays below WeCom's 4096-byte limit.
    return {"msgtype": "markdown", "markdown": {"content": "\n".join(lines)}}


class WecomNotifier:
    """Delivers lead notifications to one webhook URL from a background thread."""

    def __init__(
        self,
        webhook_url: str,
        *,
        engine: Engine | None = None,
        timeout: float | tuple[float, float] = TIMEOUT,
        retry_delays: Sequence[float] = RETRY_DELAYS,
    ):
        self.webhook_url = webhook_url
        self.engine = engine
        self.timeout = timeout
        self.retry_delays = tuple(retry_delays)
        self._queue: queue.Queue[store.Lead] = queue.Queue()
        self._worker: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._http = requests.Session()

    def submit(self, lead: store.Lead) -> None:
        """Queues the notification and returns at once."""
        with self._start_lock:
            if self._worker is None:
                self._worker = threading.Thread(target=self._run, name="leads-wecom", daemon=True)
                self._worker.start()
        self._queue.put(lead)

    def join(self, timeout: float) -> bool:
        """Waits until every queued lead was delivered or given up; False on timeout."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def _run(self) -> None:
        while True:
            lead = self._queue.get()
            try:
                self.deliver(lead)
            except Exception:  # the worker must survive anything, e.g. the database being down
                log.exception("WeCom notification for lead #%s crashed", lead.id)
            finally:
                self._queue.task_done()

    def deliver(self, lead: store.Lead) -> bool:
        """Posts with retries and backoff; on success records notified_at. Blocking."""
        attempts = len(self.retry_delays) + 1
        for attempt in range(1, attempts + 1):
            error = self._post(lead)
            if error is None:
                store.mark_notified(lead.id, engine=self.engine)
                log.info("WeCom notified of lead #%s (attempt %d)", lead.id, attempt)
                return True
            if attempt < attempts:
                delay = self.retry_delays[attempt - 1]
                log.warning(
                    "WeCom notification for lead #%s failed (attempt %d/%d): %s; retrying in %gs",
                    lead.id,
                    attempt,
                    attempts,
                    error,
                    delay,
                )
                time.sleep(delay)
            else:
                log.error(
                    "WeCom notification for lead #%s failed (attempt %d/%d): %s; giving up, "
                    "`python -m leads notify-pending` resends it",
                    lead.id,
                    attempt,
                    attempts,
                    error,
                )
        return False

    def _post(self, lead: store.Lead) -> str | None:
        """None on success, else a short reason (never the webhook key, which is a secret)."""
        try:
            response = self._http.post(self.webhook_url, json=message(lead), timeout=self.timeout)
        except requests.Timeout:
            return "timeout"
        except requests.RequestException as exc:
            return type(exc).__name__
        if response.status_code != 200:
            return f"HTTP {response.status_code}"
        try:
            errcode = response.json().get("errcode")
        except (ValueError, AttributeError):
            return "response is not a WeCom JSON object"
        return None if errcode == 0 else f"errcode {errcode}"


_default: WecomNotifier | None = None
_default_lock = threading.Lock()


def default_notifier() -> WecomNotifier | None:
    """The notifier for LEADS_WECOM_WEBHOOK, or None when it is not set."""
    global _default
    url = os.environ.get("LEADS_WECOM_WEBHOOK", "").strip()
    if not url:
        return None
    with _default_lock:
        if _default is None or _default.webhook_url != url:
            _default = WecomNotifier(url)
        return _default

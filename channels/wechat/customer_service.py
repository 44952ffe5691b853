"""WeChat's customer-service message API (客服消息), used when a passive reply cannot carry the answer.

wechatpy's client is synchronous and has no default timeouts: calls run in a small thread
pool with explicit timeouts, all threads share one access token fetched under a lock, and
wechatpy's own retry-on-expired-token (unbounded) is off in favour of one retry here.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Iterable, Optional

import requests
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from channels.wechat.settings import WeChatSettings

logger = logging.getLogger(__name__)

TOKEN_ERRORS = {40001, 40014, 42001}  # invalid / malformed / expired access token
CONTENT_TOO_LONG = 45002
OUT_OF_REPLY_WINDOW = 45015  # visitor silent for more than 48 hours
TOO_MANY_MESSAGES = 45047  # customer-service message quota for this visitor used up
API_UNAUTHORIZED = 48001  # account lacks the permission: stop using the API
ONLINE_CACHE_SECONDS = 30.0  # how long an online-agent check is trusted

SENT, SKIPPED, STOPPED = "sent", "skipped", "stopped"


class _RedactSecrets(logging.Filter):
    """urllib3 logs request lines at DEBUG, which carry the secret and the access token."""

    _pattern = re.compile(r"((?:secret|access_token)=)[^&\s\"']+")

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = self._pattern.sub(r"\1***", record.getMessage()), ()
        return True


logging.getLogger("urllib3.connectionpool").addFilter(_RedactSecrets())


class _TimeoutSession(requests.Session):
    def __init__(self, timeout: float):
        super().__init__()
        self.default_timeout = timeout

    def request(self, *args, **kwargs):
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.default_timeout
        return super().request(*args, **kwargs)


class _SharedTokenClient(WeChatClient):
    def __init__(self, settings: WeChatSettings):
        super().__init__(settings.app_id, settings.app_secret, timeout=settings.api_timeout_seconds, auto_retry=False)
        self.API_BASE_URL = settings.api_base_url
        self._http = _TimeoutSession(settings.api_timeout_seconds)
        self._token_lock = threading.Lock()

    @property
    def access_token(self) -> str:
        # One fetch at a time: concurrent senders wait and then reuse the fresh token.
        with self._token_lock:
            return WeChatClient.access_token.fget(self)

    def fetch_access_token(self) -> dict:
        return self._fetch_access_token(
            url=self.API_BASE_URL + "token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )

    def forget_token(self, stale: Optional[str]) -> None:
        """Drop the token WeChat rejected, unless another thread already replaced it."""
        with self._token_lock:
            if stale is not None and self.session.get(self.access_token_key) == stale:
                self.session.delete(self.access_token_key)


class CustomerServiceApi:
    def __init__(self, settings: WeChatSettings):
        self._client = _SharedTokenClient(settings)
        self._executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="wechat-api")
        self.enabled = True
        self._online_checked: Optional[tuple] = None

    async def send_texts(self, openid: str, texts: Iterable[str]) -> int:
        """Sends the texts in order; returns how many WeChat accepted."""
        texts = list(texts)
        if not self.enabled or not texts:
            return 0
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._send_all, openid, texts)

    async def agents_online(self) -> bool:
        """Whether a human agent is online to take a transfer (cached briefly; False on any error)."""
        now = time.monotonic()
        if self._online_checked and now - self._online_checked[0] < ONLINE_CACHE_SECONDS:
            return self._online_checked[1]
        loop = asyncio.get_running_loop()
        online = await loop.run_in_executor(self._executor, self._agents_online)
        self._online_checked = (now, online)
        return online

    def _agents_online(self) -> bool:
        try:
            accounts = self._client.customservice.get_online_accounts()
        except WeChatClientException as error:
            logger.warning("WeChat online-agent list refused (%s): no transfer", error.errcode)
            return False
        except (requests.RequestException, ValueError, KeyError, TypeError) as error:
            logger.warning("WeChat online-agent list unreachable (%s): no transfer", type(error).__name__)
            return False
        return any(isinstance(a, dict) and a.get("status", 1) for a in accounts or [])

    def _send_all(self, openid: str, texts: list) -> int:
        sent = 0
        for text in texts:
            outcome = self._send_one(openid, text)
            if outcome == SENT:
                sent += 1
            elif outcome == STOPPED:
                break
        return sent

    def _send_one(self, openid: str, text: str) -> str:
        for attempt in (1, 2):
            token = None
            try:
                token = self._client.access_token
                self._client.message.send_text(openid, text)
                return SENT
            except WeChatClientException as error:
                code = error.errcode
                if code in TOKEN_ERRORS and attempt == 1:
                    self._client.forget_token(token)
                    continue
                return self._after_error(code)
            except (requests.RequestException, ValueError, KeyError) as error:
                # Never log str(error): a requests error carries the URL with the token.
                logger.warning("WeChat customer-service API unreachable (%s)", type(error).__name__)
                return STOPPED
        return STOPPED

    def _after_error(self, code: Optional[int]) -> str:
        if code == CONTENT_TOO_LONG:
            logger.warning("WeChat refused a message as too long (45002); skipping it")
            return SKIPPED
        if code == API_UNAUTHORIZED:
            self.enabled = False
            logger.error(
                "WeChat customer-service API not authorized for this account (48001): "
                "answers now wait for WeChat's retries instead"
            )
            return STOPPED
        logger.warning("WeChat customer-service API error %s; not sending more to this visitor now", code)
        return STOPPED

"""The hop between the WeChat front (its own process, channels/wechat/front.py) and the Rasa
server's channel (channels/wechat/channel.py): one visitor message in, the turn's bot messages out.

The Rasa server runs NLU and policies in its one event loop; under load that loop answers
seconds late, and WeChat gives up after 5 s. So WeChat's requests are answered by the front,
whose loop never waits on the assistant, and each turn travels here, over loopback. The route
is Rasa's (under /webhooks/wechat/) but nginx never forwards it, and it needs a key derived
from WECHAT_TOKEN, which both processes have: no REST client can inject a follower's message."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from typing import List, Optional

import aiohttp

logger = logging.getLogger(__name__)

TURN_PATH = "/webhooks/wechat/turn"
KEY_HEADER = "X-WeChat-Relay-Key"
# A turn that takes longer is answered with the apology (it still runs to its end in Rasa).
TURN_TIMEOUT_SECONDS = 60.0


class TurnFailed(Exception):
    """The Rasa server did not answer the turn (down, restarting, an error, too slow)."""


def relay_key(token: str) -> str:
    return hmac.new(token.encode(), b"chuangyiling wechat relay v1", hashlib.sha256).hexdigest()


def authorised(token: str, presented: Optional[str]) -> bool:
    return bool(presented) and hmac.compare_digest(relay_key(token), presented)


class RasaRelay:
    """The front's client of the Rasa server's turn route (one kept-alive session)."""

    def __init__(self, rasa_url: str, token: str, timeout: float = TURN_TIMEOUT_SECONDS):
        self.url = rasa_url.rstrip("/") + TURN_PATH
        self.headers = {KEY_HEADER: relay_key(token)}
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: Optional[aiohttp.ClientSession] = None

    async def ask(self, openid: str, text: str) -> List[dict]:
        """The bot messages of one turn, as Rasa's CollectingOutputChannel collected them."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        try:
            async with self._session.post(
                self.url, json={"openid": openid, "text": text}, headers=self.headers
            ) as resp:
                if resp.status != 200:
                    raise TurnFailed(f"the Rasa server answered {resp.status}")
                body = await resp.json()
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            raise TurnFailed(type(error).__name__) from None
        messages = body.get("messages") if isinstance(body, dict) else None
        if not isinstance(messages, list):
            raise TurnFailed("the Rasa server's answer has no messages")
        return messages

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

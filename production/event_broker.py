"""Rasa's RabbitMQ (Pika) event broker, with back-pressure instead of an unbounded backlog.

Why: under steady load the Rasa replicas grew by about 125 MB a minute (measured: a 10-minute
soak against the stack, 2 replicas; flat without the broker). Rasa publishes every event in a
task of its own and never waits for it; aio-pika lets one publish at a time through the
channel, and a busy replica creates events faster than its event loop gets them through, so
the waiting tasks, each holding its event, pile up without limit (13,000 pending after 1,500
turns; they drain only when the load stops).
Here the events waiting for RabbitMQ are bounded: while more than MAX_PENDING are
unconfirmed, a turn waits for its own events' confirms (at most PUBLISH_WAIT_SECONDS, then
they go on in the background as in Rasa) before it answers. A quiet replica never waits; a
saturated one slows down to what it can publish, and its memory stays flat. Frames are
queued for the connection's writer without holding the channel's lock across the write
(`wait=False`).
A failed publish is kept and re-sent on reconnection, as Rasa does.
RabbitMQ unreachable at start-up: Rasa retries for 100 s, then the replica dies ("Cannot
connect to event broker") and the stack serves 503s. Here the replica starts after one short
try, keeps the events (at most MAX_KEPT), and connects in the background; once RabbitMQ
answers, the kept events go out in order.
Configured in endpoints.production.yml as `type: production.event_broker.PromptPikaEventBroker`;
conversation_store/tracker_store.py calls `publish_all`.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import Any, Dict, List, Optional

from rasa.core.brokers.pika import PikaEventBroker

logger = logging.getLogger(__name__)
PUBLISH_WAIT_SECONDS = 2.0
MAX_PENDING = 500  # unconfirmed events (a few MB) before turns wait for theirs
STARTUP_TRY_SECONDS = 5.0
MAX_KEPT = 200_000  # events kept while RabbitMQ is away (oldest dropped beyond, with an error)


class PromptPikaEventBroker(PikaEventBroker):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._unpublished_events = deque(maxlen=MAX_KEPT)
        self._background_connect: Optional[asyncio.Task] = None

    @classmethod
    async def from_endpoint_config(cls, broker_config, event_loop=None):
        if broker_config is None:
            return None
        broker = cls(broker_config.url, **broker_config.kwargs, event_loop=event_loop)
        attempts, broker._connection_attempts = broker._connection_attempts, 1
        try:
            await asyncio.wait_for(broker.connect(), STARTUP_TRY_SECONDS)
        except Exception as error:  # noqa: BLE001 - whatever RabbitMQ does, the replica serves
            logger.error(
                "RabbitMQ is unreachable at start-up (%r): serving anyway, keeping events "
                "and connecting in the background",
                error,
            )
            broker._background_connect = broker._loop.create_task(broker._connect_until_up())
        finally:
            broker._connection_attempts = attempts
        return broker

    async def _connect_until_up(self) -> None:
        while True:
            try:
                await self.connect()
                logger.info("RabbitMQ is back: sending %d kept events", len(self._unpublished_events))
                self._publish_unpublished_messages()
                return
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001
                logger.warning("RabbitMQ still unreachable: %r", error)
                await asyncio.sleep(self._retry_delay_in_seconds)

    async def close(self) -> None:
        if self._background_connect is not None:
            self._background_connect.cancel()
        await super().close()

    async def publish_all(self, events: List[Dict[str, Any]], wait: float = PUBLISH_WAIT_SECONDS) -> None:
        """Publishes `events`; if the backlog is over MAX_PENDING, returns only when RabbitMQ
        confirmed them (or after `wait` seconds)."""
        tasks = [self._loop.create_task(self._publish(event)) for event in events]
        for task in tasks:  # as Rasa: referenced until done, so none is garbage-collected
            self._background_tasks.add(task)
            task.add_done_callback(self._background_tasks.discard)
        if tasks and len(self._background_tasks) > MAX_PENDING:
            await asyncio.wait(tasks, timeout=wait)

    async def _publish(self, event: Dict[str, Any], headers: Optional[Dict[str, str]] = None) -> None:
        if self._exchange is None:  # not connected yet: kept for _connect_until_up
            if self.should_keep_unpublished_messages:
                if len(self._unpublished_events) == MAX_KEPT:
                    logger.error("RabbitMQ away too long: dropping the oldest kept event")
                self._unpublished_events.append(event)
            return
        message = self._message(event, headers)
        try:
            await self._exchange.channel.basic_publish(
                message.body, exchange=self._exchange.name, routing_key="", properties=message.properties, wait=False
            )
        except Exception as error:  # noqa: BLE001 - as Rasa: keep the event, re-send on reconnection
            logger.error("publishing event %s to RabbitMQ failed: %r", event.get("event"), error)
            if self.should_keep_unpublished_messages:
                self._unpublished_events.append(event)
            if self.raise_on_failure:
                raise

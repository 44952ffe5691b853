"""The Rasa server's operator endpoints, mounted as an input channel (Rasa's extension point for
routes; credentials.yml lists it): GET /metrics (Prometheus) and GET /ready, which answers 200 only
when the model, the tracker store, the lock store and the action server all answer, else 503
naming the ones that did not. Both only for the operator (assistant/operator_endpoints.py).
Every channel's turns are counted and timed where they happen, in channels/turn.py."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, Dict, Optional

import aiohttp
import sqlalchemy as sa
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response

from assistant.operator_endpoints import add_metrics_route, operator_only
from conversation_store.errors import primary_store

logger = logging.getLogger(__name__)
CHECK_SECONDS = 3.0  # each dependency's answer; a probe must not hang on a black-holed host


_inner = primary_store  # Rasa wraps the configured tracker store in a FailSafeTrackerStore


def _ping_sql(engine: sa.engine.Engine) -> None:
    with engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))


async def _tracker_store(agent) -> None:
    store = _inner(agent.tracker_store)
    if getattr(store, "engine", None) is not None:
        await asyncio.to_thread(_ping_sql, store.engine)
    elif getattr(store, "red", None) is not None:
        await asyncio.to_thread(store.red.ping)
    # The in-memory store has nothing that could be away.


async def _lock_store(agent) -> None:
    if getattr(agent.lock_store, "red", None) is not None:
        await asyncio.to_thread(agent.lock_store.red.ping)


async def _action_server(agent) -> None:
    endpoint = agent.action_endpoint
    if endpoint is None or not endpoint.url:
        raise RuntimeError("no action endpoint configured")
    health = endpoint.url.rsplit("/", 1)[0] + "/health"
    timeout = aiohttp.ClientTimeout(total=CHECK_SECONDS)
    async with aiohttp.ClientSession(timeout=timeout) as session, session.get(health) as answer:
        if answer.status != 200:
            raise RuntimeError(f"{health} answered {answer.status}")


async def _model(agent) -> None:
    if not agent.is_ready():
        raise RuntimeError("no model loaded")


CHECKS: Dict[str, Callable[[Any], Awaitable[None]]] = {
    "model": _model,
    "tracker_store": _tracker_store,
    "lock_store": _lock_store,
    "action_server": _action_server,
}


async def readiness(agent) -> Dict[str, Optional[str]]:
    """Each dependency: None when it answered, else what went wrong (one line)."""

    async def check(run) -> Optional[str]:
        try:
            await asyncio.wait_for(run(agent), CHECK_SECONDS)
        except asyncio.TimeoutError:
            return f"no answer within {CHECK_SECONDS:g} s"
        except Exception as error:  # noqa: BLE001 - whatever failed, the probe reports it
            return f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}".rstrip(": ")
        return None

    results = await asyncio.gather(*(check(run) for run in CHECKS.values()))
    return dict(zip(CHECKS, results))


class OperationsInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "operations"

    def url_prefix(self) -> str:
        return "/"  # /metrics and /ready, where probes and scrapers look for them

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = Blueprint("operations", url_prefix="/")
        add_metrics_route(blueprint)

        @blueprint.get("/ready", name="operator_ready")
        async def ready(request):
            if (refusal := operator_only(request)) is not None:
                return refusal
            agent = getattr(request.app.ctx, "agent", None)
            results = await readiness(agent) if agent is not None else dict.fromkeys(CHECKS, "starting")
            failed = [name for name, problem in results.items() if problem]
            if failed:
                logger.warning("not ready: %s", "; ".join(f"{n}: {results[n]}" for n in failed))
            checks = {name: problem or "ok" for name, problem in results.items()}
            return response.json(
                {"ready": not failed, "failed": failed, "checks": checks}, status=503 if failed else 200
            )

        return blueprint

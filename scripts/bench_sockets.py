"""How many widget visitors the stack holds at once: N socket.io WebSockets through nginx,
each connected (socket.io "40"), kept alive (answering engine.io pings), while REST visitors
and some of the sockets chat. Prints figures; `make bench-sockets` (N=10000 by default).

Visitors come from several loopback addresses (127.0.0.1 to 127.0.0.ADDRESSES), as real ones
come from many, and a socket that fails to open tries again after 1 to 5 s, as the widget's
socket.io client does (reconnectionDelay 1 s, reconnectionDelayMax 5 s)."""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from harness.stack_process import Stack, require_services  # noqa: E402

ORIGIN = "https://www.chuangyiling.example"  # Stack's CORS_ORIGINS
QUESTION = "淘宝运营和推广专员有什么区别"


async def hold(session, url, opened, tries, deadline):
    """One visitor: opens a socket, retrying as socket.io does, until it is held or time is up."""
    delay = 1.0
    while time.monotonic() < deadline:
        tries.append(1)
        if await hold_once(session, url, opened):
            return
        await asyncio.sleep(delay * random.uniform(0.5, 1.5))
        delay = min(delay * 2, 5.0)


async def hold_once(session, url, opened) -> bool:
    """One socket: open, connect, then answer engine.io pings until cancelled. True once held."""
    try:
        async with session.ws_connect(url, headers={"Origin": ORIGIN}, heartbeat=None, timeout=60) as ws:
            await ws.receive(timeout=60)  # engine.io open
            await ws.send_str("40")
            connected = await ws.receive(timeout=60)
            if not str(connected.data).startswith("40"):
                return False
            opened.add(id(ws))
            try:
                async for message in ws:  # no polling: a held socket costs nothing idle
                    if message.data == "2":
                        await ws.send_str("3")
            finally:
                opened.discard(id(ws))
            return True
    except (aiohttp.ClientError, asyncio.TimeoutError, OSError):
        return False


async def chat(session, url, seconds):
    """A visitor who asks one question over a new socket while the others are held."""
    try:
        async with session.ws_connect(url, headers={"Origin": ORIGIN}, heartbeat=None, timeout=60) as ws:
            await ws.receive(timeout=60)
            await ws.send_str("40")
            await ws.receive(timeout=60)
            await ws.send_str('42["session_request",{}]')
            started = time.monotonic()
            while True:
                data = (await ws.receive(timeout=60)).data
                if not isinstance(data, str):
                    return
                if data == "2":
                    await ws.send_str("3")
                elif data.startswith('42["session_confirm"'):
                    session_id = json.loads(data[2:])[1]["session_id"]  # issued by the server
                    await ws.send_str(
                        "42"
                        + json.dumps(
                            ["user_uttered", {"message": QUESTION, "session_id": session_id}], ensure_ascii=False
                        )
                    )
                elif data.startswith('42["bot_uttered"'):
                    seconds.append(time.monotonic() - started)
                    return
    except (aiohttp.ClientError, asyncio.TimeoutError, OSError):
        return


async def rest_turns(base, count):
    times = []
    async with aiohttp.ClientSession() as session:
        for i in range(count):
            started = time.monotonic()
            async with session.post(
                f"{base}/webhooks/rest/webhook", json={"sender": f"bench-rest-{i}", "message": QUESTION}
            ) as response:
                await response.read()
                if response.status == 200:
                    times.append(time.monotonic() - started)
    return times


async def run(stack: Stack, sockets: int, chatting: int, hold_seconds: float, addresses: int) -> dict:
    url = stack.url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
    opened: set = set()
    tries: list = []
    chat_seconds: list = []
    sessions = [
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0, local_addr=(f"127.0.0.{k}", 0)))
        for k in range(1, addresses + 1)
    ]
    session = sessions[0]
    try:
        started = time.monotonic()
        deadline = started + 300
        tasks = []
        for i in range(sockets):
            tasks.append(asyncio.create_task(hold(sessions[i % addresses], url, opened, tries, deadline)))
            if i % 100 == 99:
                await asyncio.sleep(0.02)  # a ramp, as visitors arrive, not one SYN flood
        while len(opened) < sockets and time.monotonic() < deadline and not all(t.done() for t in tasks):
            await asyncio.sleep(0.5)
        ramp = time.monotonic() - started
        peak = len(opened)
        rest = await rest_turns(stack.url, 20)
        await asyncio.gather(*(chat(session, url, chat_seconds) for _ in range(chatting)))
        await asyncio.sleep(hold_seconds)  # engine.io pings every 25 s: sockets must stay up
        still_open = len(opened)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        for each in sessions:
            await each.close()
    return {
        "sockets asked": sockets,
        "client addresses": addresses,
        "connected": peak,
        "attempts (with retries)": len(tries),
        "still open after hold": still_open,
        "ramp s": round(ramp, 1),
        "REST p50 ms while held": round(statistics.median(rest) * 1000) if rest else None,
        "REST answered": f"{len(rest)}/20",
        "chat replies": f"{len(chat_seconds)}/{chatting}",
        "chat p50 ms": round(statistics.median(chat_seconds) * 1000) if chat_seconds else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=10_000)
    parser.add_argument("--chatting", type=int, default=100)
    parser.add_argument("--hold", type=float, default=40.0)
    parser.add_argument("--addresses", type=int, default=8, help="loopback client addresses")
    args = parser.parse_args()
    require_services()
    stack = Stack(
        rasa_replicas=2,
        action_replicas=2,
        env={"STACK_RATE_PER_SECOND": "100000", "STACK_RATE_BURST": "100000", "VISITOR_RATE_PER_SECOND": "0"},
    )
    stack.up()
    try:
        figures = asyncio.run(run(stack, args.sockets, args.chatting, args.hold, args.addresses))
    finally:
        stack.down()
    for name, value in figures.items():
        print(f"{name:>26}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

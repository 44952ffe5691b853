"""WeChat's 5 seconds under load: how long WeChat waits for the acknowledgement (or the passive
reply) of each message while --visitors REST visitors keep the assistant busy back to back.

    .venv/bin/python scripts/bench_wechat.py [--visitors 400] [--messages 30] [--warm-up 15] [--no-api]

It starts the trained assistant as `make run` does with WeChat on (Rasa server, action server,
WeChat front), a stub of WeChat's customer-service API on loopback (the answers that miss the
passive reply go there), saturates the Rasa server with the REST visitors, then sends one WeChat
message a second, signed as WeChat signs them, and prints the slowest acknowledgement (target:
under 4.5 s, WeChat gives up at 5 s) and when the answers arrived through the API. With
--no-api the front closes a late request unanswered so that WeChat retries; that close is timed.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import aiohttp
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.bot_process import BotProcess  # noqa: E402
from scripts.bench import SCRIPT, rss_mb  # noqa: E402
from tests.channels.wechat.harness import (  # noqa: E402
    APP_ID,
    APP_SECRET,
    TOKEN,
    FakeWeChat,
    StubCustomerServiceApi,
    text_xml,
)

BUDGET = 4.5
WECHAT_QUESTIONS = ["淘宝运营和推广专员有什么区别", "小程序开发运营多少钱", "什么是无形价值", "你好"]


def credentials_with(api_base_url: str, directory: Path) -> Path:
    """credentials.yml with the customer-service API pointed at the stub."""
    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8"))
    credentials["channels.wechat.WeChatInput"] = {
        **(credentials.get("channels.wechat.WeChatInput") or {}),
        "api_base_url": api_base_url,
    }
    path = directory / "credentials.yml"
    path.write_text(yaml.safe_dump(credentials, allow_unicode=True), encoding="utf-8")
    return path


async def rest_visitors(url: str, count: int, stop: threading.Event, done: list) -> None:
    """`count` visitors, each sending its next message the moment the reply arrives."""
    timeout = aiohttp.ClientTimeout(total=300)
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:

        async def visitor(n: int) -> None:
            sender = f"bench-wechat-{n}-{uuid.uuid4().hex[:6]}"
            while not stop.is_set():
                started = time.monotonic()
                try:
                    async with session.post(url, json={"sender": sender, "message": random.choice(SCRIPT)}) as resp:
                        await resp.read()
                        done.append((time.monotonic(), time.monotonic() - started, resp.status))
                except (aiohttp.ClientError, asyncio.TimeoutError):
                    done.append((time.monotonic(), time.monotonic() - started, 0))

        await asyncio.gather(*(visitor(n) for n in range(count)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--visitors", type=int, default=400)
    parser.add_argument("--messages", type=int, default=30, help="WeChat messages, one a second")
    parser.add_argument("--warm-up", type=float, default=15.0, help="seconds of REST load before the first")
    parser.add_argument("--no-api", action="store_true", help="no App Secret: late answers wait for retries")
    args = parser.parse_args()

    env = {"WECHAT_TOKEN": TOKEN, "VISITOR_RATE_PER_SECOND": "0", "WECHAT_APP_ID": APP_ID}
    env["WECHAT_APP_SECRET"] = "" if args.no_api else APP_SECRET
    with (
        tempfile.TemporaryDirectory() as tmp,
        StubCustomerServiceApi() as stub,
    ):
        credentials = credentials_with(stub.base_url, Path(tmp))
        print(f"starting the assistant with WeChat on ({'no API' if args.no_api else 'customer-service API stub'})")
        with BotProcess(env=env, credentials=credentials) as bot:
            wechat_url = getattr(bot, "wechat_url", None) or f"{bot.url}/webhooks/wechat/webhook"
            wechat = FakeWeChat(wechat_url, timeout=30)
            stop, done = threading.Event(), []
            load = threading.Thread(
                target=lambda: asyncio.run(
                    rest_visitors(f"{bot.url}/webhooks/rest/webhook", args.visitors, stop, done)
                ),
                daemon=True,
            )
            load.start()
            print(f"{args.visitors} REST visitors back to back; warming up {args.warm_up:.0f} s")
            time.sleep(args.warm_up)
            measured_from = time.monotonic()
            sent_at, replies = {}, []

            def one(n: int):
                openid = f"obench{n:04d}{uuid.uuid4().hex[:8]}"
                sent_at[openid] = time.monotonic()
                return openid, wechat.post(text_xml(openid, random.choice(WECHAT_QUESTIONS)))

            with ThreadPoolExecutor(max_workers=args.messages) as pool:
                futures = []
                for n in range(args.messages):
                    futures.append(pool.submit(one, n))
                    time.sleep(1.0)
                replies = [f.result() for f in futures]
            load_window = time.monotonic() - measured_from
            # Answers that went through the API arrive after the turn ends: wait for them.
            expected = sum(1 for _, r in replies if r.kind == "success")
            stub.wait_for(expected, timeout=120)
            front_mb = rss_mb(bot.procs[-1].pid) if getattr(bot, "wechat_url", None) else None
            stop.set()
            load.join(330)

    rest = [(at, seconds, status) for at, seconds, status in done if at >= measured_from]
    rest_ok = [seconds for _, seconds, status in rest if status == 200]
    seconds = sorted(r.seconds for _, r in replies)
    kinds = {}
    for _, r in replies:
        kinds[r.kind] = kinds.get(r.kind, 0) + 1
    print()
    print(
        f"REST while measured ({load_window:.0f} s): {len(rest)} turns, {len(rest) / load_window:.1f}/s, "
        f"p50 {statistics.median(rest_ok) if rest_ok else 0:.2f} s, "
        f"max {max(rest_ok) if rest_ok else 0:.2f} s, errors {len(rest) - len(rest_ok)}"
    )
    print(f"WeChat messages: {len(replies)}, answered as {kinds}")
    print(
        f"WeChat acknowledgement: p50 {statistics.median(seconds):.3f} s, "
        f"p95 {seconds[int(0.95 * (len(seconds) - 1))]:.3f} s"
    )
    print(
        f"slowest WeChat acknowledgement at {args.visitors} concurrent REST visitors: {seconds[-1]:.3f} s "
        f"({'under' if seconds[-1] < BUDGET else 'OVER'} the {BUDGET} s target)"
    )
    if not args.no_api:
        got = len({m["touser"] for m in stub.sent})
        print(f"followers answered through the customer-service API afterwards: {got} ({expected} acknowledged)")
    if front_mb:
        print(f"WeChat front's memory (RSS): {front_mb:.0f} MB")
    return 0 if seconds[-1] < BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())

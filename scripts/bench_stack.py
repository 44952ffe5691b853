"""Embedded one-process setup vs the production stack (1 and 2 Rasa replicas) under
1, 8, 32 and 64 concurrent conversations over REST; prints a table (docs/production.md).

Each setup is measured twice: back to back (every visitor sends the next message the
moment the reply arrives: the saturation case) and at a person's pace (each visitor
pauses --think seconds on average between messages, for --paced-turns turns).

    .venv/bin/python scripts/bench_stack.py [--turns 128] [--concurrency 1 8 32 64] [--think 2] [--long 500]
    .venv/bin/python scripts/bench_stack.py --soak 600 [--concurrency 4]
The second form keeps conversations going against the stack (2 replicas) for --soak seconds
and prints each part's memory, to show whether it grows.
"""

from __future__ import annotations

import argparse
import functools
import sys
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.bot_process import BotProcess, post_json  # noqa: E402
from harness.stack_process import Stack, require_services  # noqa: E402
from scripts.bench import SCRIPT, long_conversation, measure, print_long_rows, rss_mb, soak  # noqa: E402


def say(url: str, sender: str, text: str) -> list:
    return post_json(f"{url}/webhooks/rest/webhook", {"sender": sender, "message": text}, timeout=60)


def warmed_up(url: str) -> Callable[[str, str], list]:
    """`say(sender, text)` on the REST channel at `url`, after one warm-up conversation."""
    send = functools.partial(say, url)
    for text in SCRIPT:
        send("warm-up", text)
    return send


def run(url: str, args) -> list[dict]:
    send = warmed_up(url)
    # At least one whole conversation (SCRIPT) per visitor, so every row has the same mix of turns.
    rows = [{**measure(send, c, max(args.turns, len(SCRIPT) * c)), "pace": "back to back"} for c in args.concurrency]
    if args.think:
        rows += [
            {**measure(send, c, args.paced_turns * c, think=args.think), "pace": f"~{args.think:g} s pauses"}
            for c in args.concurrency
            if c > 1
        ]
    return rows


def stack_soak(seconds: float, concurrency: int) -> None:
    stack = Stack(env={"STACK_RATE_PER_SECOND": "100000", "STACK_RATE_BURST": "100000", "VISITOR_RATE_PER_SECOND": "0"})
    stack.up()
    try:
        parts = ["rasa-1", "rasa-2", "actions-1", "actions-2"]
        soak(warmed_up(stack.url), {p: stack.pid(p) for p in parts}, seconds, concurrency, every=10)
    finally:
        stack.down()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=128)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32, 64])
    parser.add_argument("--think", type=float, default=2.0, help="mean pause between a visitor's messages; 0: none")
    parser.add_argument("--paced-turns", type=int, default=len(SCRIPT), help="turns per visitor at that pace")
    parser.add_argument("--soak", type=float, metavar="SECONDS", help="memory soak of the stack instead")
    parser.add_argument(
        "--long", type=int, default=500, metavar="TURNS", help="turns of one long conversation; 0: skip"
    )
    args = parser.parse_args()
    require_services()
    if args.soak:
        stack_soak(args.soak, args.concurrency[0] if len(args.concurrency) == 1 else 4)
        return
    results, longs = {}, {}
    # Back-to-back senders would be slowed by the per-visitor limit (channels/visitor_rate.py).
    with BotProcess(env={"VISITOR_RATE_PER_SECOND": "0"}) as bot:
        results["embedded"] = (run(bot.url, args), rss_mb(bot.procs[1].pid) + rss_mb(bot.procs[0].pid))
    for replicas in (1, 2):
        # Per-client rate limiting off for the benchmark: every simulated visitor is 127.0.0.1.
        stack = Stack(
            rasa_replicas=replicas,
            action_replicas=replicas,
            env={"STACK_RATE_PER_SECOND": "100000", "STACK_RATE_BURST": "100000", "VISITOR_RATE_PER_SECOND": "0"},
        )
        stack.up()
        try:
            rows = run(stack.url, args)
            if args.long and replicas == 2:
                longs[f"stack, {replicas} replicas"] = long_conversation(functools.partial(say, stack.url), args.long)
            parts = [f"rasa-{i}" for i in range(1, replicas + 1)] + [f"actions-{i}" for i in range(1, replicas + 1)]
            results[f"stack, {replicas} replica{'s' if replicas > 1 else ''}"] = (
                rows,
                sum(rss_mb(stack.pid(p)) for p in parts),
            )
        finally:
            stack.down()
    print("\n| setup | visitors' pace | conversations | turns | p50 ms | p95 ms | p99 ms | turns/s | errors |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, (rows, _) in results.items():
        for r in rows:
            print(
                f"| {name} | {r['pace']} | {r['concurrency']} | {r['turns']} | {r['p50']:.0f} | {r['p95']:.0f} "
                f"| {r['p99']:.0f} | {r['throughput']:.1f} | {r['errors']} |"
            )
    print()
    for name, (_, mb) in results.items():
        print(f"memory after load, {name}: {mb:.0f} MB (Rasa + action servers)")
    for name, long in longs.items():
        print_long_rows(name, long, None, None)


if __name__ == "__main__":
    main()

"""REST benchmark of the assistant: start-up time, turn latency (sequential and
concurrent conversations), memory, and the last training time. Prints a table.

    .venv/bin/python scripts/bench.py [--turns 120] [--concurrency 1 8] [--long 500] [--flood 60]
    .venv/bin/python scripts/bench.py --soak 600 [--concurrency 4] [--sample-every 10]
Besides the short conversations, it measures one conversation of --long turns (is turn 500
as fast as turn 5?), the CPU each turn costs both servers, and what a sender flooding one
conversation for --flood seconds does to another visitor's turns.
The second form keeps that many conversations going for --soak seconds and samples both
servers' memory, to show whether it grows.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.bot_process import BotProcess  # noqa: E402

# A realistic conversation: comparisons, follow-ups, facts, chat, out of scope.
SCRIPT = [
    "你好",
    "淘宝运营和推广专员有什么区别",
    "那能力要求呢",
    "运营与市场部门的工作区别是什么",
    "什么是无形价值",
    "網絡推廣和運營有什麼區別",
    "哪个更好就业",
    "电商运营和新媒体推广有什么区别",
    "内容上呢",
    "小程序开发运营多少钱",
    "今天天气怎么样",
    "谢谢",
]


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB."""
    total = 0
    pids = [pid] + [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for p in pids:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_ms_per_turn(say, pids: list[int], turns: int, blocks: int = 5) -> float:
    """CPU both servers spend on one ordinary turn (short conversations, sequential): the
    median of `blocks` runs of `turns` turns, as this virtual machine's CPU time is noisy."""
    per_block = []
    for _ in range(blocks):
        before = sum(cpu_seconds(pid) for pid in pids)
        measure(say, 1, turns)
        per_block.append((sum(cpu_seconds(pid) for pid in pids) - before) * 1000 / turns)
    return statistics.median(per_block)


LONG_WINDOWS = ((1, 10), (241, 250), (491, 500))


def long_conversation(say, turns: int) -> dict:
    """One visitor who never stops: p50 ms of the turns in each of LONG_WINDOWS (1-based)."""
    sender = f"bench-long-{uuid.uuid4().hex[:8]}"
    latencies = []
    for i in range(turns):
        start = time.perf_counter()
        say(sender, SCRIPT[i % len(SCRIPT)])
        latencies.append((time.perf_counter() - start) * 1000)
    return {f"{a}-{b}": statistics.median(latencies[a - 1 : b]) for a, b in LONG_WINDOWS if b <= turns}


def flood_effect(say, seconds: float, turns: int) -> dict:
    """Another visitor's sequential p50, alone and while one sender floods its own
    conversation back to back (as fast as the server answers) for `seconds`."""
    alone = measure(say, 1, turns)["p50"]
    stop = threading.Event()
    sent: list[int] = []

    def flood() -> None:
        while not stop.is_set():
            try:
                say("bench-flood", SCRIPT[len(sent) % len(SCRIPT)])
            except Exception:  # noqa: BLE001 - a refused or failed message still counts as sent
                pass
            sent.append(1)

    flooder = threading.Thread(target=flood)
    flooder.start()
    try:
        during = measure(say, 1, 10**6, stop_after=seconds)
    finally:
        stop.set()
        flooder.join()
    return {
        "alone": alone,
        "during": during["p50"],
        "turns": during["turns"],
        "flood messages": len(sent),
        "seconds": seconds,
    }


def print_long_rows(name: str, long: dict, flood: dict | None, cpu: float | None) -> None:
    first = long.get("1-10")
    cells = " | ".join(f"{v:.0f}" for v in long.values())
    ratio = f"{long[list(long)[-1]] / first:.2f}" if first else "-"
    print(f"\n| {name}: one conversation | " + " | ".join(f"turns {k}" for k in long) + " | last / first |")
    print("|---|" + "---|" * (len(long) + 1))
    print(f"| p50 ms | {cells} | {ratio} |")
    if cpu is not None:
        print(f"\nCPU per ordinary turn ({name}, Rasa + action servers): {cpu:.1f} ms")
    if flood:
        print(
            f"\nflood ({name}): another visitor's p50 {flood['alone']:.0f} ms alone, {flood['during']:.0f} ms "
            f"while one sender sent {flood['flood messages']} messages in {flood['seconds']:.0f} s "
            f"(x{flood['during'] / flood['alone']:.2f}, {flood['turns']} turns measured)"
        )


def many_conversations(bot, count: int) -> None:
    """Does the Rasa server's memory stay flat as conversations accumulate (they are kept in
    the tracker store's SQLite file, not in memory)?"""
    turns = ["淘宝运营和推广专员有什么区别", "那能力要求呢", "谢谢"]
    print("\n| conversations | Rasa server MB | action server MB |\n|---|---|---|")
    print(f"| 0 | {rss_mb(bot.procs[1].pid):.0f} | {rss_mb(bot.procs[0].pid):.0f} |")
    for i in range(1, count + 1):
        sender = f"bench-many-{uuid.uuid4().hex[:10]}"
        for text in turns:
            bot.say(sender, text)
        if i % 1000 == 0 or i == count:
            print(f"| {i} | {rss_mb(bot.procs[1].pid):.0f} | {rss_mb(bot.procs[0].pid):.0f} |", flush=True)


def on_stack(args) -> tuple:
    """The long conversation and the flood through nginx to 2 Rasa replicas (PostgreSQL, Redis,
    RabbitMQ). nginx's per-address limit is lifted: every simulated visitor is 127.0.0.1."""
    from harness.bot_process import post_json
    from harness.stack_process import Stack, require_services

    require_services()
    results = []
    for visitor_rate in ("0", None):  # off for the long conversation, as configured for the flood
        env = {"STACK_RATE_PER_SECOND": "100000", "STACK_RATE_BURST": "100000"}
        if visitor_rate is not None:
            env["VISITOR_RATE_PER_SECOND"] = visitor_rate
        stack = Stack(rasa_replicas=2, action_replicas=2, env=env)
        stack.up()
        try:

            def say(sender: str, text: str, stack=stack) -> list:
                return post_json(f"{stack.url}/webhooks/rest/webhook", {"sender": sender, "message": text}, 60)

            for text in SCRIPT:
                say("warm-up", text)
            results.append(
                long_conversation(say, args.long)
                if visitor_rate == "0"
                else flood_effect(say, args.flood, args.turns)
                if args.flood
                else None
            )
        finally:
            stack.down()
    return tuple(results)


def conversation(
    say, turns: int, latencies: list[float], errors: list[str], think: float = 0, deadline: float = float("inf")
) -> None:
    """Visitors' turns through `say(sender, text) -> bot messages`; latency of each in ms.
    A new visitor starts after each pass through SCRIPT, as real conversations are short
    (Rasa's cost per turn grows with the length of the conversation).
    With `think` > 0 the visitor reads and types between turns, 0.5 to 1.5 times `think`
    seconds (a person's pace); with 0 it sends the next message as soon as the reply comes."""
    pause = random.Random(threading.get_ident()).uniform
    if think:
        time.sleep(pause(0, think))  # visitors arrive spread out, not all in the same instant
    for i in range(turns):
        if time.monotonic() > deadline:
            break
        if i % len(SCRIPT) == 0:
            sender = f"bench-{uuid.uuid4().hex[:8]}"
        start = time.perf_counter()
        try:
            if not say(sender, SCRIPT[i % len(SCRIPT)]):
                errors.append("empty reply")
        except Exception as exc:  # noqa: BLE001 - counted, not raised
            errors.append(type(exc).__name__)
        latencies.append((time.perf_counter() - start) * 1000)
        if think:
            time.sleep(pause(0.5 * think, 1.5 * think))


def measure(say, concurrency: int, turns: int, think: float = 0, stop_after: float = float("inf")) -> dict:
    """`concurrency` visitors at once sharing `turns` turns (or until `stop_after` seconds):
    latency percentiles and throughput."""
    latencies, errors = [], []
    per_conversation = max(1, turns // concurrency)
    deadline = time.monotonic() + stop_after
    threads = [
        threading.Thread(target=conversation, args=(say, per_conversation, latencies, errors, think, deadline))
        for _ in range(concurrency)
    ]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return {
        "concurrency": concurrency,
        "turns": len(latencies),
        "p50": statistics.median(latencies),
        "p95": q[94],
        "p99": q[98],
        "throughput": len(latencies) / elapsed,
        "errors": len(errors),
    }


def soak(say, servers: dict[str, int], seconds: float, concurrency: int, every: float) -> None:
    """Steady load for `seconds`; prints each server's (name: pid) RSS at start, end and peak,
    and its trend."""
    latencies, errors = [], []
    deadline = time.monotonic() + seconds

    def visitor() -> None:
        while time.monotonic() < deadline:
            conversation(say, len(SCRIPT), latencies, errors)

    samples: list[tuple[float, dict]] = []
    threads = [threading.Thread(target=visitor) for _ in range(concurrency)]
    start = time.monotonic()
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        samples.append((time.monotonic() - start, {name: rss_mb(pid) for name, pid in servers.items()}))
        time.sleep(every)
    samples.append((time.monotonic() - start, {name: rss_mb(pid) for name, pid in servers.items()}))

    elapsed = samples[-1][0]
    print(
        f"\nsoak: {concurrency} conversations for {elapsed:.0f} s, {len(latencies)} turns "
        f"({len(latencies) / elapsed:.1f}/s, p50 {statistics.median(latencies):.0f} ms), "
        f"{len(errors)} errors, {len(samples)} memory samples"
    )
    print("\n| process | start MB | end MB | max MB | trend over the 2nd half, MB/min |")
    print("|---|---|---|---|---|")
    for name in servers:
        series = [(t, mb[name]) for t, mb in samples]
        second_half = series[len(series) // 2 :]
        # Least-squares slope: the allocator's steps and the garbage collector make single samples noisy.
        slope = statistics.linear_regression([t for t, _ in second_half], [mb for _, mb in second_half]).slope
        print(
            f"| {name} | {series[0][1]:.0f} | {series[-1][1]:.0f} | {max(mb for _, mb in series):.0f} "
            f"| {60 * slope:+.2f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=120)
    parser.add_argument("--concurrency", type=int, nargs="+", default=None)
    parser.add_argument("--soak", type=float, metavar="SECONDS", help="memory soak instead of the latency table")
    parser.add_argument("--sample-every", type=float, default=10, metavar="SECONDS")
    parser.add_argument("--long", type=int, default=500, metavar="TURNS", help="turns of the one long conversation")
    parser.add_argument("--flood", type=float, default=60, metavar="SECONDS", help="flood duration; 0: skip")
    parser.add_argument(
        "--conversations",
        type=int,
        metavar="N",
        help="instead: N short conversations one after another, the Rasa server's memory every 1,000",
    )
    parser.add_argument(
        "--stack",
        action="store_true",
        help="also the long conversation and the flood on the production stack (2 replicas)",
    )
    args = parser.parse_args()

    start = time.perf_counter()
    # Back-to-back senders would be slowed by the per-visitor limit: off, but for the flood.
    with BotProcess(env={"VISITOR_RATE_PER_SECOND": "0"}) as bot:
        startup = time.perf_counter() - start
        for text in SCRIPT:  # warm-up
            bot.say("warm-up", text)
        if args.conversations:
            many_conversations(bot, args.conversations)
            return
        if args.soak:
            soak(
                bot.say,
                {"Rasa server": bot.procs[1].pid, "action server": bot.procs[0].pid},
                args.soak,
                (args.concurrency or [4])[0],
                args.sample_every,
            )
            return
        rows = [measure(bot.say, c, args.turns) for c in args.concurrency or [1, 8]]
        cpu = cpu_ms_per_turn(bot.say, [p.pid for p in bot.procs], args.turns)
        long = long_conversation(bot.say, args.long)
        rasa_mb, actions_mb = rss_mb(bot.procs[1].pid), rss_mb(bot.procs[0].pid)
    flood = None
    if args.flood:
        with BotProcess() as bot:  # the limit as configured (VISITOR_RATE_PER_SECOND's default)
            for text in SCRIPT:
                bot.say("warm-up", text)
            flood = flood_effect(bot.say, args.flood, args.turns)

    train = ROOT / "models" / "train_seconds.txt"
    print("\n| conversations | turns | p50 ms | p95 ms | p99 ms | turns/s | errors |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['concurrency']} | {r['turns']} | {r['p50']:.0f} | {r['p95']:.0f} | {r['p99']:.0f} "
            f"| {r['throughput']:.1f} | {r['errors']} |"
        )
    print_long_rows("embedded", long, flood, cpu)
    if args.stack:
        stack_long, stack_flood = on_stack(args)
        print_long_rows("stack, 2 replicas", stack_long, stack_flood, None)
    print(f"\nstart-up (both servers ready): {startup:.1f} s")
    print(f"memory after load: Rasa server {rasa_mb:.0f} MB, action server {actions_mb:.0f} MB")
    print(f"last training time: {train.read_text().strip() + ' s' if train.exists() else 'unknown (run make model)'}")


if __name__ == "__main__":
    main()

"""REST benchmark of the assistant: start-up time, turn latency (sequential and
concurrent conversations), memory, and the last training time. Prints a table.

    .venv/bin/python scripts/bench.py [--turns 120] [--concurrency 1 8]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.bot_process import BotProcess  # noqa: E402

# A realistic conversation: comparisons, follow-ups, facts, chat, out of scope.
SCRIPT = ["你好", "淘宝运营和推广专员有什么区别", "那能力要求呢", "运营与市场部门的工作区别是什么",
          "什么是无形价值", "網絡推廣和運營有什麼區別", "哪个更好就业", "电商运营和新媒体推广有什么区别",
          "内容上呢", "小程序开发运营多少钱", "今天天气怎么样", "谢谢"]


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB."""
    total = 0
    pids = [pid] + [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for p in pids:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def conversation(say, turns: int, latencies: list[float], errors: list[str]) -> None:
    """Visitors' turns through `say(sender, text) -> bot messages`; latency of each in ms.
    A new visitor starts after each pass through SCRIPT, as real conversations are short
    (Rasa's cost per turn grows with the length of the conversation)."""
    for i in range(turns):
        if i % len(SCRIPT) == 0:
            sender = f"bench-{uuid.uuid4().hex[:8]}"
        start = time.perf_counter()
        try:
            if not say(sender, SCRIPT[i % len(SCRIPT)]):
                errors.append("empty reply")
        except Exception as exc:  # noqa: BLE001 - counted, not raised
            errors.append(type(exc).__name__)
        latencies.append((time.perf_counter() - start) * 1000)


def measure(say, concurrency: int, turns: int) -> dict:
    """`concurrency` visitors at once sharing `turns` turns: latency percentiles and throughput."""
    latencies, errors = [], []
    per_conversation = max(1, turns // concurrency)
    threads = [threading.Thread(target=conversation, args=(say, per_conversation, latencies, errors))
               for _ in range(concurrency)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return {"concurrency": concurrency, "turns": len(latencies), "p50": statistics.median(latencies),
            "p95": q[94], "p99": q[98], "throughput": len(latencies) / elapsed, "errors": len(errors)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=120)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    args = parser.parse_args()

    start = time.perf_counter()
    with BotProcess() as bot:
        startup = time.perf_counter() - start
        for text in SCRIPT:  # warm-up
            bot.say("warm-up", text)
        rows = [measure(bot.say, c, args.turns) for c in args.concurrency]
        rasa_mb, actions_mb = rss_mb(bot.procs[1].pid), rss_mb(bot.procs[0].pid)

    train = ROOT / "models" / "train_seconds.txt"
    print("\n| conversations | turns | p50 ms | p95 ms | p99 ms | turns/s | errors |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['concurrency']} | {r['turns']} | {r['p50']:.0f} | {r['p95']:.0f} | {r['p99']:.0f} "
              f"| {r['throughput']:.1f} | {r['errors']} |")
    print(f"\nstart-up (both servers ready): {startup:.1f} s")
    print(f"memory after load: Rasa server {rasa_mb:.0f} MB, action server {actions_mb:.0f} MB")
    print(f"last training time: {train.read_text().strip() + ' s' if train.exists() else 'unknown (run make model)'}")


if __name__ == "__main__":
    main()

"""Where a turn's CPU time goes in the Rasa server: py-spy samples the embedded server and a
production-stack replica under the benchmark's conversations and prints the share of each
part of a turn (docs/production.md, "Where the time goes").

    .venv/bin/python scripts/profile_turns.py [--seconds 20] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.bot_process import VENV_BIN, BotProcess  # noqa: E402
from harness.stack_process import Stack, require_services  # noqa: E402
from scripts.bench import cpu_seconds, measure  # noqa: E402
from scripts.bench_stack import warmed_up  # noqa: E402

# A sample belongs to the first part whose marker is on its stack, from the innermost frame out.
PARTS = [
    ("conversation lock (Redis)", ["(production/lock_store.py)", "(rasa/core/lock_store.py)"]),
    ("tracker load", ["retrieve (rasa/core/tracker_store.py)", "_retrieve (conversation_store/tracker_store.py)"]),
    (
        "tracker save + event broker",
        [
            "save (rasa/core/tracker_store.py)",
            "save (conversation_store/tracker_store.py)",
            "(rasa/core/brokers/pika.py)",
            "(aio_pika/",
            "(aiormq/",
        ],
    ),
    ("action-server call", ["run (rasa/core/actions/action.py)"]),
    ("NLU pipeline", ["_parse_message_with_graph (rasa/core/processor.py)"]),
    ("dialogue policies", ["_predict_next_with_tracker (rasa/core/processor.py)"]),
    ("rest of the turn (processor)", ["handle_message (rasa/core/processor.py)"]),
    (
        "HTTP server and channel",
        [
            "handle_request",
            "(sanic/http",
            "(sanic/request",
            "(sanic/response",
            "(sanic/server/protocols",
            "(rasa/core/channels/",
        ],
    ),
]
OTHER = "event loop, other"


def short(frame: str) -> str:
    """'run (/…/site-packages/rasa/core/actions/action.py:684)' -> 'run (rasa/core/actions/action.py)'."""
    match = re.match(r"(.*) \((.*?)(?::\d+)?\)$", frame)
    if not match:
        return frame
    path = re.sub(rf"^.*?(site-packages/|/work/[^/]+/|{re.escape(str(ROOT))}/)", "", match.group(2))
    return f"{match.group(1)} ({path.split('site-packages/')[-1]})"


def part_of(stack: str) -> str:
    frames = [short(f) for f in stack.split(";")]
    for frame in reversed(frames):
        for name, markers in PARTS:
            if any(marker in frame for marker in markers):
                return name
    return OTHER


def shares(raw: Path) -> tuple[Counter, int]:
    counts: Counter = Counter()
    for line in raw.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        if stack:
            counts[part_of(stack)] += int(n)
    return counts, sum(counts.values())


def profile(pid: int, url: str, seconds: float, concurrency: int) -> tuple[Counter, int, dict]:
    say = warmed_up(url)
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "samples.txt"
        spy = subprocess.Popen(
            [
                str(VENV_BIN / "py-spy"),
                "record",
                "--pid",
                str(pid),
                "--rate",
                "200",
                "--duration",
                str(seconds),
                "--format",
                "raw",
                "--output",
                str(raw),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        result: dict = {}
        load = threading.Thread(target=lambda: result.update(measure(say, concurrency, 100_000, stop_after=seconds)))
        cpu_before = cpu_seconds(pid)
        load.start()
        _, err = spy.communicate()
        load.join()
        result["cpu_ms_per_turn"] = 1000 * (cpu_seconds(pid) - cpu_before) / max(result.get("turns", 0), 1)
        if spy.returncode != 0 or not raw.exists():
            raise RuntimeError(f"py-spy failed (it needs ptrace permission): {err.decode()[-300:]}")
        counts, total = shares(raw)
    return counts, total, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    require_services()
    results = {}
    # Visitors here send back to back: the per-visitor limit (channels/visitor_rate.py) is off.
    with BotProcess(env={"VISITOR_RATE_PER_SECOND": "0"}) as bot:
        results["embedded"] = profile(bot.procs[1].pid, bot.url, args.seconds, args.concurrency)
    stack = Stack(
        rasa_replicas=1,
        action_replicas=1,
        env={"STACK_RATE_PER_SECOND": "100000", "STACK_RATE_BURST": "100000", "VISITOR_RATE_PER_SECOND": "0"},
    )
    stack.up()
    try:
        results["stack replica"] = profile(stack.pid("rasa-1"), stack.url, args.seconds, args.concurrency)
    finally:
        stack.down()

    names = list(results)
    print(
        f"\nShare of the Rasa server's CPU samples, {args.concurrency} conversations back to back, "
        f"{args.seconds:g} s each:\n"
    )
    print("| part of a turn | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for part in [name for name, _ in PARTS] + [OTHER]:
        cells = [f"{100 * counts[part] / total:.0f}%" if total else "-" for counts, total, _ in results.values()]
        print(f"| {part} | " + " | ".join(cells) + " |")
    for name, (_, _, load) in results.items():
        print(
            f"\n{name}: {load.get('turns', 0)} turns, {load.get('throughput', 0):.1f} turns/s, "
            f"p50 {load.get('p50', 0):.0f} ms; {load['cpu_ms_per_turn']:.1f} ms of Rasa-server CPU per turn "
            "(while sampled)"
        )


if __name__ == "__main__":
    main()

"""Side-by-side benchmark: the same conversations against several builds of the assistant at
once, turn by turn in alternation, so that the machine's noise falls on all of them alike.

    .venv/bin/python scripts/bench_compare.py --before REF            # this tree against a git ref
    .venv/bin/python scripts/bench_compare.py --speedups              # what each speed-up buys

Each variant is a bot (Rasa + action server) started from a source tree with its own settings.
Prints, per kind of turn (the SCRIPT of scripts/bench.py, a two-question message, a long story),
the p50 latency of each variant and its ratio to the first, and the CPU both servers spent per turn.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rasa_patches import SPEEDUPS  # noqa: E402
from scripts.bench import SCRIPT, cpu_seconds  # noqa: E402

KINDS = {text: text for text in SCRIPT} | {
    "新媒体推广有什么特点？你们有人工客服吗": "two questions",
    "我家开了个网店，一直是我妈在弄，现在想招个帮手，预算只够请一个人。淘宝运营和推广专员有什么区别？": "long story",
}
# Started in the variant's own tree, so that its own harness and code run.
SERVE = """
import json, sys
sys.path.insert(0, ".")
from harness.bot_process import BotProcess
bot = BotProcess(env=json.loads(sys.argv[1])).start(timeout=600)
print(json.dumps({"url": bot.url, "pids": [p.pid for p in bot.procs]}), flush=True)
sys.stdin.read()
bot.stop()
"""


class Variant:
    def __init__(self, name: str, tree: Path, env: dict):
        self.name, self.tree = name, tree
        self.proc = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "python"), "-c", SERVE, json.dumps({"VISITOR_RATE_PER_SECOND": "0", **env})],
            cwd=tree,
            env={**os.environ, "PYTHONPATH": str(tree)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        started = json.loads(self.proc.stdout.readline())
        self.url, self.pids = started["url"] + "/webhooks/rest/webhook", started["pids"]
        self.latencies: dict = {kind: [] for kind in KINDS.values()}
        self.cpu = 0.0

    def say(self, sender: str, text: str) -> float:
        body = json.dumps({"sender": sender, "message": text}).encode()
        request = urllib.request.Request(self.url, body, {"Content-Type": "application/json"})
        cpu, start = sum(cpu_seconds(p) for p in self.pids), time.perf_counter()
        with urllib.request.urlopen(request, timeout=60) as answer:
            answer.read()
        elapsed = (time.perf_counter() - start) * 1000
        self.cpu += sum(cpu_seconds(p) for p in self.pids) - cpu
        return elapsed

    def stop(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(60)


def tree_at(ref: str) -> Path:
    """A worktree of `ref` with this tree's virtualenv and built model and assets."""
    path = Path(tempfile.mkdtemp(prefix="bench-")) / "tree"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(path), ref], check=True)
    (path / ".venv").symlink_to(ROOT / ".venv")
    subprocess.run(["make", "-C", str(path), "-s", "model"], check=True, stdout=subprocess.DEVNULL)
    return path


def run(variants: list[Variant], conversations: int) -> None:
    turns = 0
    for _ in range(conversations):
        for variant in variants:  # each conversation on every variant, in turn
            sender = f"cmp-{uuid.uuid4().hex[:10]}"
            for text, kind in KINDS.items():
                variant.latencies[kind].append(variant.say(sender, text))
        turns += len(KINDS)
    first = variants[0]
    print(f"\n{conversations} conversations of {len(KINDS)} turns on each variant, alternating\n")
    print(
        "| turn | "
        + " | ".join(f"{v.name} p50 ms" for v in variants)
        + " | "
        + " | ".join(f"{v.name} / {first.name}" for v in variants[1:])
        + " |"
    )
    print("|---|" + "---|" * (2 * len(variants) - 1))
    worst = {v.name: 0.0 for v in variants[1:]}
    for kind in first.latencies:
        p50 = [statistics.median(v.latencies[kind]) for v in variants]
        ratios = [p / p50[0] for p in p50[1:]]
        for v, r in zip(variants[1:], ratios):
            worst[v.name] = max(worst[v.name], r)
        print(
            f"| {kind[:18]} | "
            + " | ".join(f"{p:.1f}" for p in p50)
            + " | "
            + " | ".join(f"{r:.2f}" for r in ratios)
            + " |"
        )
    print(
        "\nCPU per turn, Rasa + action servers: "
        + ", ".join(f"{v.name} {v.cpu * 1000 / turns:.1f} ms" for v in variants)
    )
    print("slowest turn kind against the first: " + ", ".join(f"{name} x{r:.2f}" for name, r in worst.items()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", metavar="REF", help="compare a git ref (first) with this tree")
    parser.add_argument("--speedups", action="store_true", help="all speed-ups, none, and all but each one")
    parser.add_argument("--conversations", type=int, default=20)
    args = parser.parse_args()
    if args.before:
        specs = [(f"before ({args.before})", tree_at(args.before), {}), ("now", ROOT, {})]
    elif args.speedups:
        specs = [("all", ROOT, {}), ("none", ROOT, {"RASA_SPEEDUPS": "none"})]
        specs += [(f"no {n}", ROOT, {"RASA_SPEEDUPS": " ".join(s for s in SPEEDUPS if s != n)}) for n in SPEEDUPS]
    else:
        parser.error("--before REF or --speedups")
    variants = []
    try:
        for name, tree, env in specs:
            print(f"starting {name} …", flush=True)
            variants.append(Variant(name, tree, env))
        run(variants, args.conversations)
    finally:
        for variant in variants:
            variant.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Trains each NLU pipeline variant on data/, scores it on the held-out set
tests/nlu_test.yml and on the public development set (../shared/eval), times parsing,
and prints the table of docs/pipeline.md.

    .venv/bin/python scripts/compare_pipelines.py [variant ...]
Variants: config (the chosen config.yml) and every configs/*.yml. Every variant is trained
as a whole assistant with config.yml's dialogue policies, so that a difference on the
development set comes from the NLU pipeline alone.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "results" / "pipelines"
RASA = str(Path(sys.executable).parent / "rasa")
DEV_EVAL = ROOT.parent / "shared" / "eval" / "run_eval.py"
DEV_SETS = {
    "dev": DEV_EVAL.with_name("dev_cases.yml"),
    "dev2": DEV_EVAL.with_name("dev2_cases.yml"),
    "heldout": ROOT / "eval" / "heldout2_cases.yml",
}
PROBES = [
    "淘宝运营和推广专员有什么区别",
    "那能力要求呢",
    "市場推廣和運營有什麼區別",
    "网络广告有哪些形式",
    "我想找人工客服",
    "今天天气怎么样",
    "taobao运营 vs 推广专员",
    "新媒体推广有什么特点",
]


def variants(names: list[str]) -> dict[str, Path]:
    found = {"config": ROOT / "config.yml", **{p.stem: p for p in sorted((ROOT / "configs").glob("*.yml"))}}
    return {n: found[n] for n in (names or found)}


def run(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        args,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    return time.perf_counter() - start


def assistant_config(variant: Path, out: Path) -> Path:
    """The variant's NLU pipeline with the project's dialogue policies."""
    config = yaml.safe_load(variant.read_text(encoding="utf-8"))
    config["policies"] = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))["policies"]
    path = out / "config.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def dev_accuracy(model: Path, out: Path) -> dict:
    """Share of each development set's conversations answered right by a bot serving `model`."""
    if not DEV_EVAL.exists():
        return {}
    sys.path.insert(0, str(ROOT))
    from harness.bot_process import BotProcess

    found = {}
    with BotProcess(model=model, log_dir=out / "bot") as bot:
        for name, cases in DEV_SETS.items():
            subprocess.run(
                [
                    sys.executable,
                    str(DEV_EVAL),
                    "--url",
                    f"{bot.url}/webhooks/rest/webhook",
                    "--cases",
                    str(cases),
                    "--json",
                    str(out / f"{name}.json"),
                ],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            found[name] = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))["accuracy"]
    return found


def f1(path: Path) -> float | None:
    return json.loads(path.read_text())["weighted avg"]["f1-score"] if path.exists() else None


def parse_metrics(model: Path) -> tuple[float, float]:
    """(entity F1 on the held-out set, median parse latency in ms), from the model's own parses.

    `rasa test nlu` leaves pre-trained extractors such as SpacyEntityExtractor out of its
    entity report, so entities are scored here for every variant alike."""
    sys.path.insert(0, str(ROOT))
    from rasa.core.agent import Agent
    from rasa.shared.nlu.training_data.loading import load_data

    agent = Agent.load(str(model))
    gold = found = hits = 0
    for example in load_data(str(ROOT / "tests" / "nlu_test.yml")).intent_examples:
        want = {(e["start"], e["end"], e["entity"]) for e in example.get("entities") or []}
        parsed = asyncio.run(agent.parse_message(example.get("text")))
        got = {(e["start"], e["end"], e["entity"]) for e in parsed.get("entities") or []}
        gold, found, hits = gold + len(want), found + len(got), hits + len(want & got)
    precision, recall = hits / max(found, 1), hits / max(gold, 1)
    entity_f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    times = []
    for _ in range(5):
        for text in PROBES:
            start = time.perf_counter()
            asyncio.run(agent.parse_message(text))
            times.append((time.perf_counter() - start) * 1000)
    return entity_f1, statistics.median(times)


def main() -> None:
    rows = []
    for name, config in variants(sys.argv[1:]).items():
        out = OUT / name
        out.mkdir(parents=True, exist_ok=True)
        train_s = run(
            [
                RASA,
                "train",
                "--config",
                str(assistant_config(config, out)),
                "--out",
                str(out),
                "--fixed-model-name",
                "bot",
                "--domain",
                "domain.yml",
                "--data",
                "data",
            ]
        )
        model = out / "bot.tar.gz"
        run([RASA, "test", "nlu", "--model", str(model), "--nlu", "tests/nlu_test.yml", "--out", str(out / "test")])
        entity_f1, parse_ms = parse_metrics(model)
        rows.append(
            {
                "variant": name,
                "intent_f1": f1(out / "test" / "intent_report.json"),
                "entity_f1": entity_f1,
                "dev_accuracy": dev_accuracy(model, out),
                "train_s": train_s,
                "model_mb": model.stat().st_size / 1e6,
                "parse_ms": parse_ms,
            }
        )
        print(rows[-1], flush=True)
        (out / "summary.json").write_text(json.dumps(rows[-1], indent=1))
    print("\n| variant | intent F1 | entity F1 | dev | dev2 | own held-out | training s | model MB | parse ms |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        dev = [f"{100 * r['dev_accuracy'][k]:.1f} %" if k in r["dev_accuracy"] else "n/a" for k in DEV_SETS]
        print(
            f"| {r['variant']} | {r['intent_f1']:.3f} | {r['entity_f1']:.3f} | {' | '.join(dev)} "
            f"| {r['train_s']:.0f} | {r['model_mb']:.1f} | {r['parse_ms']:.1f} |"
        )


if __name__ == "__main__":
    main()

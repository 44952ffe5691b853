"""Fails (exit 1) when `rasa test nlu` scored the held-out set below the thresholds."""
import argparse
import json
import sys
from pathlib import Path


def f1(report_path: Path) -> float:
    report = json.loads(report_path.read_text(encoding="utf-8"))
    return report["weighted avg"]["f1-score"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("results", type=Path)
    parser.add_argument("--min-intent-f1", type=float, required=True)
    parser.add_argument("--min-entity-f1", type=float, default=0.0)
    args = parser.parse_args()
    intent = f1(args.results / "intent_report.json")
    entity_reports = sorted(args.results.glob("*Extractor_report.json"))
    entity = max((f1(p) for p in entity_reports), default=0.0)
    print(f"held-out NLU set: intent F1 {intent:.3f} (min {args.min_intent_f1}), "
          f"entity F1 {entity:.3f} (min {args.min_entity_f1})")
    ok = intent >= args.min_intent_f1 and entity >= args.min_entity_f1
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

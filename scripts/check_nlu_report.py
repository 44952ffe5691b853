"""Fails (exit 1) when `rasa test nlu` scored the held-out set below the intent threshold.

Entities are scored by tests/components/test_nlu_entities.py: `rasa test nlu` leaves pre-trained
extractors such as SpacyEntityExtractor out of its report."""

import argparse
import json
import sys
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("results", type=Path)
    parser.add_argument("--min-intent-f1", type=float, required=True)
    args = parser.parse_args()
    report = json.loads((args.results / "intent_report.json").read_text(encoding="utf-8"))
    f1 = report["weighted avg"]["f1-score"]
    print(f"held-out NLU set: intent F1 {f1:.3f} (min {args.min_intent_f1})")
    return 0 if f1 >= args.min_intent_f1 else 1


if __name__ == "__main__":
    sys.exit(main())

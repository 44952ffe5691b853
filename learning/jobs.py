"""What the console reads and starts of learning/retrain.py: the status of the last run, the live
model, whether a run is going on (its lock is held), and starting one in a process of its own."""

from __future__ import annotations

import fcntl
import subprocess
import sys
import time
from pathlib import Path
from typing import Optional

from learning import retrain
from learning.labels import LabelFile

ROOT = Path(__file__).resolve().parent.parent


def running(base: Optional[Path] = None) -> bool:
    """A retrain or rollback holds the lock (a run that died released it with its process)."""
    lock = (base or retrain.learning_dir()) / "retrain.lock"
    if not lock.exists():
        return False
    with open(lock, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False


def overview(base: Optional[Path] = None, labels: Optional[LabelFile] = None) -> dict:
    base = base or retrain.learning_dir()
    status = retrain.read_json(base / "status.json")
    live = retrain.read_json(base / "live.json")
    live = live or retrain.initial_model()
    going = running(base)
    if status and status.get("state") == "running" and not going:
        status = {**status, "state": "failed", "reason": "the retrain process ended before it finished"}
    count = len((labels or LabelFile()).labels())
    trained = (live or {}).get("labels") or 0  # the same count as retrain.new_labels
    return {
        "status": status,
        "live": live,
        "running": going,
        "labels": count,
        "new_labels": max(0, count - trained),
        "elapsed": time.time() - status["started_at"] if status and going else None,
    }


def start(base: Optional[Path] = None, rollback: bool = False) -> bool:
    """Starts a retrain (or a rollback) in a process of its own; False when one is going on."""
    base = base or retrain.learning_dir()
    if running(base):
        return False
    base.mkdir(parents=True, exist_ok=True)
    with open(base / ("rollback.out" if rollback else "retrain.out"), "wb") as out:
        subprocess.Popen(
            [sys.executable, "-m", "learning.retrain", *(["--rollback"] if rollback else [])],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # not stopped with a request, nor by the web app's own signals
        )
    return True

"""Leads the database could not take, kept on disk until it does.

One JSON file per lead in LEADS_SPOOL_DIR (default var/leads-spool), written atomically, so
every process (each action server of the stack, `python -m leads`) can deliver any of them;
a lead delivered twice is stored once (its request key is unique)."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from pathlib import Path
from typing import Callable

logger = logging.getLogger(__name__)
DEFAULT_DIR = Path(__file__).resolve().parent.parent / "var" / "leads-spool"
RETRY_SECONDS = 15.0


def spool_dir() -> Path:
    return Path(os.environ.get("LEADS_SPOOL_DIR") or DEFAULT_DIR)


def keep(fields: dict, key: str) -> Path:
    folder = spool_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{key}.json"
    partial = folder / f".{key}.{os.getpid()}.tmp"
    with open(partial, "w", encoding="utf-8") as f:
        json.dump(fields, f, ensure_ascii=False)
        f.flush()
        os.fsync(f.fileno())
    os.replace(partial, path)
    return path


def kept() -> list[Path]:
    folder = spool_dir()
    return sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime) if folder.is_dir() else []


def deliver(save: Callable[[dict], object]) -> int:
    """Calls `save(fields)` for each kept lead, oldest first, and forgets those it took.
    Stops at the first failure (the database is still away); returns how many went in."""
    delivered = 0
    for path in kept():
        try:
            fields = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            continue  # another process delivered it
        save(fields)
        path.unlink(missing_ok=True)
        delivered += 1
    return delivered


_retrying = threading.Lock()


def retry_in_background(save: Callable[[dict], object]) -> None:
    """One thread per process retries until the spool is empty."""
    if not _retrying.acquire(blocking=False):
        return

    def loop():
        try:
            while kept():
                time.sleep(RETRY_SECONDS)
                try:
                    deliver(save)
                except Exception as error:  # noqa: BLE001 - still away: try again later
                    logger.warning(
                        "leads database still unavailable (%s); %d leads kept on disk",
                        type(error).__name__,
                        len(kept()),
                    )
        finally:
            _retrying.release()

    threading.Thread(target=loop, name="lead-spool", daemon=True).start()

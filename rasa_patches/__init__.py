"""What this assistant changes inside Rasa 3.6 where Rasa has no seam (a turn itself is channels/turn.py):
one concern a module, each naming the Rasa code it works around and checking the Rasa version
(version_guard). `install()` runs when Rasa imports `components` and in `python -m rasa_server`."""

from __future__ import annotations

import importlib

from assistant import settings

SPEEDUPS = ("action_response_check", "action_session", "event_class_cache", "graph_without_dask")


def install() -> None:
    from rasa_patches import action_apology, action_secret

    action_secret.install()
    action_apology.install()
    chosen = settings.RASA_SPEEDUPS.value()  # scripts/bench_compare.py --speedups measures each
    for name in {"all": SPEEDUPS, "none": ()}.get(chosen, chosen.split()):
        importlib.import_module(f"rasa_patches.{name}").install()

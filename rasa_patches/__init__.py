"""What this assistant changes inside Rasa 3.6 where Rasa has no seam, installed by one call.

What a visitor's turn does is ordinary code in channels/turn.py; what is left here has no
extension point. Each module is one concern, names the Rasa code it works around, and checks
the Rasa version it was written for (rasa_patches.version_guard). `install()` runs when Rasa
imports `components` and from `python -m rasa_server`; it is idempotent.
"""

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

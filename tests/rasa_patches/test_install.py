"""One installer puts every Rasa patch in place, in the order the turn needs, in any Rasa process."""

import json
import os
import subprocess
import sys

import pytest

from harness.bot_process import ROOT

# What a fresh Rasa process sees after Rasa imported `components` (as loading the model does).
PROBE = """
import json, logging
import components
from rasa.core.agent import Agent
from rasa.core.actions.action import RemoteAction
from rasa.core.utils import AvailableEndpoints
from rasa.engine.runner.dask import DaskGraphRunner
from assistant.log_masking import MaskingFilter
from rasa_patches import speedups

chain, handler = [], Agent.handle_message
while handler is not None:
    own = [flag for flag in ("limits_rate", "limits_length", "splits_questions")
           if flag in vars(handler) and not (hasattr(handler, "__wrapped__") and flag in vars(handler.__wrapped__))]
    chain.append(own[0] if own else "/".join(handler.__code__.co_filename.split("/")[-2:]))
    handler = getattr(handler, "__wrapped__", None)
print(json.dumps({
    "chain": chain,
    "degrades": getattr(RemoteAction.run, "degrades", False),
    "secret": getattr(AvailableEndpoints.read_endpoints.__func__, "sends_secret", False),
    "graph": DaskGraphRunner.run is speedups._run_graph,
    "masking": any(isinstance(f, MaskingFilter) for f in logging.getLogger().filters),
}))
"""


@pytest.mark.e2e  # a fresh Rasa process
def test_importing_components_installs_every_patch_outermost_first():
    env = {**os.environ, "PYTHONPATH": str(ROOT), "VISITOR_RATE_PER_SECOND": "2"}
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    # Too fast, then too long, are refused before the two-question split; the store errors'
    # apology (rasa_patches.degradation) is innermost, just around Rasa's own handle_message.
    assert seen["chain"] == [
        "limits_rate",
        "limits_length",
        "splits_questions",
        "rasa_patches/degradation.py",
        "core/agent.py",
    ]
    assert seen["degrades"] and seen["secret"] and seen["graph"] and seen["masking"]

"""One installer puts every remaining Rasa patch in place in any Rasa process, each behind the
version guard; nothing wraps a visitor's turn any more (channels/turn.py is the turn)."""

import json
import logging
import os
import subprocess
import sys

import pytest

from harness.bot_process import ROOT
from rasa_patches import version_guard

# What a fresh Rasa process sees after Rasa imported `components` (as loading the model does).
PROBE = """
import json, logging
import components
from rasa.core.agent import Agent
from rasa.core.actions.action import RemoteAction
from rasa.core.processor import MessageProcessor
from rasa.core.utils import AvailableEndpoints
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.events import Event
from assistant.log_masking import MaskingFilter
from rasa_patches import graph_without_dask

print(json.dumps({
    "turn_patched": hasattr(Agent.handle_message, "__wrapped__") or "rasa/core/agent.py" not in Agent.handle_message.__code__.co_filename,
    "parse_patched": "rasa/core/processor.py" not in MessageProcessor._parse_message_with_graph.__code__.co_filename,
    "degrades": getattr(RemoteAction.run, "degrades", False),
    "secret": getattr(AvailableEndpoints.read_endpoints.__func__, "sends_secret", False),
    "graph": DaskGraphRunner.run is graph_without_dask._run_graph,
    "events": getattr(Event.resolve_by_type, "cached", False),
    "masking": any(isinstance(f, MaskingFilter) for f in logging.getLogger().filters),
}))
"""


def probe(**env) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.e2e  # a fresh Rasa process
def test_importing_components_installs_the_patches_and_leaves_the_turn_to_rasa():
    seen = probe()
    assert not seen["turn_patched"] and not seen["parse_patched"]
    assert seen["degrades"] and seen["secret"] and seen["graph"] and seen["events"] and seen["masking"]


@pytest.mark.e2e
def test_speedups_can_be_left_out_for_measuring():
    seen = probe(RASA_SPEEDUPS="none")
    assert not seen["graph"] and not seen["events"]
    assert seen["degrades"] and seen["secret"]  # what is needed for correct answers stays


def test_another_rasa_version_makes_a_patch_step_aside_once_said(caplog):
    with caplog.at_level(logging.WARNING):
        assert not version_guard.applies("rasa_patches.graph_without_dask", installed="3.7.0")
    assert "written for Rasa 3.6.21, not 3.7.0" in caplog.text
    assert version_guard.applies("rasa_patches.graph_without_dask", installed=version_guard.WRITTEN_FOR)


def test_a_required_patch_refuses_to_start_on_another_version():
    with pytest.raises(version_guard.UnsupportedRasa, match="action_secret"):
        version_guard.applies("rasa_patches.action_secret", required=True, installed="3.7.0")


def test_the_guard_names_the_version_the_lock_pins():
    pinned = [line for line in (ROOT / "requirements.txt").read_text().splitlines() if line.startswith("rasa==")]
    assert pinned == [f"rasa=={version_guard.WRITTEN_FOR}"]


def test_what_is_patched_stays_small():
    """Issue 21: at most half of the 684 lines the patches had when a turn was patched too."""
    lines = sum(len(p.read_text(encoding="utf-8").splitlines()) for p in (ROOT / "rasa_patches").glob("*.py"))
    assert lines <= 342, lines

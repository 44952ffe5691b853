"""Rasa's own commands work in the project directory as Rasa users expect: endpoints.yml needs
no environment (its defaults are rasa_sdk's port and var/tracker.db), and a run on other ports
gets a rendered copy (process_supervisor/endpoints.py)."""

import subprocess
import sys

import yaml

from harness.bot_process import ROOT
from process_supervisor.endpoints import render

READ = (
    "from rasa.core.utils import AvailableEndpoints; e = AvailableEndpoints.read_endpoints('endpoints.yml'); "
    "print(e.action.url, e.tracker_store.kwargs['db'])"
)


def test_endpoints_read_in_an_empty_environment():
    done = subprocess.run(
        [sys.executable, "-c", READ],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split()[-2:] == ["http://127.0.0.1:5055/webhook", "var/tracker.db"]


def test_a_run_on_other_ports_gets_its_own_copy(tmp_path):
    copy = yaml.safe_load(render(tmp_path / "e.yml", 6123, tmp_path / "t.db").read_text())
    assert copy["action_endpoint"]["url"] == "http://127.0.0.1:6123/webhook"
    assert copy["tracker_store"] == {
        **yaml.safe_load((ROOT / "endpoints.yml").read_text())["tracker_store"],
        "db": str(tmp_path / "t.db"),
    }

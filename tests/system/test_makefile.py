"""`make help` lists every target a user can run, from the Makefile and mk/*.mk."""

import re
import subprocess

from harness.bot_process import ROOT

# Targets that only add prerequisites to another target, or name files, are not commands.
TARGET = re.compile(r"^([a-z][a-z-]*):(?!=)", re.MULTILINE)


def test_make_help_lists_every_target():
    sources = [ROOT / "Makefile", *sorted((ROOT / "mk").glob("*.mk"))]
    targets = {name for path in sources for name in TARGET.findall(path.read_text())}
    shown = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    listed = set(re.findall(r"^make (\S+)", shown, re.MULTILINE))
    assert targets - listed == set(), shown
    assert {"run", "test", "train", "shell", "actions", "leads"} <= listed

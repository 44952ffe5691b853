"""production/nginx.py: the stack's generated nginx.conf is one nginx accepts."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from harness.bot_process import free_port
from production.nginx import Settings, render


@pytest.mark.e2e
def test_generated_nginx_conf_is_valid(tmp_path):
    nginx = shutil.which("nginx") or pytest.fail("nginx is missing: `make stack-up` installs it")
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        render(
            Settings(
                port=free_port(),
                action_port=free_port(),
                web_port=free_port(),
                rasa_ports=[5005, 5006],
                action_ports=[5055],
            ),
            tmp_path,
        )
    )
    result = subprocess.run(
        [nginx, "-t", "-q", "-e", str(tmp_path / "error.log"), "-c", str(conf)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr

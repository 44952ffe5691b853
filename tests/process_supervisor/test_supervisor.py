"""`make run` (scripts/run.sh) keeps serving when one of its servers dies; Ctrl-C stops all."""

import os
import signal
import subprocess
import time
import uuid

import pytest

from harness.bot_process import ROOT, free_port, post_json
from tests.channels.wechat.harness import TOKEN, FakeWeChat, text_xml
from tests.markers import starts_servers


def wait_for(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    return None


def answer(port, sender, text):
    try:
        return post_json(f"http://127.0.0.1:{port}/webhooks/rest/webhook", {"sender": sender, "message": text}, 20)
    except OSError:
        return None


def pids_running(fragment):
    """Processes whose command line contains `fragment` (this run's ports make it unique)."""
    pids = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError):
            continue
        if entry.isdigit() and fragment in cmdline:
            pids.append(int(entry))
    return pids


@pytest.fixture(scope="module")
@starts_servers
def run(tmp_path_factory):
    log = open(tmp_path_factory.mktemp("run") / "run.log", "w+")
    ports = {"RASA_PORT": free_port(), "ACTION_PORT": free_port(), "WEB_PORT": free_port(), "WECHAT_PORT": free_port()}
    # WeChat on (plain mode, no App Secret): the run also starts the WeChat front.
    wechat = {"WECHAT_TOKEN": TOKEN, "WECHAT_AES_KEY": "", "WECHAT_APP_ID": "", "WECHAT_APP_SECRET": ""}
    proc = subprocess.Popen(
        ["scripts/run.sh"],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, **wechat, **{k: str(v) for k, v in ports.items()}},
    )
    proc.ports, proc.log = ports, log
    try:
        ready = wait_for(lambda: "Ready:" in open(log.name).read(), 240)
        assert ready, open(log.name).read()[-2000:]
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            proc.wait(60)


def test_answers_resume_after_the_action_server_is_killed(run):
    port = run.ports["RASA_PORT"]
    assert "推广" in str(answer(port, "sup-1", "淘宝运营和推广专员有什么区别"))
    action_servers = pids_running(f"action_server --port {run.ports['ACTION_PORT']}")
    assert len(action_servers) == 1
    os.kill(action_servers[0], signal.SIGKILL)
    time.sleep(20)  # longer than `wait -n` took to end the whole run before
    assert run.poll() is None, "the run stopped with its action server"
    resumed = wait_for(lambda: "推广" in str(answer(port, "sup-2", "淘宝运营和推广专员有什么区别")), 90)
    assert resumed, open(run.log.name).read()[-2000:]
    assert "restarting" in open(run.log.name).read()


def listening_addresses(port):
    """The local addresses of the sockets listening on `port` (/proc/net/tcp and tcp6)."""
    found = []
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        with open(table) as f:
            for line in f.readlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                address, hex_port = local.split(":")
                if state == "0A" and int(hex_port, 16) == port and len(address) == width:
                    found.append(address)
    return found


def test_rasa_listens_on_loopback_only(run):
    # 0100007F is 127.0.0.1 as the kernel prints it; 00000000 would be every interface.
    assert listening_addresses(run.ports["RASA_PORT"]) == ["0100007F"]


def test_wechat_is_answered_by_the_front_on_loopback(run):
    port = run.ports["WECHAT_PORT"]
    assert f"WeChat http://localhost:{port}/webhooks/wechat/webhook" in open(run.log.name).read()
    assert listening_addresses(port) == ["0100007F"]
    wechat = FakeWeChat(f"http://127.0.0.1:{port}/webhooks/wechat/webhook", timeout=10)
    reply, _ = wechat.deliver(text_xml("o" + uuid.uuid4().hex[:16], "淘宝运营和推广专员有什么区别"))
    assert reply.kind == "text" and "推广" in reply.content


def test_ctrl_c_stops_every_server(run):
    names = ("RASA_PORT", "ACTION_PORT", "WECHAT_PORT")
    servers = [pids_running(f"--port {run.ports[name]}") for name in names]
    assert all(servers)
    run.send_signal(signal.SIGINT)
    assert run.wait(60) == 0
    assert wait_for(lambda: not any(pids_running(f"--port {run.ports[n]}") for n in names), 30)

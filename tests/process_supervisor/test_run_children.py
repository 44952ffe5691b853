"""What `make run` starts: Rasa on loopback unless told otherwise, and the WeChat front (its own
process, so that WeChat's 5 s hold while Rasa is busy) when WECHAT_TOKEN is set."""

from pathlib import Path

from process_supervisor.supervisor import run_children

PORTS = {"RASA_PORT": "5005", "ACTION_PORT": "5055", "WEB_PORT": "8080"}


def by_name(env):
    children, ready = run_children(env, Path("var/endpoints.run.yml"), "python")
    return {child.name: child for child in children}, ready


def option(argv, name):
    return argv[list(argv).index(name) + 1]


def test_rasa_listens_on_loopback_unless_told_otherwise():
    children, _ = by_name(PORTS)
    assert option(children["Rasa server"].argv, "--interface") == "127.0.0.1"
    children, _ = by_name({**PORTS, "RASA_HOST": "0.0.0.0"})
    assert option(children["Rasa server"].argv, "--interface") == "0.0.0.0"
    assert children["Rasa server"].health_url == "http://127.0.0.1:5005/"


def test_the_wechat_front_runs_only_with_a_token_and_sends_turns_to_this_rasa():
    children, ready = by_name(PORTS)
    assert "WeChat front" not in children and "WeChat" not in ready
    children, ready = by_name({**PORTS, "WECHAT_TOKEN": "testtoken42", "WECHAT_PORT": "7006"})
    front = children["WeChat front"].argv
    assert front[1:3] == ["-m", "channels.wechat"]
    assert option(front, "--host") == "127.0.0.1" and option(front, "--port") == "7006"
    assert option(front, "--rasa-url") == "http://127.0.0.1:5005"
    assert children["WeChat front"].health_url == "http://127.0.0.1:7006/webhooks/wechat/"
    assert "http://localhost:7006/webhooks/wechat/webhook" in ready


def test_rasas_api_is_on_only_with_a_token_for_the_consoles_checked_model():
    children, _ = by_name(PORTS)
    assert "--enable-api" not in children["Rasa server"].argv
    children, _ = by_name({**PORTS, "RASA_AUTH_TOKEN": "run-token"})
    argv = children["Rasa server"].argv
    assert "--enable-api" in argv and option(argv, "--auth-token") == "run-token"

"""A person takes over on the stack (issue 26): the visitor's socket on one Rasa replica, the
agent's console on the web app behind nginx, the commands carried by Redis (takeover/bus.py)
and the widget's messages by python-socketio's Redis manager, whichever replica applies them."""

from __future__ import annotations

import json
import queue as fifo
import time

import pytest
import socketio

from harness.private_services import PrivatePostgres, PrivateRedis
from harness.stack_process import Stack, require_services
from tests.markers import starts_servers
from tests.web_app.test_staff_console import Client

STAFF_PASSWORD = "stack-takeover-password"


@pytest.fixture(scope="module")
@starts_servers
def stack():
    require_services()
    with PrivatePostgres() as postgres, PrivateRedis() as redis:
        running = Stack(
            env={"STAFF_PASSWORD": STAFF_PASSWORD, "CORS_ORIGINS": "", "OFFICE_HOURS": "mon-sun 00:00-24:00"},
            postgres=postgres,
            redis=redis,
        )
        try:
            running.up()
            yield running
        finally:
            running.down()


class Visitor:
    """The widget's side of the socket, on one replica."""

    def __init__(self, url: str):
        self.heard: fifo.Queue = fifo.Queue()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("bot_uttered", self.heard.put)
        confirmed: fifo.Queue = fifo.Queue()
        self.sio.on("session_confirm", confirmed.put)
        self.sio.connect(url, transports=["polling"], socketio_path="/socket.io")
        self.sio.emit("session_request", {})
        self.session = confirmed.get(timeout=20)["session_id"]

    def say(self, text: str) -> None:
        self.sio.emit("user_uttered", {"message": text, "session_id": self.session})

    def hear(self, containing: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                message = self.heard.get(timeout=max(0.1, deadline - time.monotonic()))
            except fifo.Empty:
                break
            if containing in message.get("text", ""):
                return message
        raise AssertionError(f"the visitor never heard {containing!r}")

    def silent(self, seconds: float) -> None:
        try:
            message = self.heard.get(timeout=seconds)
        except fifo.Empty:
            return
        raise AssertionError(f"the bot spoke: {message}")


def post(client: Client, path: str, **form) -> int:
    return client.request(path, {**form, "csrf": client.cookie("staff_csrf")}, headers={"Origin": client.base})[0]


def test_an_agent_on_the_web_app_takes_over_a_socket_held_by_a_replica(stack):
    agent = Client(stack.url)
    assert agent.login(STAFF_PASSWORD, Origin=stack.url) == 302
    assert post(agent, "/staff/takeover/presence", online="1") == 302
    visitor = Visitor(f"http://127.0.0.1:{stack.rasa_ports[0]}")
    try:
        visitor.say("淘宝运营和推广专员有什么区别")
        visitor.hear("推广")
        visitor.say("人工客服")
        visitor.hear("排在第 1 位")
        status, _, body = agent.request("/staff/takeover/state")
        request_id = json.loads(body)["waiting"][0]["id"]
        assert post(agent, f"/staff/takeover/{request_id}/accept") == 302
        visitor.hear("客服 admin 已接入")
        for n in range(3):  # several commands: both replicas take some from the Redis list
            assert post(agent, f"/staff/takeover/{request_id}/say", text=f"第{n}条：您好") == 302
            assert visitor.hear(f"第{n}条：您好")["agent"] == "admin"
        visitor.say("我想做一个小程序")
        visitor.silent(4)
        status, _, body = agent.request(f"/staff/takeover/{request_id}/messages")
        said = [m["text"] for m in json.loads(body)["messages"] if m["who"] == "visitor"]
        assert status == 200 and said[-1] == "我想做一个小程序"
        assert [m["agent"] for m in json.loads(body)["messages"] if m["who"] == "agent"] == ["admin"] * 3
        assert post(agent, f"/staff/takeover/{request_id}/end") == 302
        visitor.hear("智能助手继续")
        visitor.say("那内容上呢")
        visitor.hear("推广")
    finally:
        visitor.sio.disconnect()

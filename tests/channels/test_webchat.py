"""channels/webchat.py: the widget's socket.io channel: the hand-off payload, answers marked for
ratings, and sessions that belong to the connection (issued by the server, never chosen)."""

import asyncio
import re

import pytest

from channels.webchat import ConnectionRate, WebchatInput, WebchatOutput, allowed_metadata, widget_markdown
from harness.scripted_agent import ScriptedAgent


class RecordingServer:
    def __init__(self):
        self.emitted = []

    async def emit(self, event, data=None, to=None, room=None, **kwargs):
        self.emitted.append((event, data, room))


def test_handoff_payload_is_sent_as_data_not_as_emit_arguments():
    sio = RecordingServer()
    output = WebchatOutput(sio, "bot_uttered")
    asyncio.run(
        output.send_response(
            "visitor-1", {"text": "请拨打 175-8598-2043", "custom": {"type": "handoff", "kf_account": None}}
        )
    )
    texts = [(event, {k: v for k, v in data.items() if k != "id"}, room) for event, data, room in sio.emitted]
    assert texts == [
        ("bot_uttered", {"text": "请拨打 175-8598-2043"}, "visitor-1"),
        ("bot_uttered", {"custom": {"type": "handoff", "kf_account": None}}, "visitor-1"),
    ]


def test_channel_keeps_the_socketio_settings():
    channel = WebchatInput.from_credentials({"session_persistence": True})
    assert channel.name() == "socketio" and channel.session_persistence
    assert channel.socketio_path == "/socket.io"


def test_bot_lines_render_as_paragraphs_and_lists_in_commonmark():
    bot_text = "**区别**\n**定位**\n- 运营：过程\n- 推广：销售\n**内容**\n1. 店铺\n2. 推广"
    assert widget_markdown(bot_text) == (
        "**区别**\n\n**定位**\n\n- 运营：过程\n- 推广：销售\n\n**内容**\n\n1. 店铺\n2. 推广"
    )


def test_buttons_stay_on_the_normalised_text():
    sio = RecordingServer()
    asyncio.run(
        WebchatOutput(sio, "bot_uttered").send_text_with_buttons(
            "v", "**标题**\n- 一", [{"title": "联系客服", "payload": "/request_human"}]
        )
    )
    [(_, message, _)] = sio.emitted
    assert message["text"] == "**标题**\n\n- 一"
    assert message["quick_replies"][0]["title"] == "联系客服"


def test_answers_are_marked_for_ratings_and_prompts_are_not():
    sio = RecordingServer()
    output = WebchatOutput(sio, "bot_uttered")
    asyncio.run(output.send_response("v", {"text": "**淘宝运营**\n- 定位", "buttons": [], "answer": True}))
    asyncio.run(output.send_response("v", {"text": "好的，请问怎么称呼您？"}))
    answer, prompt = (data for _, data, _ in sio.emitted)
    assert answer["answer"] is True and "answer" not in prompt
    assert answer["id"] != prompt["id"]  # two tabs of one visitor show each message once


class Socket:
    """The channel's socket.io handlers driven without a network: connections, what they emit."""

    def __init__(self, monkeypatch, env=None):
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        self.channel = WebchatInput.from_credentials({"session_persistence": True})
        self.received = []

        self.addresses = []

        async def on_new_message(message):
            # What reaches Rasa, less what the server adds: the conversation's context (channels/turn.py)
            # and the visitor's address as the server saw it (kept in self.addresses).
            metadata = {k: v for k, v in (message.metadata or {}).items() if k != "context"}
            self.addresses.append(metadata.pop("client_address", None))
            message.metadata = metadata
            self.received.append(message)

        self.channel.blueprint(on_new_message)
        self.channel.turns.use(ScriptedAgent(on_new_message))
        self.sio = self.channel.sio
        self.emitted = []

        async def emit(event, data=None, room=None, **kwargs):
            self.emitted.append((event, data, room))

        self.sio.emit = emit
        self.handlers = self.sio.handlers["/"]
        self.count = 0

    def connect(self, address="203.0.113.5") -> str:
        self.count += 1
        sid = self.sio.manager.connect(f"eio{self.count}", "/")
        assert asyncio.run(self.handlers["connect"](sid, {"REMOTE_ADDR": address}, None)) is not False
        return sid

    def session(self, sid, offered=None) -> dict:
        asyncio.run(self.handlers["session_request"](sid, offered))
        event, confirm, room = self.emitted[-1]
        assert event == "session_confirm" and room == sid
        return confirm

    def say(self, sid, payload):
        asyncio.run(self.handlers["user_uttered"](sid, payload))


def test_the_server_issues_the_session_and_a_client_chosen_one_is_refused(monkeypatch):
    socket = Socket(monkeypatch)
    sid = socket.connect()
    confirm = socket.session(sid, {"session_id": "victims-conversation", "token": "x"})
    issued = confirm["session_id"]
    assert re.fullmatch(r"[0-9a-f]{32}", issued) and confirm["resumed"] is False
    socket.say(sid, {"message": "你好", "session_id": "victims-conversation"})
    socket.say(sid, {"message": "你好", "session_id": "另一个"})
    assert socket.received == []  # a message may not name another session
    socket.say(sid, {"message": "你好", "session_id": issued})
    socket.say(sid, {"message": "在吗"})
    assert [m.sender_id for m in socket.received] == ["web:" + issued] * 2


def test_a_message_before_the_session_is_issued_is_dropped(monkeypatch):
    socket = Socket(monkeypatch)
    sid = socket.connect()
    socket.say(sid, {"message": "你好", "session_id": "abcdefgh12345678"})
    assert socket.received == []


def test_a_session_resumes_only_with_its_token(monkeypatch):
    socket = Socket(monkeypatch)
    first = socket.session(socket.connect())
    again = socket.session(socket.connect(), {"session_id": first["session_id"], "token": first["token"]})
    assert again == {**first, "resumed": True}  # a reload continues the conversation
    forged = socket.session(socket.connect(), {"session_id": first["session_id"], "token": "0" * 32})
    assert forged["session_id"] != first["session_id"] and forged["resumed"] is False


def test_metadata_keeps_only_small_allowed_fields(monkeypatch):
    socket = Socket(monkeypatch)
    sid = socket.connect()
    issued = socket.session(sid)["session_id"]
    flood = {"button": "联系客服", "page": "x" * 60_000, "customData": {"a": [1] * 1000}, "context": {"x": 1}}
    socket.say(sid, {"message": "/request_human", "session_id": issued, "metadata": flood})
    socket.say(sid, {"message": "你好", "metadata": {"button": "长" * 65}})
    assert [m.metadata for m in socket.received] == [{"button": "联系客服"}, {}]
    assert allowed_metadata('{"button": "好的"}') == {"button": "好的"} and allowed_metadata("{x") == {}
    page = "https://www.chuangyiling.example/article/12"
    assert allowed_metadata({"page": page}) == {"page": page}
    for bad in ("javascript:alert(1)", page + "?phone=13800138000", page + "#x", "https://" + "a" * 300):
        assert allowed_metadata({"page": bad}) == {}, bad


LIMITED = {"VISITOR_RATE_PER_SECOND": "0.1", "VISITOR_RATE_BURST": "1"}


def test_one_connection_sending_fast_is_limited_like_a_visitor(monkeypatch):
    socket = Socket(monkeypatch, LIMITED)
    sid = socket.connect()
    socket.session(sid)
    rate = ConnectionRate(LIMITED)
    assert rate.wait_for(sid, "a") == 0 and 0 < rate.wait_for(sid, "a") <= 10  # the second waits its turn
    assert rate.wait_for(sid, "a") is None  # the third would wait too long: refused


def test_many_connections_from_one_address_are_limited_and_others_are_not(monkeypatch):
    socket = Socket(monkeypatch, LIMITED)
    sids = [socket.connect("198.51.100.7") for _ in range(30)]
    for sid in sids:
        socket.session(sid)
    rate = ConnectionRate(LIMITED)
    waits = [rate.wait_for(sid, "198.51.100.7") for sid in sids]
    assert waits[:10] == [0.0] * 10 and None in waits  # ten visitors' worth, then refused
    assert rate.wait_for("another", "192.0.2.1") == 0.0


def test_a_refused_message_gets_a_polite_line_not_a_turn(monkeypatch):
    socket = Socket(monkeypatch, LIMITED)
    sid = socket.connect()
    socket.session(sid)
    real_sleep = asyncio.sleep
    monkeypatch.setattr(asyncio, "sleep", lambda seconds: real_sleep(0))  # the wait for its turn
    for _ in range(3):
        socket.say(sid, {"message": "你好"})
    assert len(socket.received) == 2
    event, reply, room = socket.emitted[-1]
    assert event == "bot_uttered" and room == sid and "客服" in reply["text"]


@pytest.mark.parametrize(
    "environ, address",
    [
        ({"REMOTE_ADDR": "203.0.113.5", "HTTP_X_REAL_IP": "1.2.3.4"}, "203.0.113.5"),  # forged from outside
        ({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_REAL_IP": "198.51.100.7"}, "198.51.100.7"),  # the project's nginx
        ({"REMOTE_ADDR": "127.0.0.1"}, "127.0.0.1"),
    ],
)
def test_the_address_is_the_peer_unless_it_is_the_local_proxy(environ, address):
    from assistant.client_address import of_socket_environ

    assert of_socket_environ(environ, trusted=frozenset({"127.0.0.1", "::1"})) == address

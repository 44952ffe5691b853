"""Bad input on the widget's socket.io channel (channels/webchat.py, /socket.io on the Rasa port):
the server neither crashes nor answers 5xx, the same connection still answers a normal question
afterwards, and markup a visitor sends is never sent back."""

from __future__ import annotations

import asyncio
import contextlib
import json
import urllib.error
import urllib.request

import aiohttp
import pytest
import socketio
from hypothesis import example, given, settings
from hypothesis import strategies as st

from channels.webchat import WebchatInput

QUESTION = "淘宝运营和推广专员有什么区别"
REPLY_TIMEOUT = 30  # seconds, per expected reply
SCRIPT = "<script>alert(1)</script>"

# What a broken or hostile widget could emit as `user_uttered`; the session id is added below.
BAD_MESSAGES = {
    "empty": {"message": ""},
    "too long": {"message": "运" * 6_000},  # over MAX_MESSAGE_CHARS, under the 64 KB frame limit
    "binary": {"message": bytes(range(256))},
    "invalid UTF-8": {"message": b"\xff\xfe\xc3\x28\xed\xa0\x80"},
    "lone surrogate": {"message": "\ud800你好"},
    "number": {"message": 42},
    "list": {"message": ["淘宝", "运营"]},
    "dict": {"message": {"text": "你好"}},
    "null": {"message": None},
    "no message": {"text": "你好"},
    "unknown fields": {"message": "你好", "foo": {"bar": [1, 2]}, "customData": {"language": "zh"}},
    "string metadata": {"message": "你好", "metadata": "{not json"},
    "list metadata": {"message": "你好", "metadata": [1, 2]},
    "script tag": {"message": f"{SCRIPT}你好"},
}
# Payloads that are not an object at all. None of the bad input asks QUESTION.
BAD_PAYLOADS = [42, ["你好"], "你好", None, b"\xff\xfe"]


def _answers_the_question(message: dict) -> bool:
    text = message.get("text") or ""
    return "淘宝运营" in text and "推广专员" in text


@contextlib.asynccontextmanager
async def _widget(url: str):
    """One widget connection with a confirmed session: yields (client, session_id, replies queue)."""
    received: asyncio.Queue = asyncio.Queue()
    client = socketio.AsyncClient(reconnection=False)
    client.on("bot_uttered", received.put_nowait)
    confirmed = asyncio.get_running_loop().create_future()
    client.on("session_confirm", confirmed.set_result)
    # Long-polling: python-engineio 4.15's websocket client needs aiohttp 3.10, Rasa 3.6 pins 3.9.
    # The server's event handlers are the same for both transports; raw websocket frames are below.
    await client.connect(url, socketio_path="/socket.io", transports=["polling"])
    try:
        await client.emit("session_request", {})
        confirm = await asyncio.wait_for(confirmed, REPLY_TIMEOUT)
        yield client, confirm["session_id"], received
    finally:
        await client.disconnect()


async def _chat(url: str, payloads: list) -> tuple[list, list]:
    """Sends `payloads` then QUESTION on one widget connection; returns (replies, QUESTION's reply)."""
    async with _widget(url) as (client, session_id, received):
        for payload in payloads:
            await client.emit(
                "user_uttered", {**payload, "session_id": session_id} if isinstance(payload, dict) else payload
            )
            await asyncio.sleep(0.1)  # a burst is tested on its own below
        # One visitor's messages are handled in order, so QUESTION's answer comes after the rest.
        await client.emit("user_uttered", {"message": QUESTION, "session_id": session_id})
        replies = []
        while not replies or not _answers_the_question(replies[-1]):
            replies.append(await asyncio.wait_for(received.get(), REPLY_TIMEOUT))
        assert client.connected
        return replies, replies[-1]


def test_channel_drops_payloads_rasa_cannot_handle_and_passes_the_rest(monkeypatch):
    from tests.channels.test_webchat import Socket

    socket = Socket(monkeypatch)
    sid = socket.connect()
    session = socket.session(sid)["session_id"]
    for payload in [{**bad, "session_id": session} for bad in BAD_MESSAGES.values()] + BAD_PAYLOADS:
        socket.say(sid, payload)
    socket.say(sid, {"message": QUESTION, "session_id": session, "metadata": '{"button": "淘宝运营"}'})
    received = [(m.text, m.sender_id, m.metadata) for m in socket.received]
    assert received[-1] == (QUESTION, "web:" + session, {"button": "淘宝运营"})  # the widget's own namespace
    # The visitor's address is the channel's to say (assistant.client_address), never the client's.
    socket.say(sid, {"message": QUESTION, "session_id": session, "metadata": {"client_address": "192.0.2.1"}})
    socket.received.pop()
    assert socket.addresses.pop() == "203.0.113.5"  # the connection's, not the one the client sent
    # Only text messages reach Rasa (the too-long one is answered politely by the turn); metadata
    # that is not a JSON object is left out, the message kept.
    assert [(text[:9], metadata) for text, _, metadata in received] == [
        ("?你好", {}),
        ("你好", {}),
        ("你好", {}),
        ("你好", {}),
        (SCRIPT[:9], {}),
        (QUESTION[:9], {"button": "淘宝运营"}),
    ]


def test_bad_messages_get_no_crash_and_the_next_question_its_answer(bot):
    replies, answer = asyncio.run(_chat(bot.url, list(BAD_MESSAGES.values()) + BAD_PAYLOADS))
    assert _answers_the_question(answer)
    assert all(proc.poll() is None for proc in bot.procs)
    sent_back = json.dumps(replies, ensure_ascii=False)
    assert "<script" not in sent_back.lower()


async def _raw_engineio_junk(url: str) -> None:
    """Malformed frames below socket.io, as a hand-written client might send them."""
    ws_url = url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(ws_url) as ws:
            await ws.receive()  # engine.io "open"
            await ws.send_str("40")  # socket.io connect
            await ws.receive()
            for frame in ["42[", '42{"a":', '42["user_uttered"]', "4" + "x" * 100_000, "9", ""]:
                await ws.send_str(frame)
            await ws.send_bytes(b"\xff\xfe\x00\xc3\x28")


def _post_status(url: str, body: bytes, content_type: str = "text/plain;charset=UTF-8") -> int:
    request = urllib.request.Request(url, body, {"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=REPLY_TIMEOUT) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_malformed_frames_and_polling_bodies_get_no_5xx_and_the_server_keeps_answering(bot):
    asyncio.run(_raw_engineio_junk(bot.url))
    polling = f"{bot.url}/socket.io/?EIO=4&transport=polling"
    with urllib.request.urlopen(polling, timeout=REPLY_TIMEOUT) as response:  # handshake
        sid = json.loads(response.read().decode("utf-8")[1:])["sid"]
    bodies = [b"", b"\xff\xfe\xc3\x28", bytes(range(256)), b"42[" + b"x" * 100_000, b"40", b'42["user_uttered",42]']
    statuses = {body[:8]: _post_status(f"{polling}&sid={sid}", body) for body in bodies}
    statuses["unknown sid"] = _post_status(f"{polling}&sid=nope", b"40")
    statuses["no sid"] = _post_status(polling, b"\xff")
    assert all(status < 500 for status in statuses.values()), statuses
    _, answer = asyncio.run(_chat(bot.url, []))
    assert _answers_the_question(answer)
    assert all(proc.poll() is None for proc in bot.procs)


async def _burst(url: str, questions: list[str]) -> list[dict]:
    """Emits all `questions` at once on one long-polling connection; returns the replies."""
    async with _widget(url) as (client, session_id, received):
        await asyncio.gather(
            *(client.emit("user_uttered", {"message": q, "session_id": session_id}) for q in questions)
        )
        replies = []
        while sum("品牌简化决策" in (r.get("text") or "") for r in replies) < len(questions):
            replies.append(await asyncio.wait_for(received.get(), REPLY_TIMEOUT))
        return replies


def test_a_burst_of_messages_in_one_polling_request_is_answered_in_full(bot):
    # The client batches the burst into one POST: engine.io alone would refuse it whole.
    replies = asyncio.run(_burst(bot.url, [f"什么是无形价值 {i}" for i in range(24)]))
    assert sum("品牌简化决策" in (r.get("text") or "") for r in replies) == 24


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.binary(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
PAYLOADS = JSON_VALUES | st.fixed_dictionaries(
    {},
    optional={
        "message": JSON_VALUES | st.text(max_size=40),
        "session_id": JSON_VALUES,
        "metadata": JSON_VALUES | st.text(max_size=20),
        "customData": JSON_VALUES,
    },
)


@settings(max_examples=300, deadline=None)
@given(PAYLOADS)
@example({"message": "\x1b", "session_id": "s1", "metadata": ""})  # found by hypothesis: only a control character
def test_any_payload_is_dropped_or_reaches_rasa_as_text(payload):
    from tests.channels.test_webchat import Socket

    with pytest.MonkeyPatch.context() as monkeypatch:
        socket = Socket(monkeypatch)
    sid = socket.connect()
    session = socket.session(sid)["session_id"]
    socket.say(sid, payload)
    for message in socket.received:
        assert isinstance(message.text, str) and message.text.strip()
        message.text.encode("utf-8")  # no lone surrogate reaches the NLU or the stores
        assert isinstance(message.metadata, dict) and set(message.metadata) <= {"button"}
        assert message.sender_id == "web:" + session  # whatever session_id the payload named


@pytest.mark.parametrize(
    "origin, accepted",
    [("https://evil.example", False), ("http://localhost:8080", True), ("http://localhost:8080/", True), (None, True)],
)
def test_the_socket_accepts_only_the_configured_page_origins(monkeypatch, origin, accepted):
    monkeypatch.setenv("CORS_ORIGINS", "http://localhost:8080 http://127.0.0.1:8080")
    channel = WebchatInput.from_credentials({"session_persistence": True})
    channel.blueprint(lambda message: None)
    environ = {"HTTP_ORIGIN": origin} if origin else {}
    assert asyncio.run(channel.sio.handlers["/"]["connect"]("sid", environ, None)) is accepted


@pytest.mark.parametrize(
    "text, shown",
    [
        ("[点我](javascript:alert(1))", "点我"),
        ("[点我](JaVa\tScript:alert(1))", "点我"),
        ("[图](data:text/html;base64,PHNjcmlwdD4=)", "图"),
        ("<javascript:alert(1)>", "alert(1)"),
        ("[电话](tel:17585982043)", "[电话](tel:17585982043)"),
        ("[官网](https://www.example.com/a)", "[官网](https://www.example.com/a)"),
        ("[微信](weixin://bizmsgmenu?msgmenucontent=1)", "[微信](weixin://bizmsgmenu?msgmenucontent=1)"),
    ],
)
def test_only_http_https_tel_and_weixin_links_reach_the_widget(text, shown):
    from channels.webchat import safe_links

    assert safe_links(f"您发来的「{text}」") == f"您发来的「{shown}」"


async def _chosen_session(url: str) -> tuple[dict, list]:
    """A client that asks for a session of its own choosing, then writes into it."""
    received: asyncio.Queue = asyncio.Queue()
    client = socketio.AsyncClient(reconnection=False)
    client.on("bot_uttered", received.put_nowait)
    confirmed = asyncio.get_running_loop().create_future()
    client.on("session_confirm", confirmed.set_result)
    await client.connect(url, socketio_path="/socket.io", transports=["polling"])
    try:
        await client.emit("session_request", {"session_id": "someone-elses-session"})
        confirm = await asyncio.wait_for(confirmed, REPLY_TIMEOUT)
        await client.emit("user_uttered", {"message": QUESTION, "session_id": "someone-elses-session"})
        replies = []
        with contextlib.suppress(asyncio.TimeoutError):
            replies.append(await asyncio.wait_for(received.get(), 5))
        return confirm, replies
    finally:
        await client.disconnect()


def test_a_session_the_client_chose_is_refused_over_the_socket(bot):
    confirm, replies = asyncio.run(_chosen_session(bot.url))
    assert confirm["session_id"] != "someone-elses-session" and not confirm["resumed"]
    assert replies == []  # nothing was written into the chosen conversation
    assert bot.say("probe", "你好")  # the server is fine

"""channels/webchat.py: the widget's socket.io channel survives the hand-off payload."""

import asyncio

from channels.webchat import WebchatInput, WebchatOutput, widget_markdown


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
    assert sio.emitted == [
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

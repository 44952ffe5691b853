"""Test doubles: WeChat's server (signs, encrypts, retries), the WeChat front and the Rasa side's
channel on real Sanic servers on loopback with a scripted bot, and a stub customer-service API."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Dict, List, Optional

import xmltodict
from sanic import Sanic
from wechatpy.crypto import WeChatCrypto

from channels.wechat.__main__ import create_app as create_front_app
from channels.wechat.channel import WeChatInput
from channels.wechat.front import WeChatFront
from channels.wechat.relay import RasaRelay
from channels.wechat.settings import load_settings
from harness.bot_process import free_port
from harness.scripted_agent import ScriptedAgent

TOKEN = "testtoken42"
APP_ID = "wx49f0ab532d5d035a"
APP_SECRET = "s3cr3t-app-secret-value"
AES_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
ACCOUNT = "gh_creativeridge"
_names = itertools.count()
Sanic.test_mode = True  # lets several apps start in one test process (Sanic's TouchUp)
_msg_ids = itertools.count(int(time.time() * 1000))


def settings_for(env: Optional[dict] = None, **options):
    environ = {"WECHAT_TOKEN": TOKEN, **(env or {})}
    return load_settings(options, environ)


# ---------------------------------------------------------------- messages WeChat sends


def cdata(value) -> str:
    return "<![CDATA[" + str(value).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def message_xml(openid: str, msg_type: str, create_time: Optional[int] = None, **fields) -> str:
    body = {
        "ToUserName": cdata(ACCOUNT),
        "FromUserName": cdata(openid),
        "CreateTime": str(create_time or int(time.time())),
        "MsgType": cdata(msg_type),
    }
    for name, value in fields.items():
        body[name] = value if isinstance(value, int) else cdata(value)
    return "<xml>" + "".join(f"<{k}>{v}</{k}>" for k, v in body.items()) + "</xml>"


def text_xml(openid: str, content: str, msg_id: Optional[int] = None, **extra) -> str:
    return message_xml(openid, "text", Content=content, MsgId=msg_id or next(_msg_ids), **extra)


def event_xml(openid: str, event: str, create_time: Optional[int] = None, **extra) -> str:
    return message_xml(openid, "event", create_time=create_time, Event=event, **extra)


# ---------------------------------------------------------------- WeChat's server


@dataclass
class Reply:
    status: int
    body: str
    kind: str = ""  # "success", "empty", a MsgType ("text", "transfer_customer_service"), "error"
    content: str = ""
    fields: dict = field(default_factory=dict)
    seconds: float = 0.0


def sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


class FakeWeChat:
    """Signs (and in safe mode encrypts) like WeChat, and verifies replies like WeChat."""

    def __init__(
        self, url: str, token: str = TOKEN, aes_key: Optional[str] = None, app_id: str = APP_ID, timeout: float = 5.0
    ):
        self.url = url
        self.token = token
        self.crypto = WeChatCrypto(token, aes_key, app_id) if aes_key else None
        self.timeout = timeout

    def query(self, timestamp: Optional[int] = None, nonce: str = "") -> dict:
        timestamp = str(timestamp if timestamp is not None else int(time.time()))
        nonce = nonce or str(next(_msg_ids))
        return {"signature": sign(self.token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}

    def url_check(self, echostr: str, **overrides) -> Reply:
        return self.raw("GET", {**self.query(), "echostr": echostr, **overrides})

    def post(
        self, xml: str, encrypted: bool = False, query: Optional[dict] = None, timeout: Optional[float] = None
    ) -> Reply:
        query = dict(query or self.query())
        body = xml
        if encrypted:
            sealed = xmltodict.parse(self.crypto.encrypt_message(xml, query["nonce"], query["timestamp"]))["xml"]
            body = f"<xml><ToUserName>{cdata(ACCOUNT)}</ToUserName><Encrypt>{cdata(sealed['Encrypt'])}</Encrypt></xml>"
            query.update(encrypt_type="aes", msg_signature=sealed["MsgSignature"])
        reply = self.raw("POST", query, body.encode("utf-8"), timeout)
        if encrypted and reply.status == 200 and reply.body.startswith("<xml>"):
            sealed = xmltodict.parse(reply.body)["xml"]
            # decrypt_message checks MsgSignature as WeChat does.
            reply.body = self.crypto.decrypt_message(
                reply.body, sealed["MsgSignature"], sealed["TimeStamp"], sealed["Nonce"]
            )
        return classify(reply)

    def deliver(self, xml: str, encrypted: bool = False, attempts: int = 3, timeout: Optional[float] = None) -> tuple:
        """WeChat's retry loop: the same message until an answer arrives; (reply, attempts used)."""
        query = self.query()
        for attempt in range(1, attempts + 1):
            reply = self.post(xml, encrypted, query, timeout)
            if reply.kind != "error":
                return reply, attempt
        return reply, attempts

    def raw(self, method: str, query: dict, body: Optional[bytes] = None, timeout: Optional[float] = None) -> Reply:
        url = self.url + "?" + urllib.parse.urlencode(query)
        started = time.monotonic()
        request = urllib.request.Request(url, data=body, method=method, headers={"Content-Type": "text/xml"})
        try:
            with urllib.request.urlopen(request, timeout=timeout or self.timeout) as resp:
                reply = Reply(resp.status, resp.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            reply = Reply(error.code, error.read().decode("utf-8", "replace"), kind="error")
        except OSError:  # timeout or connection closed without an answer
            reply = Reply(0, "", kind="error")
        reply.seconds = time.monotonic() - started
        return reply


def classify(reply: Reply) -> Reply:
    if reply.kind == "error" or reply.status != 200:
        reply.kind = "error"
    elif reply.body == "success":
        reply.kind = "success"
    elif reply.body == "":
        reply.kind = "empty"
    else:
        reply.fields = xmltodict.parse(reply.body)["xml"]
        reply.kind = reply.fields["MsgType"]
        reply.content = reply.fields.get("Content") or ""
    return reply


# ---------------------------------------------------------------- the channel on Sanic


class ScriptedBot:
    """Stands in for Rasa: answers from a script, records every message it receives."""

    def __init__(self, script: Optional[Callable[[str], list]] = None, delay: float = 0.0):
        self.script = script or (lambda text: [{"text": f"答：{text}"}])
        self.delay = delay
        self.calls: List[tuple] = []

    async def __call__(self, message) -> None:
        self.calls.append((message.sender_id, message.text))
        await asyncio.sleep(self.delay)
        out = message.output_channel
        for m in self.script(message.text):
            if "custom" in m:
                await out.send_custom_json(message.sender_id, m["custom"])
            elif m.get("buttons"):
                await out.send_text_with_buttons(message.sender_id, m["text"], m["buttons"])
            else:
                await out.send_text_message(message.sender_id, m["text"])

    def texts(self) -> List[str]:
        return [text for _, text in self.calls]


class _Served:
    """A Sanic app on a free loopback port, in a thread with its own event loop."""

    def __init__(self, app: Sanic):
        self.app = app
        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def run(self, coro, timeout: float = 10):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    async def _start(self):
        self.server = await self.app.create_server(
            host="127.0.0.1", port=self.port, return_asyncio_server=True, access_log=False
        )
        await self.server.startup()
        await self.server.before_start()  # the listeners, as on a real start (channels/turn.py)

    async def _stop(self):
        self.server.close()
        await self.server.wait_closed()

    def start(self) -> None:
        self.thread.start()
        self.run(self._start())

    def stop(self) -> None:
        self.run(self._stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


class ChannelServer:
    """The WeChat front and the Rasa server's WeChat channel, each on a real Sanic server with
    an event loop of its own (as their two processes have), a scripted bot in place of Rasa."""

    def __init__(self, settings, bot: Optional[ScriptedBot] = None, nonces=None):
        self.bot = bot or ScriptedBot()
        name = next(_names)
        rasa_app = Sanic(f"wechat_test_rasa_{name}", configure_logging=False)
        rasa_app.ctx.agent = ScriptedAgent(self.bot)  # the channel's turns reach the scripted bot
        rasa_app.blueprint(WeChatInput(settings).blueprint(self.bot), url_prefix="/webhooks/wechat")
        self.rasa = _Served(rasa_app)
        self.relay = RasaRelay(f"http://127.0.0.1:{self.rasa.port}", settings.token if settings else "")
        self.channel = WeChatFront(settings, self.relay.ask, nonces)
        self.front = _Served(create_front_app(self.channel, self.relay, name=f"wechat_test_front_{name}"))
        self.rasa_url = f"http://127.0.0.1:{self.rasa.port}/webhooks/wechat"
        self.url = f"http://127.0.0.1:{self.front.port}/webhooks/wechat/webhook"

    def __enter__(self) -> ChannelServer:
        self.rasa.start()
        self.front.start()
        return self

    def __exit__(self, *exc) -> None:
        self.front.stop()
        self.rasa.stop()

    def wechat(self, **kwargs) -> FakeWeChat:
        return FakeWeChat(self.url, **kwargs)


# ---------------------------------------------------------------- customer-service API stub


class StubCustomerServiceApi:
    """api.weixin.qq.com's token, message/custom/send and online-agent endpoints, on loopback.

    `errors` is a queue of errcodes returned by message/custom/send before it succeeds."""

    def __init__(
        self, errors: Optional[List[int]] = None, token_delay: float = 0.0, online: Optional[List[dict]] = None
    ):
        self.errors = list(errors or [])
        # customservice/getonlinekflist: the agents online (status 1 = taking conversations)
        self.online = [{"kf_account": "kf1@x", "status": 1, "accepted_case": 0}] if online is None else online
        self.token_delay = token_delay
        self.token_fetches = 0
        self.sent: List[dict] = []
        self.send_attempts = 0
        self.lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                path = urllib.parse.urlparse(self.path)
                params = dict(urllib.parse.parse_qsl(path.query))
                if path.path.endswith("/token") and params.get("secret") == APP_SECRET:
                    time.sleep(stub.token_delay)
                    with stub.lock:
                        stub.token_fetches += 1
                        token = f"token-{stub.token_fetches}"
                    return self._json({"access_token": token, "expires_in": 7200})
                if path.path.endswith("/customservice/getonlinekflist"):
                    return self._json({"kf_online_list": stub.online})
                self._json({"errcode": 40125, "errmsg": "invalid appsecret"})

            def do_POST(self):
                path = urllib.parse.urlparse(self.path)
                params = dict(urllib.parse.parse_qsl(path.query))
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])).decode())
                with stub.lock:
                    stub.send_attempts += 1
                    error = stub.errors.pop(0) if stub.errors else 0
                    if not error:
                        stub.sent.append({**body, "access_token": params.get("access_token")})
                self._json({"errcode": error, "errmsg": "ok" if not error else "stub error"})

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_port}/cgi-bin/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def contents(self) -> List[str]:
        return [m["text"]["content"] for m in self.sent]

    def wait_for(self, count: int, timeout: float = 10) -> List[str]:
        deadline = time.monotonic() + timeout
        while len(self.sent) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.contents()

    def __enter__(self) -> StubCustomerServiceApi:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def api_env() -> Dict[str, str]:
    return {"WECHAT_APP_ID": APP_ID, "WECHAT_APP_SECRET": APP_SECRET}

"""Authenticity of WeChat's requests: signatures, freshness, decryption, safe XML.

Every failure is a `Rejected` carrying the HTTP status to answer with; wechatpy's own
errors (plain KeyError/ValueError/ExpatError, binascii/struct errors) never escape.
"""

from __future__ import annotations

import binascii
import struct
import time
from dataclasses import dataclass
from typing import Mapping
from xml.parsers import expat
from xml.parsers.expat import ExpatError

import xmltodict
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.utils import check_signature

from channels.wechat.settings import WeChatSettings

PARSE_ERRORS = (
    ExpatError,
    ValueError,
    KeyError,
    TypeError,
    AttributeError,
    IndexError,
    binascii.Error,
    struct.error,
    UnicodeError,
)


class Rejected(Exception):
    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class OpenedRequest:
    xml: str  # the plain message XML
    encrypted: bool  # reply must be encrypted too
    nonce: str
    timestamp: str


class _ExpatWithoutDtd:
    """expat whose parsers refuse a DOCTYPE (entity bombs, external entities).

    The parser itself decides, so "<!DOCTYPE" typed by a visitor inside CDATA is text."""

    @staticmethod
    def ParserCreate(*args, **kwargs):
        parser = expat.ParserCreate(*args, **kwargs)
        parser.StartDoctypeDeclHandler = _refuse_dtd
        return parser


def _refuse_dtd(*_args):
    raise ValueError("DTDs are not accepted")


def parse_xml(text) -> dict:
    """The <xml> root as a dict; DTDs and entity declarations are refused."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    root = xmltodict.parse(text, expat=_ExpatWithoutDtd, disable_entities=True).get("xml")
    if not isinstance(root, dict):
        raise ValueError("no <xml> root element")
    return root


class RequestGuard:
    def __init__(self, settings: WeChatSettings, clock=time.time):
        self.settings = settings
        self.clock = clock
        self.crypto = WeChatCrypto(settings.token, settings.aes_key, settings.app_id) if settings.safe_mode else None

    def _check_query_signature(self, args: Mapping[str, str]) -> None:
        signature, timestamp, nonce = (args.get(k, "") for k in ("signature", "timestamp", "nonce"))
        if not (signature and timestamp and nonce):
            raise Rejected(403, "signature, timestamp and nonce are required")
        try:
            check_signature(self.settings.token, signature, timestamp, nonce)
        except InvalidSignatureException:
            raise Rejected(403, "invalid signature") from None
        self._check_fresh(timestamp)

    def _check_fresh(self, timestamp: str) -> None:
        try:
            skew = abs(self.clock() - int(timestamp))
        except ValueError:
            raise Rejected(403, "timestamp is not a number") from None
        if skew > self.settings.max_clock_skew_seconds:
            raise Rejected(403, f"timestamp is {int(skew)} s away from now")

    def url_check(self, args: Mapping[str, str]) -> str:
        """The echostr to send back for 微信公众平台's server URL check."""
        self._check_query_signature(args)
        echostr = args.get("echostr")
        if not echostr:
            raise Rejected(400, "echostr is missing")
        return echostr

    def open(self, args: Mapping[str, str], body: bytes) -> OpenedRequest:
        self._check_query_signature(args)
        if len(body) > self.settings.max_body_bytes:
            raise Rejected(413, "body too large")
        encrypted = args.get("encrypt_type", "raw").lower() == "aes"
        nonce, timestamp = args["nonce"], args["timestamp"]
        if encrypted and not self.settings.accepts_encrypted:
            raise Rejected(403, f"encrypted messages are refused in {self.settings.mode} mode")
        if not encrypted:
            if not self.settings.accepts_plain:
                raise Rejected(403, f"unencrypted messages are refused in {self.settings.mode} mode")
            try:
                parse_xml(body)
                return OpenedRequest(body.decode("utf-8"), False, nonce, timestamp)
            except PARSE_ERRORS:
                raise Rejected(400, "malformed XML") from None
        if self.crypto is None:
            raise Rejected(400, "encrypted message but no WECHAT_AES_KEY configured")
        msg_signature = args.get("msg_signature", "")
        if not msg_signature:
            raise Rejected(403, "msg_signature is required in safe mode")
        try:
            envelope = parse_xml(body)
            if not isinstance(envelope.get("Encrypt"), str):
                raise ValueError("no Encrypt element")
            xml = self.crypto.decrypt_message(envelope, msg_signature, timestamp, nonce)
            parse_xml(xml)
        except InvalidSignatureException:
            raise Rejected(403, "invalid msg_signature") from None
        except InvalidAppIdException:
            raise Rejected(403, "message is for another AppID") from None
        except PARSE_ERRORS:
            raise Rejected(400, "malformed or undecryptable message") from None
        return OpenedRequest(xml, True, nonce, timestamp)

    def seal(self, reply_xml: str, opened: OpenedRequest) -> str:
        """Encrypted requests get encrypted replies; plain ones plain XML."""
        if not opened.encrypted:
            return reply_xml
        return self.crypto.encrypt_message(reply_xml, opened.nonce, str(int(self.clock())))


def query_args(request_args: Mapping[str, list]) -> dict:
    """Sanic's multi-valued query args flattened to their first value."""
    return {k: v[0] if isinstance(v, list) and v else v for k, v in request_args.items()}

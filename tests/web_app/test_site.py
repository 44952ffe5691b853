"""The widget's site (web_app/site.py) without a browser: what it serves, refuses and patches."""

from __future__ import annotations

import re
import urllib.error
import urllib.request

import pytest

from tests.markers import starts_servers
from tests.web.widget import WebServer
from web_app import site as serve_web

pytestmark = pytest.mark.e2e  # starts the assistant's processes

SOCKET = "http://127.0.0.1:5005"


@pytest.fixture(scope="module")
@starts_servers
def base_url():
    with WebServer(SOCKET) as server:
        yield server.url.rstrip("/")


def fetch(url: str, method: str = "GET"):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method)) as resp:
            return resp.status, resp.headers, resp.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read().decode("utf-8")


def test_page_points_the_widget_at_the_socket_under_a_strict_policy(base_url):
    status, headers, body = fetch(base_url + "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert f'data-socket-url="{SOCKET}"' in body and "{{" not in body
    csp = headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self';" in csp
    assert f"connect-src 'self' {SOCKET} ws://127.0.0.1:5005;" in csp


def test_the_embed_script_carries_the_texts_and_contacts_and_names_the_hashed_chat(base_url):
    status, headers, body = fetch(base_url + "/widget.js")
    assert status == 200 and "javascript" in headers["Content-Type"] and headers["Cache-Control"] == "no-cache"
    # The contacts are in the embed script itself: shown even when the assistant is unreachable.
    assert "175-8598-2043" in body and "1454722008" in body and "人工客服" in body
    assert "__CYL_CONFIG__" not in body and "googleapis" not in body
    chat = re.search(r'"chat": ?"(chat-\w+\.js)"', body).group(1)
    status, headers, code = fetch(base_url + "/" + chat)
    assert status == 200 and headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "session_request" in code  # the socket.io client is bundled in
    # The rasa-webchat snippet's two lines still work on pages that have them.
    assert fetch(base_url + "/chat.js")[2] == body and fetch(base_url + "/webchat.js")[0] == 200


def test_the_first_open_weighs_under_60_kb_gzipped(base_url):
    import gzip

    loader = urllib.request.urlopen(
        urllib.request.Request(base_url + "/widget.js", headers={"Accept-Encoding": "gzip"})
    )
    zipped_loader = loader.read()
    chat = re.search(r'"chat": ?"(chat-\w+\.js)"', gzip.decompress(zipped_loader).decode()).group(1)
    zipped_chat = urllib.request.urlopen(
        urllib.request.Request(f"{base_url}/{chat}", headers={"Accept-Encoding": "gzip"})
    ).read()
    assert len(zipped_loader) < 4_000 and len(zipped_loader) + len(zipped_chat) < 60_000


@pytest.mark.parametrize(
    "path",
    [
        "/../package.json",
        "/node_modules/socket.io-client/package.json",
        "/dist/manifest.json",
        "/src/loader.js",
        "/loader.js",
        "/package-lock.json",
        "/index.html/x",
        "/%2e%2e/README.md",
    ],
)
def test_only_the_site_files_are_served(base_url, path):
    status, headers, _ = fetch(base_url + path)
    assert status == 404 and headers["Content-Security-Policy"]


def test_writes_are_refused_with_405(base_url):
    status, headers, _ = fetch(base_url + "/", method="POST")
    assert status == 405 and {m.strip() for m in headers["Allow"].split(",")} == {"GET", "HEAD"}


def test_a_missing_or_unexpected_build_is_refused_with_the_command_that_makes_it(tmp_path):
    with pytest.raises(serve_web.MissingBuild, match="make web-assets"):
        serve_web.load_widget(tmp_path)
    (tmp_path / "manifest.json").write_text('{"loader": "loader.js", "chat": "chat-X.js"}')
    (tmp_path / "loader.js").write_text("(()=>{})();")
    (tmp_path / "chat-X.js").write_text("")
    with pytest.raises(serve_web.MissingBuild, match="no place for the widget's texts"):
        serve_web.load_widget(tmp_path)


@pytest.mark.parametrize("url", ["localhost:5005", "ftp://bot", 'http://x"><script>', "http://"])
def test_malformed_socket_urls_are_rejected(url):
    with pytest.raises(ValueError):
        serve_web.content_security_policy(url)


def test_https_socket_allows_wss():
    assert "https://bot.example.com wss://bot.example.com" in serve_web.content_security_policy(
        "https://bot.example.com"
    )


def test_the_widget_build_is_compressed_and_revalidated_by_etag(base_url):
    plain = urllib.request.urlopen(base_url + "/widget.js")
    size, etag = len(plain.read()), plain.headers["ETag"]
    zipped = urllib.request.urlopen(
        urllib.request.Request(base_url + "/widget.js", headers={"Accept-Encoding": "gzip, br"})
    )
    body = zipped.read()
    assert zipped.headers["Content-Encoding"] == "gzip" and len(body) < size * 0.6
    import gzip

    assert len(gzip.decompress(body)) == size and etag
    status, headers, _ = fetch_with(base_url + "/widget.js", {"If-None-Match": etag})
    assert status == 304 and headers["ETag"] == etag


def fetch_with(url: str, headers: dict):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def test_office_hours_and_the_page_questions_are_public_for_the_widget(tmp_path):
    closed = {"OFFICE_HOURS": "Mon 03:00-03:01", "TRACKER_SQLITE_PATH": str(tmp_path / "t.db")}
    opened = {"OFFICE_HOURS": "Mon-Sun 00:00-23:59", "TRACKER_SQLITE_PATH": str(tmp_path / "t.db")}
    import json

    for env, is_open in ((closed, False), (opened, True)):
        with WebServer(SOCKET, env=env) as web:
            status, headers, body = fetch(web.url + "widget.json")
            data = json.loads(body)
            notice = data["hours"]
            assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"
            assert {"q": "什么是无形价值", "t": "什麼是無形價值", "p": "smswxjz"} in data["suggestions"]
            assert notice["open"] is is_open and (("非工作时间" in notice["text"]) is not is_open)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[]",
        b'{"session_id": "x", "kind": "answer", "value": "up"}',
        b'{"session_id": "abcdefgh1", "kind": "answer", "target": "1", "value": "5"}',
        b'{"session_id": "abcdefgh1", "kind": "vote", "value": "up"}',
        b'{"session_id": "../../etc/x", "kind": "chat", "value": "good"}',
    ],
)
def test_malformed_ratings_get_a_clear_400(base_url, body):
    req = urllib.request.Request(base_url + "/ratings", data=body, headers={"Content-Type": "application/json"})
    try:
        status = urllib.request.urlopen(req).status
    except urllib.error.HTTPError as err:
        status, text = err.code, err.read().decode()
        assert "error" in text
    assert status == 400

"""The website widget's files: the demo page, the embed script (/widget.js) and the chat it
loads when the visitor opens it (/chat-<hash>.js), both built from web/src/ by esbuild
(`make web-assets`, web/build.mjs).

/widget.js is the build's loader with the widget's texts (kb/widget.yml), the contacts and the
chat's file name filled in: a page embeds it with one line, and revalidates it (ETag) on every
load; the chat's name changes with its content, so browsers keep it for a year. The page may load
nothing from outside the site: a strict Content-Security-Policy allows only this origin plus the
Rasa socket.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "web"
DIST = WEB / "dist"
WIDGET_TEXTS = ROOT / "kb" / "widget.yml"
# Served as they are; with the page and the widget's build, nothing else is served.
STATIC = {
    "/demo.css": WEB / "demo.css",
    "/avatar.svg": WEB / "avatar.svg",
}
# Everything the web app serves to visitors' browsers (besides /staff/): a proxy in front routes
# these paths to it (production/nginx.py, production/deploy.py). The chat's file is named by its hash.
PUBLIC_PATHS = (
    *STATIC, "/index.html", "/privacy", "/widget.js", "/chat.js", "/webchat.js", "/widget.json",
    "/chat-[A-Za-z0-9_-]+.js", "/ratings",
)  # fmt: skip
CONFIG_PLACEHOLDER = '"__CYL_CONFIG__"'
# The chat's name carries its content hash: cached for a year, never revalidated.
IMMUTABLE = "public, max-age=31536000, immutable"
HOST_PORT = re.compile(r"[A-Za-z0-9.\-]+(:\d{1,5})?|\[[0-9A-Fa-f:.]+\](:\d{1,5})?")


class MissingBuild(RuntimeError):
    pass


def widget_config() -> dict:
    """What the embed script carries: the widget's texts and the contacts (kb/)."""
    import yaml

    from assistant.kb import load_kb

    contacts = load_kb().contacts
    texts = yaml.safe_load(WIDGET_TEXTS.read_text(encoding="utf-8"))
    return {"texts": texts, "contacts": {"phone": contacts["phone"], "wechat": contacts["wechat"]}}


def load_widget(dist: Path = DIST) -> dict[str, bytes]:
    """{route: body} of the built widget: /widget.js (the loader, filled in) and /chat-<hash>.js."""
    manifest = dist / "manifest.json"
    if not manifest.exists():
        raise MissingBuild(f"{manifest} is missing: run `make web-assets` (npm ci and the build in web/) first")
    names = json.loads(manifest.read_text(encoding="utf-8"))
    loader = (dist / names["loader"]).read_text(encoding="utf-8")
    if loader.count(CONFIG_PLACEHOLDER) != 1:
        raise MissingBuild(f"{dist / names['loader']}: unexpected build, no place for the widget's texts")
    config = {**widget_config(), "chat": names["chat"]}
    filled = loader.replace(CONFIG_PLACEHOLDER, json.dumps(config, ensure_ascii=False))
    return {"/widget.js": filled.encode("utf-8"), "/" + names["chat"]: (dist / names["chat"]).read_bytes()}


def socket_origins(socket_url: str) -> str:
    """The http(s) and ws(s) origins of the Rasa socket, for connect-src."""
    parts = urlsplit(socket_url)
    if parts.scheme not in ("http", "https") or not HOST_PORT.fullmatch(parts.netloc):
        raise ValueError(f"socket URL must be http(s)://host[:port], got {socket_url!r}")
    ws = "wss" if parts.scheme == "https" else "ws"
    return f"{parts.scheme}://{parts.netloc} {ws}://{parts.netloc}"


def content_security_policy(socket_url: str) -> str:
    # Scripts and styles are same-origin files, never inline (the widget's styles are
    # constructed style sheets of its shadow root, which style-src does not govern).
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; "
        "img-src 'self' data:; font-src 'self' data:; "
        f"connect-src 'self' {socket_origins(socket_url)}; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


PRIVACY_TEXT = ROOT / "kb" / "privacy.md"
TEMPLATES = Path(__file__).resolve().parent / "templates"


def privacy_blocks(text: str) -> list[tuple[str, str]]:
    """kb/privacy.md as (h1 | h2 | p, text): `# ` and `## ` headings, paragraphs between blank lines."""
    blocks = []
    for block in re.split(r"\n\s*\n", text.strip()):
        line = " ".join(block.split())
        if line.startswith("## "):
            blocks.append(("h2", line[3:]))
        elif line.startswith("# "):
            blocks.append(("h1", line[2:]))
        elif line:
            blocks.append(("p", line))
    return blocks


def render_privacy(kb=None) -> bytes:
    """The privacy text the callback form links to, from kb/privacy.md (the agency edits it),
    with the retention limit and the contacts filled in."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from assistant.kb import load_kb
    from privacy.settings import retention_days

    contacts = (kb or load_kb()).contacts
    text = PRIVACY_TEXT.read_text(encoding="utf-8").format(
        retention_days=retention_days(), phone=contacts["phone"], wechat=contacts["wechat"]
    )
    blocks = privacy_blocks(text)
    title = next((t for kind, t in blocks if kind == "h1"), "")
    templates = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    return templates.get_template("privacy.html").render(title=title, blocks=blocks).encode("utf-8")


def render_index(socket_url: str, kb=None) -> bytes:
    """The demo page (web/index.html, a Jinja2 template): the page's comparisons from the
    knowledge base, with the widget's embed snippet."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from assistant.kb import load_kb
    from assistant.phrasebook import load_phrasebook
    from assistant.text import chinese_punctuation

    templates = Environment(loader=FileSystemLoader(WEB), autoescape=select_autoescape(["html"]))
    templates.filters["cn"] = chinese_punctuation  # the page's texts are stored with ASCII commas
    page = templates.get_template("index.html").render(
        kb=kb or load_kb(), phrases=load_phrasebook(), socket_url=socket_url
    )
    return page.encode("utf-8")


@dataclass(frozen=True)
class File:
    """A served file, with its gzip form (made once), an ETag of its content and how long
    browsers may keep it without asking."""

    body: bytes
    content_type: str
    gzipped: bytes
    etag: str
    cache: str = "no-cache"

    @classmethod
    def of(cls, body: bytes, content_type: str, cache: str = "no-cache") -> File:
        return cls(
            body,
            content_type,
            gzip.compress(body, 9, mtime=0),
            '"' + hashlib.sha256(body).hexdigest()[:32] + '"',
            cache,
        )


def office_hours_notice() -> dict:
    """For the widget's banner: whether staff are in now, and if not, when they are back (OFFICE_HOURS)."""
    from assistant.phrasebook import say
    from leads import office_hours

    hours = office_hours.configured()
    if hours.is_open():
        return {"open": True, "text": ""}
    return {"open": False, "text": say("after_hours_banner", opening=hours.describe_next_opening())}


def suggestions() -> list[dict]:
    """The page's questions for the widget's suggestions while typing, from the knowledge base:
    each with its Traditional form and pinyin initials (淘宝运营 -> tbyy), so 淘寶, tbyy or 淘宝
    all find it."""
    from pypinyin import Style, lazy_pinyin

    from assistant.kb import load_kb
    from assistant.text import in_script

    kb = load_kb()
    titles = [c["title"] for c in kb.comparisons.values()] + [f["title"] for f in kb.facts.values()]
    return [
        {
            "q": title,
            "t": in_script(title, "traditional"),
            "p": "".join(lazy_pinyin(title, style=Style.FIRST_LETTER)).lower(),
        }
        for title in titles
    ]


def files(socket_url: str) -> dict[str, File]:
    """Every path the site serves."""

    def typed(path: Path) -> File:
        return File.of(path.read_bytes(), f"{mimetypes.guess_type(path.name)[0]}; charset=utf-8")

    served = {route: typed(path) for route, path in STATIC.items()}
    served["/"] = served["/index.html"] = File.of(render_index(socket_url), "text/html; charset=utf-8")
    served["/privacy"] = File.of(render_privacy(), "text/html; charset=utf-8")
    script = "text/javascript; charset=utf-8"
    for route, body in load_widget().items():
        served[route] = File.of(body, script, "no-cache" if route == "/widget.js" else IMMUTABLE)
    # The two lines of the rasa-webchat snippet keep working on pages that still have them.
    served["/chat.js"] = served["/widget.js"]
    served["/webchat.js"] = File.of(b"/* replaced by widget.js (docs/widget.md) */\n", script)
    return served


def widget_data() -> bytes:
    """What the chat fetches when it opens: the page's questions for the suggestions while
    typing, and whether staff are in (the office-hours banner)."""
    return json.dumps({"suggestions": suggestions(), "hours": office_hours_notice()}, ensure_ascii=False).encode()


def headers(csp: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        # The embed line loads widget.js (and it the chat) from the agency's own pages.
        "Cross-Origin-Resource-Policy": "cross-origin",
        "Vary": "Accept-Encoding",
    }

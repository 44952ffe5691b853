"""The website widget's files: the demo page, the embed script and rasa-webchat's build.

The page may load nothing from outside the site: rasa-webchat's bundled CSS imports fonts
from a Google host (blocked in mainland China, where it hangs the page), so that @import is
cut out of the served build, and a strict Content-Security-Policy allows only this origin
plus the Rasa socket.
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
WEBCHAT_BUILD = WEB / "node_modules" / "rasa-webchat" / "lib" / "index.js"
# Served as they are; with the page and the patched build, nothing else is served.
STATIC = {
    "/chat.js": WEB / "chat.js",
    "/chat.css": WEB / "chat.css",
    "/demo.css": WEB / "demo.css",
    "/avatar.svg": WEB / "avatar.svg",
}
# Everything the web app serves to visitors' browsers (besides /staff/): a proxy in front routes
# these paths to it (production/nginx.py, production/deploy.py).
PUBLIC_PATHS = (
    *STATIC, "/index.html", "/privacy", "/webchat.js", "/suggestions.json", "/office-hours.json", "/ratings",
)  # fmt: skip
REMOTE_CSS_IMPORT = re.compile(r"@import url\(https?://[^)]*\);")
HOST_PORT = re.compile(r"[A-Za-z0-9.\-]+(:\d{1,5})?|\[[0-9A-Fa-f:.]+\](:\d{1,5})?")


class MissingBuild(RuntimeError):
    pass


def load_webchat(path: Path = WEBCHAT_BUILD) -> bytes:
    """rasa-webchat's standalone build without its remote @import rules."""
    if not path.exists():
        raise MissingBuild(f"{path} is missing: run `make web-assets` (npm ci in web/) first")
    source = path.read_text(encoding="utf-8")
    patched, count = REMOTE_CSS_IMPORT.subn("", source)
    # If an upgrade renames the import, fail loudly rather than ship a page that hangs.
    if count == 0 or "fonts.googleapis" in patched:
        raise MissingBuild(f"{path}: unexpected build, the remote font @import was not removed")
    return patched.encode("utf-8")


def socket_origins(socket_url: str) -> str:
    """The http(s) and ws(s) origins of the Rasa socket, for connect-src."""
    parts = urlsplit(socket_url)
    if parts.scheme not in ("http", "https") or not HOST_PORT.fullmatch(parts.netloc):
        raise ValueError(f"socket URL must be http(s)://host[:port], got {socket_url!r}")
    ws = "wss" if parts.scheme == "https" else "ws"
    return f"{parts.scheme}://{parts.netloc} {ws}://{parts.netloc}"


def content_security_policy(socket_url: str) -> str:
    # The widget injects its CSS as <style> elements at run time, hence 'unsafe-inline'
    # for styles only; scripts are same-origin files, never inline.
    return (
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
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
    """A served file, with its gzip form (made once) and an ETag of its content."""

    body: bytes
    content_type: str
    gzipped: bytes
    etag: str

    @classmethod
    def of(cls, body: bytes, content_type: str) -> File:
        return cls(
            body, content_type, gzip.compress(body, 9, mtime=0), '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
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
    served["/webchat.js"] = File.of(load_webchat(), "text/javascript; charset=utf-8")
    served["/suggestions.json"] = File.of(
        json.dumps(suggestions(), ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8"
    )
    return served


def headers(csp: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        # The embed snippet loads chat.js/chat.css/webchat.js from the agency's own pages.
        "Cross-Origin-Resource-Policy": "cross-origin",
        # Revalidated on every load, answered 304 while the ETag matches.
        "Cache-Control": "no-cache",
        "Vary": "Accept-Encoding",
    }

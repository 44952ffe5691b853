"""What the website widget costs a visitor: bytes and requests before and at its first open, and
the time to its first answer on a throttled phone connection (Chromium, Debian's).

    python scripts/widget_weight.py            # measures this tree's widget
    make widget-weight

Prints the figures of this tree beside the ones measured on rasa-webchat 1.0.1 (commit 1a1023b,
recorded below: that widget is no longer installed). Bytes are what crossed the network
(compressed, headers included); the demo page itself (its HTML and demo.css) is left out.
"""

from __future__ import annotations

import argparse
import time

from playwright.sync_api import sync_playwright

from harness.bot_process import free_port
from tests.web.widget import CHROMIUM, CHROMIUM_ARGS, CorsBotProcess, WebServer

# "Slow 3G" as Chrome's DevTools defines it: 400 ms round trip, 400 kbit/s each way.
THROTTLED = {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8, "uploadThroughput": 400_000 / 8}
PAGE_ITSELF = ("/", "/index.html", "/demo.css", "/favicon.ico")
# rasa-webchat 1.0.1 with web/chat.js, measured by this script on 2026-12-07 (commit 1a1023b).
BEFORE = {
    "page load, widget closed": (9, 223_200),
    "first open, until the greeting": (10, 226_100),
    "time to the greeting, throttled (s)": 3.3,
}
# Selectors of the widget: this tree's own, or rasa-webchat's (--rasa-webchat, for the record).
OURS = {"launcher": ".cyl-launcher", "answer": ".cyl-log .cyl-bot .cyl-text"}
RASA_WEBCHAT = {"launcher": ".rw-launcher", "answer": ".rw-from-response .rw-message-text"}


class Network:
    """Requests and transferred bytes seen through the DevTools protocol (WebSocket frames too)."""

    def __init__(self, cdp):
        self.requests: dict[str, str] = {}
        self.bytes: dict[str, int] = {}
        self.frames = 0
        cdp.on("Network.requestWillBeSent", lambda e: self.requests.setdefault(e["requestId"], e["request"]["url"]))
        cdp.on("Network.webSocketCreated", lambda e: self.requests.setdefault(e["requestId"], e["url"]))
        cdp.on("Network.loadingFinished", lambda e: self.bytes.__setitem__(e["requestId"], e["encodedDataLength"]))
        cdp.on("Network.webSocketFrameReceived", self._frame)
        cdp.on("Network.webSocketFrameSent", self._frame)

    def _frame(self, event) -> None:
        self.frames += len(event["response"]["payloadData"].encode("utf-8")) + 2

    def widget(self) -> tuple[int, int]:
        """(requests, bytes) of everything but the demo page itself."""
        from urllib.parse import urlsplit

        # data: URLs (inlined pictures) cross no network.
        ids = [i for i, url in self.requests.items() if urlsplit(url).path not in PAGE_ITSELF and url[:5] != "data:"]
        return len(ids), sum(self.bytes.get(i, 0) for i in ids) + self.frames


def measure(browser, url: str, selectors: dict, throttled: bool) -> dict:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    if throttled:
        cdp.send("Network.emulateNetworkConditions", THROTTLED)
    network = Network(cdp)
    page.goto(url, wait_until="load")
    page.wait_for_selector(selectors["launcher"])
    if not throttled:
        page.wait_for_timeout(3000)  # whatever the closed widget does on its own
    closed = network.widget()
    started = time.monotonic()
    page.click(selectors["launcher"])
    page.wait_for_selector(selectors["answer"], timeout=120_000)
    to_answer = time.monotonic() - started
    page.wait_for_timeout(300 if throttled else 1500)
    opened = network.widget()
    context.close()
    return {"closed": closed, "opened": opened, "to_answer": to_answer}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rasa-webchat", action="store_true", help="measure the old widget (commit 1a1023b)")
    args = parser.parse_args()
    selectors = RASA_WEBCHAT if args.rasa_webchat else OURS
    web_port = free_port()
    with (
        CorsBotProcess(web_origin=f"http://127.0.0.1:{web_port}") as bot,
        WebServer(bot.url, port=web_port) as web,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        measure(browser, web.url, selectors, throttled=False)  # warms the assistant up
        fast = measure(browser, web.url, selectors, throttled=False)
        slow = measure(browser, web.url, selectors, throttled=True)
        browser.close()
    now = {
        "page load, widget closed": fast["closed"],
        "first open, until the greeting": fast["opened"],
        "time to the greeting, throttled (s)": round(slow["to_answer"], 1),
    }
    print(f"{'':38} {'before (rasa-webchat)':>24} {'this tree':>22}")
    for name, value in now.items():
        old = BEFORE[name]
        if isinstance(value, tuple):
            print(f"{name:38} {old[0]:>6} req {old[1] / 1000:>9.1f} KB {value[0]:>5} req {value[1] / 1000:>8.1f} KB")
        else:
            print(f"{name:38} {old:>21.1f} s {value:>19.1f} s")


if __name__ == "__main__":
    main()

"""`python -m channels.wechat --port P --rasa-url URL`: the WeChat front (channels/wechat/front.py)."""

import argparse
import logging
import os
import sys
from pathlib import Path

import yaml
from sanic import Sanic

from assistant import log_masking
from channels.limits import MAX_BODY_BYTES
from channels.wechat.front import WeChatFront
from channels.wechat.relay import RasaRelay
from channels.wechat.replay import nonce_store
from channels.wechat.settings import WeChatConfigError, load_settings, replay_redis_url

CREDENTIALS_KEY = "channels.wechat.WeChatInput"
logger = logging.getLogger("channels.wechat")


def channel_options(credentials: Path) -> dict:
    """The WeChat section of credentials.yml, the same options the Rasa server reads."""
    loaded = yaml.safe_load(credentials.read_text(encoding="utf-8")) or {}
    return loaded.get(CREDENTIALS_KEY) or {}


def create_app(front: WeChatFront, relay: RasaRelay, name: str = "wechat_front") -> Sanic:
    app = Sanic(name, configure_logging=False)
    # Larger bodies get Sanic's 413 before they are read, as on the Rasa server (channels/limits.py).
    app.config.REQUEST_MAX_SIZE = front.settings.max_body_bytes if front.settings else MAX_BODY_BYTES
    app.config.ACCESS_LOG = False
    app.blueprint(front.blueprint(), url_prefix="/webhooks/wechat")

    @app.listener("after_server_stop")
    async def close(*_):
        await relay.close()

    return app


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m channels.wechat", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--rasa-url", required=True, help="the Rasa server, e.g. http://127.0.0.1:5005")
    parser.add_argument("--credentials", type=Path, default=Path("credentials.yml"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s  %(message)s")
    log_masking.install()  # after logging is configured (assistant/log_masking.py)
    try:
        settings = load_settings(channel_options(args.credentials), os.environ)
    except WeChatConfigError as error:
        print(f"WeChat front: {error}", file=sys.stderr)
        return 2
    if settings is None:
        logger.info("WeChat channel is off: WECHAT_TOKEN is not set (see docs/wechat.md).")
    relay = RasaRelay(args.rasa_url, settings.token if settings else "")
    redis_url = replay_redis_url(os.environ)
    front = WeChatFront(settings, relay.ask, nonce_store(redis_url))
    if settings:
        logger.info(
            "WeChat front on %s:%s: %s mode, customer-service API %s, replay memory %s, turns to %s.",
            args.host,
            args.port,
            settings.mode,
            "on" if settings.customer_service_api else "off",
            "shared (Redis)" if redis_url else "in this process",
            args.rasa_url,
        )
    create_app(front, relay).run(host=args.host, port=args.port, access_log=False, motd=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())

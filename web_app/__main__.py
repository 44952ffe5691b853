"""`python -m web_app`: the widget's site and the staff console on WEB_PORT (started by `make run`)."""

from __future__ import annotations

import argparse
import os
import sys

import assistant.quiet_warnings  # noqa: F401 - first: dependencies import at once
from assistant import log_masking, settings
from web_app.app import create_app
from web_app.site import MissingBuild


def main() -> None:
    rasa_port = settings.RASA_PORT.value()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--host",
        default=settings.WEB_HOST.value(),
        help="address to bind (default 127.0.0.1; 0.0.0.0 exposes it)",
    )
    parser.add_argument("--port", type=int, default=int(settings.WEB_PORT.value()))
    parser.add_argument(
        "--socket-url",
        default=os.environ.get("RASA_SOCKET_URL", f"http://localhost:{rasa_port}"),
        help="Rasa server URL the widget connects to (socket.io channel)",
    )
    args = parser.parse_args()
    try:
        app = create_app(args.socket_url)
    except ValueError as bad:
        parser.error(str(bad))
    except MissingBuild as missing:
        sys.exit(str(missing))
    print(
        f"web_app: http://{args.host}:{args.port}/ (widget socket {args.socket_url}), "
        f"staff console http://{args.host}:{args.port}/staff/",
        flush=True,
    )
    log_masking.install()
    app.run(host=args.host, port=args.port, access_log=False, motd=False, workers=1)


if __name__ == "__main__":
    main()

"""`python -m action_server --port 5055`: the project's actions, served by rasa_sdk.

Differences from `rasa run actions`: it listens on ACTION_HOST (default 127.0.0.1, not
0.0.0.0), refuses every call without the shared secret (action_server/secret.py), and answers
a client error (a wrong method, an unknown path, a body that is not JSON) with its own status and
one short line, where rasa_sdk's catch-all answered 500 and logged a traceback."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from sanic import response
from sanic.exceptions import SanicException

import assistant.quiet_warnings  # noqa: F401 - first: dependencies import at once
from action_server import secret
from assistant import log_masking, metrics
from assistant.operator_endpoints import add_metrics_route

logger = logging.getLogger("action_server")
OPEN_PATHS = {"/health", "/metrics"}  # probes of run.sh, stack.sh and nginx; /metrics guards itself


def create_app(expected_secret: str, actions_package: str = "actions"):
    from rasa_sdk.endpoint import create_app as create_sdk_app

    app = create_sdk_app(actions_package, cors_origins=None)
    add_metrics_route(app)

    @app.middleware("request")
    async def require_secret(request):
        if request.path in OPEN_PATHS:
            return None
        status = secret.verdict(request.headers.get(secret.HEADER), expected_secret)
        if status is not None:
            logger.warning(
                "refused an action call from %s without the right %s (%d)", request.ip, secret.HEADER, status
            )
            return response.json({"error": "this action server only answers its Rasa servers"}, status=status)
        return None

    @app.middleware("response")
    async def count_failed_actions(request, answer):
        # Only calls that carried the secret get here as 404/500 (a form's rejected slot is a 400 by design).
        if request.path == "/webhook" and answer is not None and (answer.status == 404 or answer.status >= 500):
            try:
                action = (request.json or {}).get("next_action")
            except Exception:  # noqa: BLE001 - a body that is not JSON names no action
                action = None
            metrics.record_action_error(action)

    @app.exception(SanicException)
    async def client_error(request, error: SanicException):
        # More specific than rasa_sdk's handler of Exception, which answers 500 with the request body.
        status = getattr(error, "status_code", 500) or 500
        if status >= 500:
            logger.error("action server: %s on %s %s", type(error).__name__, request.method, request.path)
        headers = getattr(error, "headers", None) or {}
        return response.json({"error": str(error) or type(error).__name__}, status=status, headers=headers)

    return app


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m action_server", description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("ACTION_PORT") or 5055))
    parser.add_argument("--host", default=os.environ.get("ACTION_HOST") or "127.0.0.1")
    parser.add_argument("--actions", default="actions")
    args = parser.parse_args(argv)
    expected = secret.from_env()
    if expected is None or len(expected) < secret.MIN_CHARS:
        print(
            f"action server: set {secret.ENV} (at least {secret.MIN_CHARS} characters) to the value "
            f"the Rasa server gets; `make run` and the stack generate one per run.",
            file=sys.stderr,
        )
        return 2
    from rasa_sdk import utils

    utils.configure_colored_logging("INFO")
    utils.update_sanic_log_level()
    logging.getLogger("matplotlib").setLevel(logging.WARN)
    log_masking.install()  # after the handlers exist: it filters them too
    app = create_app(expected, args.actions)
    logger.info("Action server on http://%s:%d (calls need %s)", args.host, args.port, secret.HEADER)
    app.run(args.host, args.port, workers=1, access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())

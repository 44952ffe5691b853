"""/metrics (and /ready where a process has one) for the operator only: answered to a caller on
loopback that did not come through a proxy, or to one with `Authorization: Bearer METRICS_TOKEN`.
Behind nginx every request comes from loopback, so a forwarded request needs the token."""

from __future__ import annotations

import hmac
import ipaddress
import os
from typing import Mapping, Optional

from sanic import response

from assistant import metrics, settings

FORWARDING_HEADERS = ("x-forwarded-for", "x-real-ip", "forwarded")


def metrics_token(environ: Mapping[str, str] = os.environ) -> Optional[str]:
    """METRICS_TOKEN: lets a scraper elsewhere read /metrics and /ready (unset: loopback only)."""
    return settings.METRICS_TOKEN.value(environ) or None


def allowed(peer_ip: str, headers: Mapping[str, str], token: Optional[str]) -> bool:
    if token and hmac.compare_digest(headers.get("authorization", "").encode(), f"Bearer {token}".encode()):
        return True
    if any(name in headers for name in FORWARDING_HEADERS):
        return False
    try:
        address = ipaddress.ip_address(peer_ip)
    except ValueError:
        return False
    return address.is_loopback or bool(getattr(address, "ipv4_mapped", None) and address.ipv4_mapped.is_loopback)


def refused() -> response.HTTPResponse:
    return response.json(
        {"error": "only from this machine, or with Authorization: Bearer METRICS_TOKEN"},
        status=403,
        headers={"WWW-Authenticate": "Bearer"},
    )


def operator_only(request) -> Optional[response.HTTPResponse]:
    """None when the caller may see operator endpoints, else the 403 to send."""
    return None if allowed(request.ip, request.headers, metrics_token()) else refused()


def add_metrics_route(app_or_blueprint, uri: str = "/metrics") -> None:
    @app_or_blueprint.get(uri, name="operator_metrics")
    async def serve_metrics(request):
        if (refusal := operator_only(request)) is not None:
            return refusal
        body, content_type = metrics.exposition()
        return response.raw(body, content_type=content_type)

"""The visitor's address: what the staff console's lockout, the ratings' limit and the leads'
flood limits count.

On the stack every request reaches the web app and the Rasa replicas from nginx, so from
127.0.0.1: the address that counts is the one the project's own nginx saw, which it passes in
`X-Real-IP` (`proxy_set_header X-Real-IP $remote_addr`: it replaces whatever the client sent).
That header is believed only from a peer listed in TRUSTED_PROXIES (space-separated addresses;
`scripts/stack.sh` sets 127.0.0.1); from anyone else, and when TRUSTED_PROXIES is unset (`make
run`, where nothing stands in front), the connection's own peer counts. `X-Forwarded-For` is
never read: nginx appends to what the client sent, so its first entry is the client's to choose.
"""

from __future__ import annotations

import ipaddress
import os
from typing import Mapping, Optional

ENV = "TRUSTED_PROXIES"
HEADER = "X-Real-IP"
# The key the channels put on every message's metadata (overwriting any a client sent), for the
# actions (the callback form's flood limits).
CLIENT_ADDRESS = "client_address"


def _ip(text: Optional[str]) -> Optional[str]:
    try:
        return str(ipaddress.ip_address((text or "").strip()))
    except ValueError:
        return None


def trusted_proxies(environ: Mapping[str, str] = os.environ) -> frozenset:
    return frozenset(filter(None, (_ip(p) for p in environ.get(ENV, "").split())))


def client_address(peer: Optional[str], real_ip: Optional[str], trusted: frozenset) -> str:
    """`real_ip` (nginx's X-Real-IP) when `peer` is a trusted proxy and it is one address, else
    the peer; "-" when neither is known."""
    peer_ip = _ip(peer)
    if peer_ip is not None and peer_ip in trusted:
        forwarded = _ip(real_ip) if real_ip and "," not in real_ip else None
        if forwarded:
            return forwarded
    return peer_ip or "-"


def of_request(request, trusted: Optional[frozenset] = None) -> str:
    """The client address of a Sanic request."""
    trusted = trusted_proxies() if trusted is None else trusted
    return client_address(request.ip, request.headers.get(HEADER), trusted)


def of_socket_environ(environ: Mapping, trusted: Optional[frozenset] = None) -> str:
    """The client address of a socket.io connection (python-engineio's environ on Sanic, whose
    REMOTE_ADDR is always 127.0.0.1: the peer is the Sanic request's)."""
    request = environ.get("sanic.request")
    peer = getattr(request, "ip", None) if request is not None else environ.get("REMOTE_ADDR")
    trusted = trusted_proxies() if trusted is None else trusted
    return client_address(peer, environ.get("HTTP_X_REAL_IP"), trusted)

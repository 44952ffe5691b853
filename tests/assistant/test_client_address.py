"""Whose address counts (issue 23, item 1): behind the stack's nginx every request comes from
127.0.0.1, so the address nginx saw (X-Real-IP) counts, and only when nginx sent it."""

from types import SimpleNamespace

from assistant.client_address import client_address, of_request, of_socket_environ, trusted_proxies

NGINX = frozenset({"127.0.0.1"})


def test_nginx_s_real_ip_counts_only_from_nginx():
    assert client_address("127.0.0.1", "203.0.113.9", NGINX) == "203.0.113.9"
    # Anyone else's X-Real-IP is their own invention.
    assert client_address("198.51.100.7", "203.0.113.9", NGINX) == "198.51.100.7"
    # Without TRUSTED_PROXIES (make run: nothing in front) the peer counts.
    assert client_address("127.0.0.1", "203.0.113.9", frozenset()) == "127.0.0.1"


def test_a_forwarded_for_chain_or_garbage_is_never_believed():
    assert client_address("127.0.0.1", "203.0.113.9, 10.0.0.1", NGINX) == "127.0.0.1"
    assert client_address("127.0.0.1", "not-an-address", NGINX) == "127.0.0.1"
    request = SimpleNamespace(ip="127.0.0.1", headers={"X-Forwarded-For": "1.2.3.4"})
    assert of_request(request, NGINX) == "127.0.0.1"
    assert client_address(None, None, NGINX) == "-"


def test_trusted_proxies_come_from_the_environment():
    assert trusted_proxies({"TRUSTED_PROXIES": "127.0.0.1 ::1 bogus"}) == {"127.0.0.1", "::1"}
    assert trusted_proxies({}) == frozenset()


def test_a_socket_s_address_is_its_sanic_request_s_peer():
    # python-engineio's environ on Sanic says REMOTE_ADDR 127.0.0.1 whoever connects.
    environ = {"REMOTE_ADDR": "127.0.0.1", "sanic.request": SimpleNamespace(ip="198.51.100.7")}
    assert of_socket_environ(environ, NGINX) == "198.51.100.7"
    behind = {"sanic.request": SimpleNamespace(ip="127.0.0.1"), "HTTP_X_REAL_IP": "203.0.113.9"}
    assert of_socket_environ(behind, NGINX) == "203.0.113.9"


def test_the_rest_channel_stamps_the_address_over_any_the_client_sent(monkeypatch):
    from channels.rest import RestInput

    monkeypatch.setenv("TRUSTED_PROXIES", "127.0.0.1")
    request = SimpleNamespace(
        ip="127.0.0.1",
        headers={"X-Real-IP": "203.0.113.9"},
        json={"sender": "a", "message": "hi", "metadata": {"client_address": "10.9.9.9", "x": 1}},
    )
    assert RestInput().get_metadata(request) == {"client_address": "203.0.113.9", "x": 1}
    request.json = {"sender": "a", "message": "hi", "metadata": "not an object"}
    assert RestInput().get_metadata(request) == {"client_address": "203.0.113.9"}

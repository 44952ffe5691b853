"""channels/widget_session.py: sessions the server issues, and the tokens that resume them."""

from __future__ import annotations

import pytest

from channels import widget_session


@pytest.fixture
def secret(monkeypatch, tmp_path):
    """A fresh key per test: from the environment, or a key file in a temporary var/."""
    monkeypatch.setattr(widget_session, "KEY_FILE", tmp_path / "var" / "widget_session.key")
    widget_session._key.cache_clear()
    yield monkeypatch
    widget_session._key.cache_clear()


def test_an_issued_session_resumes_and_anything_else_gets_a_new_one(secret):
    session, token = widget_session.issue()
    assert widget_session.resume_or_issue({"session_id": session, "token": token}) == (session, token, True)
    for offered in (
        {"session_id": session, "token": "0" * 32},
        {"session_id": session},
        {"session_id": "mine", "token": token},
        {"session_id": session.upper(), "token": token},
        {"session_id": [session], "token": token},
        "not a dict",
        None,
    ):
        new, _, resumed = widget_session.resume_or_issue(offered)
        assert not resumed and new != session, offered


def test_the_key_file_is_made_once_and_readable_by_the_owner_only(secret):
    session, token = widget_session.issue()
    key_file = widget_session.KEY_FILE
    assert key_file.stat().st_mode & 0o777 == 0o600
    widget_session._key.cache_clear()  # another process (a replica, the web app) reads the same key
    assert widget_session.valid(session, token)


def test_a_token_from_another_secret_does_not_verify(secret):
    secret.setenv("WIDGET_SESSION_SECRET", "one")
    session, token = widget_session.issue()
    widget_session._key.cache_clear()
    secret.setenv("WIDGET_SESSION_SECRET", "two")
    assert not widget_session.valid(session, token)

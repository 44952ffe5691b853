"""Staff accounts, sessions and the login limits without a server (issue 23, items 1 and 2)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from leads import store
from web_app.staff import auth as auth_module
from web_app.staff.accounts import Accounts, BadAccount
from web_app.staff.auth import ACCOUNT_FAILURES, MAX_FAILURES, StaffAuth

PASSWORD = "the-admins-password"


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def auth(tmp_path, clock):
    accounts = Accounts(lambda: store.make_engine(f"sqlite:///{tmp_path / 'leads.db'}"))
    staff = StaffAuth(PASSWORD, "admin", accounts=accounts, clock=clock)
    accounts.add("xiaowang", "xiaowangs-password")
    return staff


def login(auth, name, password, address="203.0.113.1", device=None, old=None):
    return auth.login(name, password, address=address, device_token=device, old_session=old, user_agent="test")


def test_failures_from_one_address_hold_back_that_address_only(auth):
    for _ in range(MAX_FAILURES):
        assert login(auth, "admin", "guess", address="203.0.113.66")[0] == "wrong"
    assert login(auth, "admin", PASSWORD, address="203.0.113.66")[0] == "wait"  # even the right password
    assert login(auth, "admin", PASSWORD, address="198.51.100.7")[0] == "ok"  # never the whole console


def test_guesses_from_many_addresses_lock_the_account_for_strangers_not_for_its_browsers(auth, clock):
    outcome, (_, device) = login(auth, "admin", PASSWORD, address="198.51.100.7")
    assert outcome == "ok"
    for n in range(ACCOUNT_FAILURES):  # a botnet: one guess per address
        assert login(auth, "admin", f"guess-{n}", address=f"203.0.113.{n + 1}")[0] == "wrong"
    assert login(auth, "admin", PASSWORD, address="192.0.2.50")[0] == "wait"  # a browser admin never used
    assert login(auth, "admin", PASSWORD, address="192.0.2.50", device=device)[0] == "ok"  # the staff's own
    assert login(auth, "xiaowang", "xiaowangs-password", address="192.0.2.51")[0] == "ok"  # another account
    clock.now += auth_module.FAILURE_WINDOW + 1
    assert login(auth, "admin", PASSWORD, address="192.0.2.50")[0] == "ok"


def test_a_known_browser_has_its_own_count(auth):
    _, (_, device) = login(auth, "admin", PASSWORD)
    for _ in range(MAX_FAILURES):
        assert login(auth, "admin", "typo", device=device)[0] == "wrong"
    assert login(auth, "admin", PASSWORD, device=device)[0] == "wait"
    assert login(auth, "admin", PASSWORD, device="forged-device-id", address="198.51.100.9")[0] == "ok"


def test_an_unknown_name_costs_a_guess_but_locks_no_account(auth):
    for n in range(ACCOUNT_FAILURES + 2):
        assert login(auth, f"nobody{n}", "guess", address=f"203.0.113.{n + 1}")[0] == "wrong"
    assert login(auth, "admin", PASSWORD, address="192.0.2.9")[0] == "ok"


def test_every_login_gets_a_new_random_session_and_ends_the_one_it_brought(auth):
    _, (first, _) = login(auth, "admin", PASSWORD)
    _, (second, _) = login(auth, "admin", PASSWORD)  # the same second: never the same id
    assert first != second and len(first) >= 40
    _, (third, _) = login(auth, "admin", PASSWORD, old=second)
    assert auth.session(second) is None and auth.session(third).account == "admin"
    assert auth.session(first) is not None  # another browser's session lives on


def test_logout_password_change_and_revocation_end_sessions(auth):
    _, (phone, _) = login(auth, "xiaowang", "xiaowangs-password")
    _, (desk, _) = login(auth, "xiaowang", "xiaowangs-password")
    auth.logout(phone)
    assert auth.session(phone) is None and auth.session(desk) is not None
    session = auth.session(desk)
    assert auth.change_password(session, "wrong", "a-new-password-1", address="x", user_agent=None)[0] == "wrong"
    _, (tablet, _) = login(auth, "xiaowang", "xiaowangs-password")
    outcome, kept = auth.change_password(
        session, "xiaowangs-password", "a-new-password-1", address="x", user_agent=None
    )
    assert outcome == "ok" and auth.session(desk) is None and auth.session(tablet) is None
    assert auth.session(kept).account == "xiaowang"
    assert login(auth, "xiaowang", "xiaowangs-password")[0] == "wrong"
    _, (admin_session, _) = login(auth, "admin", PASSWORD)
    assert auth.accounts.revoke(auth.session(kept).key)
    assert auth.session(kept) is None and auth.session(admin_session) is not None
    assert auth.accounts.revoke_account("admin") == 1 and auth.session(admin_session) is None


def test_changing_staff_password_ends_the_environment_accounts_sessions(tmp_path, clock):
    def engine():
        return store.make_engine(f"sqlite:///{tmp_path / 'leads.db'}")

    before = StaffAuth("old-password-123", accounts=Accounts(engine), clock=clock)
    _, (session, _) = login(before, "admin", "old-password-123")
    assert before.session(session) is not None
    after = StaffAuth("new-password-456", accounts=Accounts(engine), clock=clock)  # a restart with the new one
    assert after.session(session) is None
    assert login(after, "admin", "old-password-123")[0] == "wrong"
    assert login(after, "admin", "new-password-456")[0] == "ok"
    assert (
        after.change_password(
            after.session(login(after, "admin", "new-password-456")[1][0]), "", "", address="x", user_agent=None
        )[0]
        == "environment"
    )


def test_sessions_expire_and_are_kept_as_hashes(auth):
    _, (token, _) = login(auth, "admin", PASSWORD)
    assert token not in {s.key for s in auth.accounts.sessions()}  # the database holds no usable id
    clock_now = auth.accounts.clock
    auth.accounts.clock = lambda: clock_now() + timedelta(seconds=auth_module.SESSION_SECONDS + 1)
    assert auth.session(token) is None


def test_new_accounts_need_a_usable_name_and_password(auth):
    with pytest.raises(BadAccount):
        auth.accounts.add("x y", "long-enough-pass")
    with pytest.raises(BadAccount):
        auth.accounts.add("short", "123")
    with pytest.raises(BadAccount):
        auth.accounts.add("xiaowang", "long-enough-pass")  # exists


def test_the_cli_adds_lists_and_revokes(tmp_path, monkeypatch, capsys):
    import io

    from web_app.staff.__main__ import main

    monkeypatch.setenv("LEADS_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    store._engines.clear()
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-password\n"))
    assert main(["add", "zhou", "--admin", "--password-stdin"]) == 0
    assert main(["list"]) == 0 and "zhou" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["passwd", "zhou", "--password-stdin"]) == 2
    assert main(["revoke", "--all"]) == 0
    assert main(["remove", "nobody"]) == 2
    store._engines.clear()

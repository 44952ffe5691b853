"""A lead confirmed while its database is away is kept on disk and stored once it is back."""

import pytest

from harness.tcp_proxy import TcpProxy
from leads import intake, spool, store


@pytest.fixture
def outage(postgres_database, tmp_path, monkeypatch):  # noqa: F811
    proxy = TcpProxy(5432).start()
    url = postgres_database.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
    monkeypatch.setenv("LEADS_DATABASE_URL", url)
    monkeypatch.setenv("LEADS_SPOOL_DIR", str(tmp_path / "spool"))
    monkeypatch.setattr(spool, "RETRY_SECONDS", 0.2)
    store.make_engine(url).dispose()  # the table exists, as after start-up
    yield proxy
    store._engines.clear()


def test_a_lead_saved_during_an_outage_reaches_the_database_when_it_is_back(outage):
    before = len(store.list_leads())
    outage.stop()
    result = intake.record_lead(
        channel="rest",
        conversation_id="outage-visitor",
        name="钱女士",
        phone="139 1234 5678",
        need="想做小红书推广",
        preferred_time="明天上午",
    )
    assert result.kept and result.created
    assert len(spool.kept()) == 1  # on disk, not in memory
    TcpProxy(5432, port=outage.port).start()
    import time

    deadline = time.monotonic() + 20
    while spool.kept() and time.monotonic() < deadline:  # the background retry delivers it
        time.sleep(0.2)
    leads = store.list_leads()
    assert len(leads) == before + 1 and leads[-1].phone == "13912345678" and leads[-1].need == "想做小红书推广"
    assert spool.kept() == []
    # Delivered once, even if another process tries again.
    assert intake.deliver_kept_leads() == 0 and len(store.list_leads()) == before + 1

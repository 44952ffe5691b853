"""Lead storage on SQLite and on the real PostgreSQL: one lead per request, filters, CSV."""

import csv
import io
import subprocess
import sys
import threading
from datetime import date, datetime, timedelta, timezone

import pytest

from leads import store

REQUEST = dict(
    channel="rest",
    conversation_id="visitor-1",
    name="叫我王先生",
    phone="+86 138 0013 8000",
    need="想做个小程序，多少钱",
    preferred_time="明天下午",
)


def test_confirmed_request_is_stored_normalised(engine):
    before = datetime.now(timezone.utc)
    result = store.save_lead(**REQUEST, engine=engine)
    assert result.created
    lead = result.lead
    assert (lead.name, lead.phone, lead.wechat, lead.need, lead.status) == (
        "王先生",
        "13800138000",
        None,
        "想做个小程序，多少钱",
        "new",
    )
    assert (lead.channel, lead.conversation_id) == ("rest", "visitor-1")
    assert before <= lead.created_at <= datetime.now(timezone.utc)
    assert store.list_leads(engine=engine) == [lead]


def test_confirming_twice_or_retrying_stores_one_lead(engine):
    first = store.save_lead(**REQUEST, engine=engine)
    again = store.save_lead(**{**REQUEST, "phone": "13800138000", "need": " 想做个小程序， 多少钱 "}, engine=engine)
    assert not again.created and again.lead == first.lead
    assert len(store.list_leads(engine=engine)) == 1


def test_other_need_or_other_conversation_is_another_lead(engine):
    store.save_lead(**REQUEST, engine=engine)
    store.save_lead(**{**REQUEST, "need": "企业邮箱"}, engine=engine)
    store.save_lead(**{**REQUEST, "conversation_id": "visitor-2"}, engine=engine)
    assert len(store.list_leads(engine=engine)) == 3


def test_explicit_key_makes_a_retry_idempotent(engine):
    store.save_lead(**REQUEST, key="msg-42", engine=engine)
    retry = store.save_lead(**{**REQUEST, "need": "别的"}, key="msg-42", engine=engine)
    assert not retry.created and retry.lead.need == "想做个小程序，多少钱"


def test_concurrent_saves_of_the_same_request_store_one_lead(engine):
    threads, results, errors = 8, [], []
    barrier = threading.Barrier(threads)

    def save():
        barrier.wait()
        try:
            results.append(store.save_lead(**REQUEST, engine=engine))
        except Exception as exc:  # collected: an exception in a thread would not fail the test
            errors.append(exc)

    workers = [threading.Thread(target=save) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    assert errors == []
    assert len(results) == threads
    assert sum(r.created for r in results) == 1
    assert len({r.lead.id for r in results}) == 1
    assert len(store.list_leads(engine=engine)) == 1


@pytest.mark.parametrize(
    "change, message",
    [
        ({"phone": None}, "phone number or a WeChat ID"),
        ({"phone": "010-12345678"}, "mobile"),
        ({"phone": None, "wechat": "abc"}, "WeChat"),
        ({"conversation_id": ""}, "conversation_id"),
    ],
)
def test_unusable_contact_data_is_refused(engine, change, message):
    with pytest.raises(ValueError, match=message):
        store.save_lead(**{**REQUEST, **change}, engine=engine)
    assert store.list_leads(engine=engine) == []


def test_wechat_only_lead(engine):
    lead = store.save_lead(**{**REQUEST, "phone": None, "wechat": "wx_my_id"}, engine=engine).lead
    assert (lead.phone, lead.wechat) == (None, "wx_my_id")


def _save_at(engine, monkeypatch, when: datetime, **change):
    monkeypatch.setattr(store, "_now", lambda: when)
    return store.save_lead(**{**REQUEST, **change}, engine=engine).lead


def test_filters_by_local_date_and_status(engine, monkeypatch):
    monkeypatch.setenv("OFFICE_TZ", "Asia/Shanghai")
    utc = timezone.utc
    april = _save_at(engine, monkeypatch, datetime(2024, 4, 30, 15, 59, tzinfo=utc), need="a")  # 04-30 23:59 +08
    may1 = _save_at(engine, monkeypatch, datetime(2024, 4, 30, 16, 0, tzinfo=utc), need="b")  # 05-01 00:00 +08
    may2 = _save_at(engine, monkeypatch, datetime(2024, 5, 2, 15, 59, tzinfo=utc), need="c")  # 05-02 23:59 +08
    monkeypatch.undo()
    ids = lambda leads: [lead.id for lead in leads]  # noqa: E731
    assert ids(store.list_leads(engine=engine)) == [april.id, may1.id, may2.id]
    assert ids(store.list_leads(since=date(2024, 5, 1), engine=engine)) == [may1.id, may2.id]
    assert ids(store.list_leads(until=date(2024, 4, 30), engine=engine)) == [april.id]
    assert ids(store.list_leads(since=date(2024, 5, 2), until=date(2024, 5, 2), engine=engine)) == [may2.id]
    store.mark_contacted(may1.id, engine=engine)
    assert ids(store.list_leads(status="contacted", engine=engine)) == [may1.id]
    assert ids(store.list_leads(status="new", engine=engine)) == [april.id, may2.id]


def test_mark_contacted_keeps_the_first_contact_time(engine):
    lead = store.save_lead(**REQUEST, engine=engine).lead
    first = store.mark_contacted(lead.id, engine=engine)
    assert first.status == "contacted"
    assert abs(first.contacted_at - datetime.now(timezone.utc)) < timedelta(minutes=1)
    assert store.mark_contacted(lead.id, engine=engine).contacted_at == first.contacted_at
    assert store.mark_contacted(lead.id + 1000, engine=engine) is None


def test_csv_export_has_bom_chinese_local_times_and_no_formulas(engine, monkeypatch):
    monkeypatch.setenv("OFFICE_TZ", "Asia/Shanghai")
    _save_at(engine, monkeypatch, datetime(2024, 5, 1, 2, 30, tzinfo=timezone.utc))
    _save_at(
        engine,
        monkeypatch,
        datetime(2024, 5, 1, 3, 0, tzinfo=timezone.utc),
        wechat="wx_my_id",
        phone=None,
        need='=HYPERLINK("http://x")',
    )
    out = io.BytesIO()
    store.write_csv(store.list_leads(engine=engine), out)
    data = out.getvalue()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [r["称呼"] for r in rows] == ["王先生", "王先生"]
    # The phone stays text in Excel (no 1.38E+10); visitor text never becomes a formula.
    assert rows[0]["需求"] == "想做个小程序，多少钱" and rows[0]["手机"] == '="13800138000"'
    assert rows[0]["提交时间"] == "2024-05-01 10:30:00"
    assert rows[1]["需求"] == '\'=HYPERLINK("http://x")' and rows[1]["微信"] == "wx_my_id" and rows[1]["手机"] == ""
    assert rows[0]["状态"] == "新线索" and rows[0]["会话编号"] == "visitor-1"


def test_default_database_is_var_leads_db(monkeypatch):
    monkeypatch.delenv("LEADS_DATABASE_URL", raising=False)
    assert store.database_url() == f"sqlite:///{store.ROOT / 'var' / 'leads.db'}"
    monkeypatch.setenv("LEADS_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/leads")
    assert store.database_url() == "postgresql://postgres@127.0.0.1:5432/leads"


SQLALCHEMY_2_SCRIPT = """
import io, warnings
from sqlalchemy.exc import RemovedIn20Warning
warnings.simplefilter("error", RemovedIn20Warning)
from leads import store
engine = store.make_engine({url!r})
lead = store.save_lead(channel="rest", conversation_id="c", phone="13800138000", need="x", engine=engine).lead
store.save_lead(channel="rest", conversation_id="c", phone="13800138000", need="x", engine=engine)
store.mark_contacted(lead.id, engine=engine)
store.mark_notified(lead.id, engine=engine)
store.unnotified_leads(engine=engine)
store.write_csv(store.list_leads(status="contacted", engine=engine), io.BytesIO())
print("ok")
"""


def test_store_code_is_ready_for_sqlalchemy_2(database_url):
    """SQLALCHEMY_WARN_20 makes 1.4 warn about everything 2.0 removed; those warnings are errors here."""
    done = subprocess.run(
        [sys.executable, "-c", SQLALCHEMY_2_SCRIPT.format(url=database_url)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=store.ROOT,
        env={"SQLALCHEMY_WARN_20": "1", "PYTHONPATH": str(store.ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


@pytest.mark.e2e
def test_the_first_leads_on_a_fresh_postgresql_database_never_race_on_creating_the_table():
    # Two action servers (or forty requests) starting on an empty database each create the schema.
    import threading
    import uuid as _uuid

    from tests.leads.databases import _admin

    name = f"leads_race_{_uuid.uuid4().hex[:12]}"
    _admin(f"CREATE DATABASE {name}")
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    start, errors = threading.Barrier(40), []

    def first_save(i: int) -> None:
        start.wait()
        try:
            store.save_lead(
                channel="rest", conversation_id=f"c{i}", phone=f"139000000{i:02d}", engine=store.make_engine(url)
            )
        except Exception as error:  # noqa: BLE001 - every failure is the finding
            errors.append(repr(error))

    try:
        threads = [threading.Thread(target=first_save, args=(i,)) for i in range(40)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert len(store.list_leads(engine=store.make_engine(url))) == 40
    finally:
        _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_every_stored_field_has_ascii_digits_and_no_invisible_characters(engine):
    """Issue 23, item 13: 13٨٠٠١٣٨٠٠٠ was stored as typed (a broken tel: link), and bidi
    overrides and zero-width characters reached the console."""
    import unicodedata

    lead = store.save_lead(
        channel="rest",
        conversation_id="visitor-invisible",
        name="王\u202e先生\u200b",
        phone="13٨٠٠١٣٨٠٠٠",
        wechat="wx\u200b_my_id\u2069",
        need="做\u2066小程序\u2069，预算５万\ufeff",
        preferred_time="明天\u200d下午３点\u00ad",
        engine=engine,
    ).lead
    assert (lead.name, lead.phone, lead.wechat, lead.need, lead.preferred_time) == (
        "王先生",
        "13800138000",
        "wx_my_id",
        "做小程序，预算5万",
        "明天下午3点",
    )
    noted = store.set_note(lead.id, "已回电\u202e，改天再打", engine=engine)
    for value in (lead.name, lead.phone, lead.wechat, lead.need, lead.preferred_time, noted.note):
        assert all(unicodedata.category(ch) not in ("Cf", "Cc") for ch in value), repr(value)
        assert all(ch.isascii() for ch in value if ch.isdigit()), repr(value)

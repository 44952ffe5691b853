"""Staff commands: python -m leads list/export/mark-contacted, and `make leads`."""

import csv
import io
import subprocess
import sys

import pytest

from leads import store

REQUEST = dict(
    channel="rest",
    conversation_id="visitor-1",
    name="王先生",
    phone="138 0013 8000",
    need="想做个小程序，多少钱",
    preferred_time="明天下午",
)


def leads_command(url, *args, **kwargs):
    env = {
        "LEADS_DATABASE_URL": url,
        "OFFICE_TZ": "Asia/Shanghai",
        "PYTHONPATH": str(store.ROOT),
        "PATH": "/usr/bin:/bin",
    }
    return subprocess.run(
        [sys.executable, "-m", "leads", *args], capture_output=True, timeout=60, cwd=store.ROOT, env=env, **kwargs
    )


def rows(csv_bytes):
    assert csv_bytes.startswith(b"\xef\xbb\xbf"), "no UTF-8 BOM: Excel would garble the Chinese"
    return list(csv.DictReader(io.StringIO(csv_bytes.decode("utf-8-sig"))))


def test_a_lead_confirmed_twice_is_exported_once(engine, database_url):
    store.save_lead(**REQUEST, engine=engine)
    store.save_lead(**REQUEST, engine=engine)
    done = leads_command(database_url, "export")
    assert done.returncode == 0, done.stderr
    exported = rows(done.stdout)
    assert [(r["称呼"], r["手机"], r["需求"], r["状态"]) for r in exported] == [
        ("王先生", '="13800138000"', "想做个小程序，多少钱", "新线索")
    ]


def test_export_to_file_with_filters(engine, database_url, tmp_path):
    first = store.save_lead(**REQUEST, engine=engine).lead
    store.save_lead(**{**REQUEST, "need": "企业邮箱"}, engine=engine)
    store.mark_contacted(first.id, engine=engine)
    target = tmp_path / "leads.csv"
    done = leads_command(database_url, "export", "--status", "new", "--since", "2020-01-01", "--output", str(target))
    assert done.returncode == 0, done.stderr
    assert done.stdout == b""
    assert [r["需求"] for r in rows(target.read_bytes())] == ["企业邮箱"]
    future = leads_command(database_url, "export", "--since", "2999-01-01")
    assert rows(future.stdout) == []


def test_list_and_mark_contacted(engine, database_url):
    lead = store.save_lead(**REQUEST, engine=engine).lead
    listed = leads_command(database_url, "list", text=True)
    assert listed.returncode == 0
    assert f"#{lead.id}" in listed.stdout and "13800138000" in listed.stdout and "王先生" in listed.stdout
    marked = leads_command(database_url, "mark-contacted", str(lead.id), text=True)
    assert marked.returncode == 0 and f"lead #{lead.id} contacted" in marked.stdout
    assert store.get_lead(lead.id, engine=engine).status == "contacted"
    assert leads_command(database_url, "list", "--status", "new", text=True).stdout == ""


def test_list_never_sends_a_visitors_escape_sequences_to_the_staff_terminal(engine, database_url):
    store.save_lead(
        **{
            **REQUEST,
            "name": "\x1b[2J\x1b]0;hacked\x07王",
            "need": "\u202e反转\x9b31m",
            "conversation_id": "web:\x1b[31mred",
        },
        engine=engine,
    )
    listed = leads_command(database_url, "list", text=True)
    assert listed.returncode == 0
    assert not any(c in listed.stdout for c in "\x1b\x07\x9b\u202e")
    assert "web:\\u001b[31mred" in listed.stdout and "反转" in listed.stdout


@pytest.mark.parametrize(
    "args, says",
    [
        (["list", "--since", "2024-13-01"], "is not a date"),
        (["export", "--until", "yesterday"], "is not a date"),
        (["list", "--since", "2024-05-02", "--until", "2024-05-01"], "is after"),
        (["list", "--status", "done"], "invalid choice"),
        (["mark-contacted", "abc"], "is not a lead id"),
        (["mark-contacted", "0"], "is not a lead id"),
        (["mark-contacted", "999"], "no lead #999"),
        ([], "required"),
    ],
)
def test_bad_arguments_exit_2_without_traceback(tmp_path, args, says):
    done = leads_command(f"sqlite:///{tmp_path / 'leads.db'}", *args, text=True)
    assert done.returncode == 2
    assert says in done.stderr and "Traceback" not in done.stderr


def test_unreachable_database_is_one_clear_line(tmp_path):
    done = leads_command("postgresql://postgres@127.0.0.1:1/leads", "list", text=True)
    assert done.returncode == 1
    assert done.stderr.startswith("database error (OperationalError):") and "Traceback" not in done.stderr


def test_make_leads_prints_only_csv_from_any_directory(tmp_path):
    url = f"sqlite:///{tmp_path / 'leads.db'}"
    engine = store.make_engine(url)
    store.save_lead(**REQUEST, engine=engine)
    engine.dispose()
    for where, command in (
        (store.ROOT, ["make", "leads"]),
        (tmp_path, ["make", "-s", "-f", str(store.ROOT / "Makefile"), "leads"]),
    ):
        done = subprocess.run(
            command,
            capture_output=True,
            timeout=120,
            cwd=where,
            env={"LEADS_DATABASE_URL": url, "PATH": "/usr/bin:/bin"},
        )
        assert done.returncode == 0, done.stderr.decode()
        assert [r["手机"] for r in rows(done.stdout)] == ['="13800138000"'], where

"""The conversation staff read beside a lead (Archive.conversation): what the visitor saw and
did, not the payloads behind the buttons."""

from __future__ import annotations

import json

import sqlalchemy as sa

from conversation_store.archive import Archive


def _archive_with(tmp_path, events: list[tuple]) -> Archive:
    archive = Archive(f"sqlite:///{tmp_path / 'tracker.db'}")
    with archive.engine.begin() as connection:
        connection.execute(
            sa.text(
                "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, timestamp REAL,"
                " intent_name TEXT, action_name TEXT, data TEXT)"
            )
        )
        for at, (type_name, data) in enumerate(events):
            connection.execute(
                sa.text("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES ('web:s', :t, :at, :d)"),
                {"t": type_name, "at": 1_700_000_000 + at, "d": json.dumps(data, ensure_ascii=False)},
            )
    return archive


def test_the_transcript_shows_tapped_buttons_by_their_title_and_leaves_out_the_greet(tmp_path):
    archive = _archive_with(
        tmp_path,
        [
            ("user", {"text": "/greet", "metadata": {}}),  # sent by the widget on opening
            ("bot", {"text": "您好！猜你想问："}),
            ("user", {"text": "/request_callback", "metadata": {"button": "请客服回电"}}),
            ("bot", {"text": "好的，请问怎么称呼您？"}),
            ("user", {"text": "王先生", "metadata": {}}),
            ("user", {"text": "/affirm"}),  # a payload typed or sent without a title
        ],
    )
    shown = [(m.visitor, m.text) for m in archive.conversation("web:s")]
    assert shown == [
        (False, "您好！猜你想问："),
        (True, "请客服回电"),
        (False, "好的，请问怎么称呼您？"),
        (True, "王先生"),
    ]

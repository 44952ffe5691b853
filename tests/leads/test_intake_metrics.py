"""An operator sees leads stored and leads lost in the action server's metrics."""

from __future__ import annotations

import pytest

from assistant import metrics
from leads import intake
from tests.assistant.test_metrics import sample


def test_a_stored_lead_and_a_refused_one_are_counted(tmp_path, monkeypatch):
    monkeypatch.setenv("LEADS_DATABASE_URL", f"sqlite:///{tmp_path / 'leads.db'}")
    monkeypatch.setenv("LEADS_SPOOL_DIR", str(tmp_path / "spool"))
    monkeypatch.delenv("LEADS_WECOM_WEBHOOK", raising=False)
    stored, failed = sample("assistant_leads_stored_total", where="database"), sample("assistant_leads_failed_total")
    lead = dict(channel="rest", conversation_id="metrics-visitor", name="王先生", need="做网站", preferred_time="随时")
    intake.record_lead(**lead, phone="13800138000")
    intake.record_lead(**lead, phone="13800138000")  # the same request again: not a second lead
    with pytest.raises(ValueError):
        intake.record_lead(**lead)  # neither phone nor WeChat
    assert sample("assistant_leads_stored_total", where="database") == stored + 1
    assert sample("assistant_leads_failed_total") == failed + 1


def test_clarifications_declines_and_handoffs_have_their_own_counters():
    before = [sample("assistant_clarifications_total"), sample("assistant_declines_total")]
    metrics.record_clarification()
    metrics.record_decline()
    metrics.record_handoff("socketio")
    assert [sample("assistant_clarifications_total"), sample("assistant_declines_total")] == [b + 1 for b in before]
    assert sample("assistant_handoffs_total", channel="socketio") >= 1

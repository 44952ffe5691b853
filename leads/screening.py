"""Lead floods: how many callback requests one conversation, one phone number and one address may
leave, and which leads look automated.

A script can fill the callback form over REST with a new `sender` and a random number each time
(a tester stored 1,000 in 90 s), or leave one person's number from many conversations. So a new
lead is checked, in the transaction that stores it, against what is already stored:

- refused (not stored; the visitor is told the request is already with us and given the phone
  and WeChat; one log line counts it), beyond
  PER_CONVERSATION leads in one conversation, PER_CONTACT_PER_DAY leads with one phone number
  or WeChat ID in 24 hours (from any conversation), PER_ADDRESS_PER_DAY leads from one address
  in 24 hours;
- stored but flagged (shown to staff with the reason, no WeCom message), when it looks
  automated: more than FLAG_PER_ADDRESS_PER_HOUR leads from its address in the last hour, or
  the visitor's last FAST_MESSAGES messages (the form's answers and the confirmation) came
  within FAST_SECONDS, quicker than anyone reads the questions and types.

Concurrent requests may each pass a limit that only one of them should have: the limits hold
to within the number of requests in flight at once. Each limit can be set in the environment
(0 turns it off): LEADS_PER_CONVERSATION, LEADS_PER_CONTACT_PER_DAY, LEADS_PER_ADDRESS_PER_DAY,
LEADS_FLAG_PER_ADDRESS_PER_HOUR, LEADS_FAST_FORM_SECONDS.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select

from assistant import settings

PER_CONVERSATION = 3
PER_CONTACT_PER_DAY = 3
PER_ADDRESS_PER_DAY = 30
FLAG_PER_ADDRESS_PER_HOUR = 5
FAST_MESSAGES = 4
FAST_SECONDS = 4.0

# Why a lead was refused or flagged: the code stored, what staff read.
REASONS = {
    "conversation_limit": "同一对话的线索过多",
    "contact_limit": "同一手机号或微信号一天内的线索过多",
    "address_limit": "同一地址一天内的线索过多",
    "address_burst": "同一地址一小时内提交了多条线索",
    "fast_form": "表单填写速度快于常人",
}


def _limit(name: str, default: int, environ=os.environ) -> int:
    try:  # declared in assistant/settings.py
        return max(0, int(settings.DECLARED[name].value(environ) or default))
    except ValueError:
        return default


def _seconds(name: str, default: float, environ=os.environ) -> float:
    try:
        return max(0.0, float(settings.DECLARED[name].value(environ) or default))
    except ValueError:
        return default


@dataclass(frozen=True)
class Verdict:
    refused: str | None = None  # a REASONS key: not stored
    flag: str | None = None  # a REASONS key: stored, shown flagged


def judge(conn, table, values: dict, *, now: datetime, form_seconds: float | None = None) -> Verdict:
    """The verdict on a new lead `values` (normalised columns), from the leads already stored."""

    def count(*conditions, since: datetime | None = None) -> int:
        query = select(func.count()).select_from(table).where(*conditions)
        if since is not None:
            query = query.where(table.c.created_at >= since)
        return conn.execute(query).scalar_one()

    day, hour = now - timedelta(days=1), now - timedelta(hours=1)
    per_conversation = _limit("LEADS_PER_CONVERSATION", PER_CONVERSATION)
    if per_conversation and count(table.c.conversation_id == values["conversation_id"]) >= per_conversation:
        return Verdict(refused="conversation_limit")
    same_contact = [
        column == values[column.name] for column in (table.c.phone, table.c.wechat) if values.get(column.name)
    ]
    per_contact = _limit("LEADS_PER_CONTACT_PER_DAY", PER_CONTACT_PER_DAY)
    if per_contact and same_contact and count(or_(*same_contact), since=day) >= per_contact:
        return Verdict(refused="contact_limit")
    address = values.get("client_address")
    if address:
        per_address = _limit("LEADS_PER_ADDRESS_PER_DAY", PER_ADDRESS_PER_DAY)
        if per_address and count(table.c.client_address == address, since=day) >= per_address:
            return Verdict(refused="address_limit")
        burst = _limit("LEADS_FLAG_PER_ADDRESS_PER_HOUR", FLAG_PER_ADDRESS_PER_HOUR)
        if burst and count(table.c.client_address == address, since=hour) >= burst:
            return Verdict(flag="address_burst")
    fast = _seconds("LEADS_FAST_FORM_SECONDS", FAST_SECONDS)
    if form_seconds is not None and form_seconds < fast:
        return Verdict(flag="fast_form")
    return Verdict()


def form_seconds(events: list[dict]) -> float | None:
    """How long the visitor's last FAST_MESSAGES messages took, from first to last (the events of
    the tracker an action gets), or None when there are fewer."""
    times = [e.get("timestamp") for e in events if e.get("event") == "user"][-FAST_MESSAGES:]
    if len(times) < FAST_MESSAGES or not all(isinstance(t, (int, float)) for t in times):
        return None
    return float(times[-1] - times[0])


def describe(reason: str | None) -> str:
    return REASONS.get(reason or "", reason or "")

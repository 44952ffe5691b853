"""Lead floods over REST, end to end (issue 23, item 9): the channel stamps each message with the
visitor's address (as the project's nginx passes it), and the callback form counts it."""

from __future__ import annotations

import json
import urllib.request
import uuid

import pytest

from harness.bot_process import BotProcess, texts
from leads import store
from tests.markers import starts_servers

LIMITS = {
    "LEADS_PER_ADDRESS_PER_DAY": "2",
    "LEADS_FLAG_PER_ADDRESS_PER_HOUR": "1",
    "LEADS_PER_CONTACT_PER_DAY": "3",
    "LEADS_PER_CONVERSATION": "3",
    "LEADS_FAST_FORM_SECONDS": "0",  # the test types as fast as a script
    "TRUSTED_PROXIES": "127.0.0.1",  # as on the stack: this test stands in for nginx
}


@pytest.fixture(scope="module")
@starts_servers
def flooded(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('flood') / 'leads.db'}"
    with BotProcess(env={"LEADS_DATABASE_URL": url, **LIMITS}) as bot:
        bot.leads = store.make_engine(url)
        yield bot


def say(bot, sender: str, text: str, address: str, metadata: dict | None = None) -> str:
    body = {"sender": sender, "message": text, **({"metadata": metadata} if metadata else {})}
    request = urllib.request.Request(
        f"{bot.url}/webhooks/rest/webhook",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "X-Real-IP": address},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return texts(json.load(response))


def leave_a_lead(bot, address: str, phone: str, metadata: dict | None = None) -> str:
    sender = f"flood-{uuid.uuid4().hex[:8]}"
    for turn in ["请客服回电", "王先生", phone, "想做网站", "随时"]:
        say(bot, sender, turn, address, metadata)
    return say(bot, sender, "确认", address, metadata)


def test_one_address_leaves_a_few_leads_then_is_told_to_call(flooded):
    assert "已收到" in leave_a_lead(flooded, "203.0.113.5", "139 0000 0001")
    assert "已收到" in leave_a_lead(flooded, "203.0.113.5", "139 0000 0002")  # stored, flagged
    # A forged address in the message's metadata is overwritten by the channel.
    refused = leave_a_lead(flooded, "203.0.113.5", "139 0000 0003", {"client_address": "192.0.2.99"})
    assert "已经收到" in refused and "175-8598-2043" in refused
    assert "已收到" in leave_a_lead(flooded, "198.51.100.5", "139 0000 0004")  # another visitor
    leads = {lead.phone: lead for lead in store.list_leads(engine=flooded.leads)}
    assert set(leads) == {"13900000001", "13900000002", "13900000004"}
    assert leads["13900000001"].client_address == "203.0.113.5" and leads["13900000001"].flag is None
    assert leads["13900000002"].flag == "address_burst"
    assert leads["13900000004"].client_address == "198.51.100.5" and leads["13900000004"].flag is None

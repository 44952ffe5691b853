"""A person takes over a WeChat follower (issue 26): with the customer-service API configured,
the agent's console messages reach the follower as 客服消息 (here WeChat's API is the stub), and
the follower's messages are kept for the agent while the assistant stays silent."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from channels.takeover import Takeovers
from channels.turn import Turns
from channels.visitor_rate import VisitorRate
from channels.wechat.channel import FollowerOutput
from channels.wechat.customer_service import CustomerServiceApi
from takeover import bus
from tests.channels.wechat.harness import StubCustomerServiceApi, api_env, settings_for

FOLLOWER = "wechat:o-follower-1"


class LoggingProcessor:
    """Rasa's MessageProcessor as far as a paused conversation goes: the message is logged."""

    def __init__(self, store):
        self.store = store

    async def handle_message(self, message):
        tracker = await self.store.retrieve(message.sender_id)
        tracker.update(UserUttered(message.text))
        await self.store.save(tracker)


def assistant():
    store = InMemoryTrackerStore(Domain.empty())
    asyncio.run(store.save(DialogueStateTracker.from_events(FOLLOWER, [UserUttered("人工客服")])))
    return SimpleNamespace(
        is_ready=lambda: True, lock_store=InMemoryLockStore(), tracker_store=store, processor=LoggingProcessor(store)
    )


def test_the_agents_messages_reach_the_follower_and_the_followers_reach_the_agent(monkeypatch):
    monkeypatch.setattr("takeover.queue.visitor_said", lambda conversation: None)
    agent = assistant()
    with StubCustomerServiceApi() as stub:
        api = CustomerServiceApi(settings_for(api_env(), api_base_url=stub.base_url, api_timeout_seconds=1.0))
        takeovers = Takeovers(lambda: agent, lambda conversation: FollowerOutput(api, "links"))

        def apply(kind, **fields):
            return asyncio.run(takeovers.apply(bus.command(kind, FOLLOWER, agent="小王", **fields)))

        assert apply("accept")
        assert stub.wait_for(1) == ["客服 小王 已接入，接下来由真人为您服务。"]
        assert stub.sent[0]["touser"] == "o-follower-1"
        assert apply("say", text="您好，请问想做什么类型的小程序？")
        assert stub.wait_for(2)[1] == "您好，请问想做什么类型的小程序？"

        # The follower answers over WeChat: kept in the conversation, no reply from the assistant.
        turns = Turns(namespace="wechat:", rate=VisitorRate(0, 1), agent_of=lambda: agent)
        collected = CollectingOutputChannel()
        asyncio.run(turns(UserMessage("点餐的", collected, "o-follower-1", input_channel="wechat")))
        assert collected.messages == []
        tracker = asyncio.run(agent.tracker_store.retrieve(FOLLOWER))
        assert tracker.is_paused() and tracker.latest_message.text == "点餐的"

        assert apply("end", reason="handed_back")
        assert "智能助手继续" in stub.wait_for(3)[2]
        assert not asyncio.run(agent.tracker_store.retrieve(FOLLOWER)).is_paused()
        assert not apply("say", text="还在吗")  # handed back: an agent no longer writes into it
        assert len(stub.sent) == 3

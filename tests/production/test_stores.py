"""The production stack's stores against this machine's PostgreSQL, Redis and RabbitMQ:
conversation_store/tracker_store.py keeps Rasa's table and behaviour; production/lock_store.py
serves one turn of a conversation at a time, in order, and survives a dead holder;
production/event_broker.py delivers every event and bounds what waits for RabbitMQ."""

from __future__ import annotations

import asyncio
import time
import uuid

import psycopg2
import pytest
import redis
import sqlalchemy.exc
from rasa.core.lock_store import LockError
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

from conversation_store.tracker_store import LeanSQLTrackerStore
from harness.stack_process import delete_broker, require_services, take_broker_events
from production.event_broker import PromptPikaEventBroker
from production.lock_store import AtomicRedisLockStore
from tests.markers import starts_servers

DOMAIN = Domain.load("domain.yml")


class Broker:
    """Collects what the tracker store publishes."""

    def __init__(self):
        self.published = []

    def publish(self, event: dict) -> None:
        self.published.append(event)


@pytest.fixture(scope="module")
@starts_servers
def database():
    require_services()
    name = f"trackers_test_{uuid.uuid4().hex[:8]}"
    yield name
    conn = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    conn.autocommit = True
    conn.cursor().execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    conn.close()


def store(cls, database: str, broker=None):
    return cls(
        domain=DOMAIN,
        dialect="postgresql",
        host="127.0.0.1",
        port=5432,
        db=database,
        username="postgres",
        login_db="postgres",
        event_broker=broker,
    )


def turn(tracker: DialogueStateTracker, text: str, answer: str) -> None:
    tracker.update(UserUttered(text, {"name": "greet", "confidence": 0.9}))
    tracker.update(SlotSet("comparison", "taobao_vs_promoter"))
    tracker.update(ActionExecuted("action_answer_comparison"))
    tracker.update(BotUttered(answer))
    tracker.update(ActionExecuted("action_listen"))


def new_tracker() -> DialogueStateTracker:
    tracker = DialogueStateTracker(f"visitor-{uuid.uuid4().hex[:8]}", DOMAIN.slots)
    tracker.update(ActionExecuted("action_listen"))
    return tracker


def test_saved_conversation_reads_back_the_same_also_with_rasas_own_store(database):
    lean, broker = store(LeanSQLTrackerStore, database, Broker()), None
    tracker = new_tracker()
    turn(tracker, "淘宝运营和推广专员有什么区别", "区别如下")
    asyncio.run(lean.save(tracker))
    turn(tracker, "那能力要求呢", "能力要求")
    asyncio.run(lean.save(tracker))

    ours = asyncio.run(lean.retrieve(tracker.sender_id))
    rasas = asyncio.run(store(SQLTrackerStore, database, broker).retrieve(tracker.sender_id))
    expected = [e.as_dict() for e in tracker.events]
    assert [e.as_dict() for e in ours.events] == expected
    assert [e.as_dict() for e in rasas.events] == expected
    assert ours.get_slot("comparison") == "taobao_vs_promoter"
    assert asyncio.run(lean.retrieve("nobody-" + uuid.uuid4().hex)) is None


def test_each_new_event_is_stored_and_published_exactly_once(database):
    broker = Broker()
    lean = store(LeanSQLTrackerStore, database, broker)
    tracker = new_tracker()
    turn(tracker, "什么是无形价值", "无形价值")
    asyncio.run(lean.save(tracker))
    asyncio.run(lean.save(tracker))  # nothing new: nothing stored or published again
    turn(tracker, "谢谢", "不客气")
    asyncio.run(lean.save(tracker))
    # A tracker this store did not load (as from Rasa's HTTP API): what is stored is counted.
    tracker = DialogueStateTracker.from_events(tracker.sender_id, list(tracker.events), DOMAIN.slots)
    turn(tracker, "再见", "再见")
    asyncio.run(lean.save(tracker))
    # Loaded by another replica, then one more turn.
    tracker = asyncio.run(store(LeanSQLTrackerStore, database, broker).retrieve(tracker.sender_id))
    turn(tracker, "还在吗", "在的")
    asyncio.run(lean.save(tracker))

    assert [e["event"] for e in broker.published] == [e.type_name for e in tracker.events]
    assert {e["sender_id"] for e in broker.published} == {tracker.sender_id}
    with psycopg2.connect(host="127.0.0.1", user="postgres", dbname=database) as conn:
        cur = conn.cursor()
        cur.execute(
            "SELECT type_name, intent_name, action_name FROM events WHERE sender_id = %s ORDER BY id",
            (tracker.sender_id,),
        )
        rows = cur.fetchall()
    conn.close()
    assert [r[0] for r in rows] == [e.type_name for e in tracker.events]
    assert ("user", "greet", None) in rows and ("action", None, "action_answer_comparison") in rows


def test_only_the_latest_session_is_loaded_unless_all_are_asked_for(database):
    lean = store(LeanSQLTrackerStore, database)
    tracker = new_tracker()
    turn(tracker, "第一次", "旧会话")
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted(timestamp=time.time() + 1))
    tracker.update(ActionExecuted("action_listen", timestamp=time.time() + 2))
    turn(tracker, "第二次", "新会话")
    asyncio.run(lean.save(tracker))

    latest = asyncio.run(lean.retrieve(tracker.sender_id))
    everything = asyncio.run(lean.retrieve_full_tracker(tracker.sender_id))
    assert "旧会话" not in [e.text for e in latest.events if isinstance(e, BotUttered)]
    assert [e.as_dict() for e in everything.events] == [e.as_dict() for e in tracker.events]


def test_connections_dropped_by_a_database_restart_are_replaced_without_an_error(database):
    lean = store(LeanSQLTrackerStore, database)
    tracker = new_tracker()
    turn(tracker, "你好", "您好")
    asyncio.run(lean.save(tracker))
    with psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres") as admin:
        admin.cursor().execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (database,),
        )
    admin.close()
    assert asyncio.run(lean.retrieve(tracker.sender_id)).latest_message.text == "你好"


# --- the conversation lock -----------------------------------------------------------------


@pytest.fixture
@starts_servers
def locks():
    require_services()
    prefix = f"locktest{uuid.uuid4().hex[:8]}"
    lock_store = AtomicRedisLockStore(EndpointConfig(url="127.0.0.1", port=6379, db=1, key_prefix=prefix))
    yield lock_store
    for key in lock_store.red.scan_iter(f"{prefix}*"):
        lock_store.red.delete(key)


@pytest.mark.e2e
def test_the_lock_key_prefix_is_honoured_or_refused_never_replaced():
    require_services()
    prefix = f"chuangyiling-prod.{uuid.uuid4().hex[:6]}"
    store = AtomicRedisLockStore(EndpointConfig(url="127.0.0.1", port=6379, db=1, key_prefix=prefix))
    assert store.key_prefix.startswith(prefix + ":")  # Rasa's own store would use plain "lock:"
    with pytest.raises(RasaException, match="LOCK_KEY_PREFIX"):
        AtomicRedisLockStore(EndpointConfig(url="127.0.0.1", port=6379, db=1, key_prefix="a b:*"))


async def hold(locks, conversation: str, name: str, seconds: float, log: list, lifetime: float = 5) -> None:
    async with locks.lock(conversation, lock_lifetime=lifetime):
        log.append(("start", name))
        await asyncio.sleep(seconds)
        log.append(("end", name))


def test_turns_of_one_conversation_run_one_at_a_time_in_arrival_order(locks):
    log = []

    async def burst():
        tasks = []
        for i in range(12):
            tasks.append(asyncio.ensure_future(hold(locks, "burst", str(i), 0.02, log)))
            await asyncio.sleep(0.005)  # arrival order
        await asyncio.gather(*tasks)

    asyncio.run(burst())
    assert log == [(kind, str(i)) for i in range(12) for kind in ("start", "end")]
    assert locks.get_lock("burst") is None, "the lock is removed when nobody waits"


def test_a_turn_longer_than_the_ticket_lifetime_keeps_the_conversation(locks):
    log = []

    async def long_turn_then_next():
        first = asyncio.ensure_future(hold(locks, "long", "long", 1.5, log, lifetime=0.4))
        await asyncio.sleep(0.1)
        await asyncio.gather(first, hold(locks, "long", "next", 0, log, lifetime=0.4))

    asyncio.run(long_turn_then_next())
    assert log == [("start", "long"), ("end", "long"), ("start", "next"), ("end", "next")]


def test_a_dead_replicas_ticket_lapses_and_the_next_turn_goes_ahead(locks):
    locks.issue_ticket("orphan", lock_lifetime=0.5)  # taken by a replica that then died
    issued = time.time()
    log = []
    asyncio.run(hold(locks, "orphan", "survivor", 0, log))
    assert log == [("start", "survivor"), ("end", "survivor")]
    assert time.time() - issued >= 0.5, "the dead replica's turn was not waited for"


def test_a_waiter_whose_lock_vanished_gets_an_error_not_a_hang(locks):
    async def scenario():
        holder_in = asyncio.Event()

        async def holder():
            async with locks.lock("flushed"):
                holder_in.set()
                await asyncio.sleep(0.5)

        task = asyncio.ensure_future(holder())
        await holder_in.wait()
        waiter = asyncio.ensure_future(hold(locks, "flushed", "waiter", 0, []))
        await asyncio.sleep(0.1)
        locks.red.delete(locks.key_prefix + "flushed")  # as after a Redis restart
        with pytest.raises(LockError):
            await asyncio.wait_for(waiter, 5)
        await task

    asyncio.run(scenario())


def test_redis_errors_surface_as_lock_errors():
    broken = AtomicRedisLockStore(EndpointConfig(url="127.0.0.1", port=1, db=1, key_prefix="x"))
    with pytest.raises(LockError):
        broken.issue_ticket("anyone")
    assert isinstance(broken.red, redis.Redis)


# --- the event broker ----------------------------------------------------------------------


@pytest.mark.e2e
def test_a_busy_replica_waits_for_rabbitmq_instead_of_piling_up_events(monkeypatch):
    require_services()
    name = f"brokertest{uuid.uuid4().hex[:8]}"
    events = [{"sender_id": "v", "event": "user", "text": f"问题 {i}"} for i in range(300)]

    async def publish() -> tuple[int, int]:
        broker = await PromptPikaEventBroker.from_endpoint_config(
            EndpointConfig(url="127.0.0.1", username="guest", password="guest", queues=[name], exchange_name=name)
        )
        try:
            await broker.publish_all(events[:150])  # a quiet replica does not wait
            monkeypatch.setattr("production.event_broker.MAX_PENDING", 0)  # now a busy one
            await broker.publish_all(events[150:])
            still_waiting = len(broker._background_tasks)
            while broker._background_tasks:
                await asyncio.sleep(0.01)
            return still_waiting, len(broker._unpublished_events)
        finally:
            await broker.close()

    still_waiting, failed = asyncio.run(publish())
    assert still_waiting == 0 and failed == 0, "over the limit, a turn returns only when its events are confirmed"
    try:
        assert [e["text"] for e in asyncio.run(take_broker_events(name))] == [e["text"] for e in events]
    finally:
        asyncio.run(delete_broker(name))


@pytest.mark.e2e
def test_a_replica_starts_without_rabbitmq_and_sends_the_kept_events_once_it_is_back():
    require_services()
    from harness.bot_process import free_port
    from harness.tcp_proxy import TcpProxy

    name = f"brokertest{uuid.uuid4().hex[:8]}"
    port = free_port()  # nothing listens here yet: RabbitMQ is "down"
    events = [{"sender_id": "v", "event": "user", "text": f"离线 {i}"} for i in range(20)]

    async def scenario():
        started = time.monotonic()
        broker = await PromptPikaEventBroker.from_endpoint_config(
            EndpointConfig(
                url="127.0.0.1",
                port=port,
                username="guest",
                password="guest",
                queues=[name],
                exchange_name=name,
                retry_delay_in_seconds=0.5,
            )
        )
        startup = time.monotonic() - started
        try:
            assert not broker.is_ready()
            await broker.publish_all(events)
            proxy = TcpProxy(5672, port=port).start()  # RabbitMQ is back
            try:
                deadline = time.monotonic() + 60
                while not broker.is_ready() or broker._unpublished_events or broker._background_tasks:
                    assert time.monotonic() < deadline, "never reconnected"
                    await asyncio.sleep(0.2)
                await asyncio.sleep(0.5)
                await broker.close()
            finally:
                proxy.stop()
        finally:
            await broker.close()
        return startup

    startup = asyncio.run(scenario())
    assert startup < 10  # Rasa's own broker tried for 100 s, then the replica died
    try:
        assert [e["text"] for e in asyncio.run(take_broker_events(name))] == [e["text"] for e in events]
    finally:
        asyncio.run(delete_broker(name))


# --- a PostgreSQL outage -------------------------------------------------------------------


def test_a_postgresql_outage_keeps_the_context_and_loses_no_event(database, tmp_path, monkeypatch):
    from harness.tcp_proxy import TcpProxy

    monkeypatch.setenv("TRACKER_JOURNAL_PATH", str(tmp_path / "journal.db"))
    proxy = TcpProxy(5432).start()
    lean = LeanSQLTrackerStore(
        domain=DOMAIN,
        dialect="postgresql",
        host="127.0.0.1",
        port=proxy.port,
        db=database,
        username="postgres",
        login_db="postgres",
        event_broker=(broker := Broker()),
    )
    served, stranger = new_tracker(), new_tracker()
    turn(served, "淘宝运营和推广专员有什么区别", "答一")
    asyncio.run(lean.save(served))
    asyncio.run(lean.save(stranger))
    lean.kept.pop(stranger.sender_id)  # as if another replica had served it
    proxy.stop()  # PostgreSQL goes away

    during = asyncio.run(lean.retrieve(served.sender_id))
    assert during.get_slot("comparison") == "taobao_vs_promoter"  # the context, not an empty tracker
    turn(during, "那能力要求呢", "答二")
    asyncio.run(lean.save(during))  # kept on disk
    assert len(lean.journal) == 5
    with pytest.raises(sqlalchemy.exc.SQLAlchemyError):  # no context-free answer: the apology
        asyncio.run(lean.retrieve(stranger.sender_id))
    asyncio.run(lean.keep_failed_turn(stranger.sender_id, "还在吗", "抱歉"))
    # The apology turn reaches the event broker like every other turn (issue 23, item 11).
    apology_turn = [
        e for e in broker.published if e["sender_id"] == stranger.sender_id and e["event"] in ("user", "bot")
    ]
    assert [e.get("text") for e in apology_turn][-2:] == ["还在吗", "抱歉"]

    journal_again = type(lean.journal)(tmp_path / "journal.db")  # it survives a restart
    assert len(journal_again) == 8

    TcpProxy(5432, port=proxy.port).start()  # PostgreSQL is back
    back = asyncio.run(lean.retrieve(served.sender_id))  # writes the journal first
    assert len(lean.journal) == 0
    assert [e.text for e in back.events if isinstance(e, UserUttered)] == [
        "淘宝运营和推广专员有什么区别",
        "那能力要求呢",
    ]
    other = asyncio.run(store(LeanSQLTrackerStore, database).retrieve(stranger.sender_id))
    assert [e.text for e in other.events if isinstance(e, (UserUttered, BotUttered))] == ["还在吗", "抱歉"]

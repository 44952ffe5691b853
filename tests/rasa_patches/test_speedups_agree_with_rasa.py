"""Each speed-up (rasa_patches, components.intent_classifier) gives exactly Rasa's own results."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import ValidationError, validate
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction

import components  # noqa: F401 - installs the speed-ups
from rasa_patches.action_response_check import _passes_fast_check, _validate_action_result

GOOD = {
    "events": [{"event": "slot", "name": "comparison", "value": "x"}],
    "responses": [{"text": "你好", "buttons": []}],
}
BAD = [{"events": "not a list"}, {"responses": ["not an object"]}, {"events": [{"event": "no_such_event"}]}]


def test_installed_on_rasa():
    assert RemoteAction._validate_action_result is _validate_action_result


def test_valid_response_is_accepted():
    assert _validate_action_result(None, GOOD) is True
    assert _passes_fast_check(GOOD), "a valid response should not need the full validator"
    validate(GOOD, RemoteAction.action_response_format_spec())


@pytest.mark.parametrize("response", BAD)
def test_invalid_response_is_refused_like_rasa_does(response):
    with pytest.raises(ValidationError):
        validate(response, RemoteAction.action_response_format_spec())
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        _validate_action_result(None, response)


def test_event_classes_resolve_as_in_rasa():
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    _resolve_by_type = Event.resolve_by_type
    assert getattr(_resolve_by_type, "cached", False)
    for cls in all_subclasses(Event):
        assert _resolve_by_type(cls.type_name) is next(c for c in all_subclasses(Event) if c.type_name == cls.type_name)
    assert _resolve_by_type("no_such_event", default=Event) is Event
    with pytest.raises(ValueError):
        _resolve_by_type("no_such_event")
    assert Event.from_parameters({"event": "slot", "name": "a", "value": 1}).value == 1


EVENT_NAMES = ["user", "action", "slot", "bot", "active_loop", "session_started", "entities", "no_such_event"]
VALUES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=5)
    | st.lists(st.integers(), max_size=2)
    | st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)
)
EVENTS = st.fixed_dictionaries(
    {"event": st.sampled_from(EVENT_NAMES) | VALUES},
    optional={
        "name": VALUES,
        "value": VALUES,
        "text": VALUES,
        "timestamp": VALUES,
        "metadata": VALUES,
        "entities": st.lists(st.fixed_dictionaries({"entity": VALUES, "value": VALUES}), max_size=2),
        "parse_data": VALUES,
        "policy": VALUES,
        "confidence": VALUES,
    },
)
RESPONSES = st.fixed_dictionaries(
    {},
    optional={
        "events": st.lists(EVENTS, max_size=4) | VALUES,
        "responses": st.lists(VALUES | st.just({"text": "x"}), max_size=2),
    },
)

# Built once: jsonschema.validate would rebuild it for each of the 400 examples.
RASAS_VALIDATOR = validator_for(RemoteAction.action_response_format_spec())(RemoteAction.action_response_format_spec())


@settings(max_examples=400, deadline=None)
@given(RESPONSES)
def test_fast_check_agrees_with_rasas_schema(response):
    try:
        RASAS_VALIDATOR.validate(response)
        expected = True
    except ValidationError:
        expected = False
    try:
        actual = _validate_action_result(None, response)
    except ValidationError:
        actual = False
    assert actual is expected


def test_action_requests_are_sent_as_utf8_json():
    import asyncio
    import json

    from rasa.utils.endpoints import EndpointConfig

    async def body_sent() -> bytes:
        async with EndpointConfig("http://unused").session() as session:
            return session._json_serialize({"text": "淘宝运营/推广", "n": 1.5})

    assert json.loads(asyncio.run(body_sent())) == {"text": "淘宝运营/推广", "n": 1.5}


@pytest.mark.e2e
def test_the_model_graph_run_without_dask_parses_exactly_as_with_it():
    import asyncio

    from rasa.core.agent import Agent
    from rasa.engine.runner.dask import DaskGraphRunner

    from rasa_patches import graph_without_dask

    agent = Agent.load("models/bot.tar.gz")
    texts = ["淘宝运营和推广专员有什么区别", "網絡推廣同運營邊個好搵工", "那能力要求呢", "1", "小程序开发运营多少钱"]

    def parses():
        return [asyncio.run(agent.parse_message(text)) for text in texts]

    ours = parses()
    try:
        DaskGraphRunner.run = graph_without_dask._run_graph.rasa_run
        rasas = parses()
    finally:
        DaskGraphRunner.run = graph_without_dask._run_graph
    assert ours == rasas and ours[0]["intent"]["name"]


def test_intent_probabilities_are_sklearns_own():
    import numpy as np
    import scipy.sparse
    from sklearn.linear_model import LogisticRegression

    from components.intent_classifier import _ContiguousScores, _multinomial

    X = scipy.sparse.random(200, 3000, density=0.01, format="csr", random_state=1)
    y = np.random.default_rng(0).integers(0, 5, 200)
    clf = LogisticRegression(max_iter=500).fit(X, y)
    assert _multinomial(clf)
    assert np.allclose(clf.predict_proba(X[:5]), _ContiguousScores(clf).predict_proba(X[:5]), rtol=0, atol=1e-12)
    binary = LogisticRegression().fit(X, y % 2)  # not multinomial: sklearn's own path
    assert not _multinomial(binary)


def test_custom_actions_reuse_one_kept_alive_connection():
    import asyncio

    from aiohttp import web
    from rasa.utils.endpoints import EndpointConfig

    peers = []

    async def webhook(request):
        peers.append(request.transport.get_extra_info("peername"))
        return web.json_response({"events": [], "responses": []})

    async def scenario():
        app = web.Application()
        app.router.add_post("/webhook", webhook)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
        try:
            for _ in range(3):
                assert await endpoint.request(json={"next_action": "x"}, method="post") == {
                    "events": [],
                    "responses": [],
                }
        finally:
            await (await endpoint.session().__aenter__()).close()
            await runner.cleanup()

    asyncio.run(scenario())
    assert len(peers) == 3 and len(set(peers)) == 1

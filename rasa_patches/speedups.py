"""Removes the hottest costs of a Rasa 3.6 turn, found by profiling the REST channel (py-spy).

- Rasa validates every action-server response with `jsonschema.validate`, which
  checks the (constant) schema itself on every call: 65% of a turn's CPU time.
  A validator built once gives the same result and the same ValidationError.
  Even so, each event was tried against all 23 `oneOf` branches of the event schema
  (8% of a turn). Every branch is keyed by a constant `event` name, so an event is
  valid exactly when it matches its own branch: that one branch is checked, and any
  failure is re-checked by the full validator so the error is Rasa's own.
- The tracker sent to the action server is encoded with ujson (already installed
  with Sanic) instead of the json module: another 8% of a turn.
- Each custom action opened a new HTTP session and connection to the action server;
  one session per event loop is kept, with keep-alive.
- Deserialising the tracker looks up each event's class by walking all Event
  subclasses, for every event of every turn: 9% after the first fix. The classes
  never change once Rasa is imported, so the look-up is cached by type name.

- Every parse and every prediction runs the model's graph through dask, which first
  recomputes the graph's minimal schema (deep copies of every node) and schedules the
  tasks: 10% of a turn. The graph never changes once loaded: the order of its nodes is
  computed once per set of targets and the nodes are called in that order, with the same
  inputs and outputs as under dask.
- The intent classifier's scores are `X @ coef_.T`: scipy copies the transposed
  coefficients (features x intents, megabytes) into a contiguous array on every message
  (6% of a turn). The contiguous copy is made once per trained model. Its input row was
  built by stacking the sparse features with an empty dense block (scipy's bmat: 5%);
  without dense features the sparse row is the same matrix.

Loaded from components/__init__.py, which every Rasa server process of this
project imports when it loads the model.
"""

from __future__ import annotations

import asyncio
import atexit
import weakref
from functools import lru_cache
from typing import Any, Dict, Tuple

import aiohttp
import numpy as np
import scipy.sparse
import ujson
from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event
from rasa.shared.nlu.constants import TEXT
from rasa.utils.endpoints import EndpointConfig
from scipy.special import softmax
from sklearn.linear_model import LogisticRegression

_resolve_event_class = Event.resolve_by_type
_event_classes: Dict[str, type] = {}


@lru_cache(maxsize=1)
def _action_response_validator():
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@lru_cache(maxsize=1)
def _per_event_validators() -> Tuple[Any, Dict[str, Any]]:
    """The response schema without the events' `oneOf`, and one validator per event name."""
    schema = RemoteAction.action_response_format_spec()
    items = schema["properties"]["events"]["items"]
    base_items = {k: v for k, v in items.items() if k != "oneOf"}
    outline = {
        **schema,
        "properties": {**schema["properties"], "events": {**schema["properties"]["events"], "items": base_items}},
    }
    cls = validator_for(schema)
    by_name = {branch["properties"]["event"]["const"]: cls(branch) for branch in items["oneOf"]}
    return cls(outline), by_name


def _passes_fast_check(result: Any) -> bool:
    outline, by_name = _per_event_validators()
    if not outline.is_valid(result):
        return False
    for event in result.get("events") or []:
        branch = by_name.get(event["event"])
        if branch is None or not branch.is_valid(event):
            return False
    return True


def _validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    try:
        if _passes_fast_check(result):
            return True
        _action_response_validator().validate(result)
        return True
    except ValidationError as e:
        e.message += (
            ". Failed to validate Action server response from API, make sure your response "
            f"from the Action endpoint is valid. For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise e


def _resolve_by_type(type_name: str, default=None):
    cls = _event_classes.get(type_name)
    if cls is None:
        cls = _resolve_event_class(type_name, default)  # raises for an unknown name, as before
        if cls is not None and cls is not default:
            _event_classes[type_name] = cls
    return cls


def _dumps(obj: Any) -> str:
    return ujson.dumps(obj, ensure_ascii=False, escape_forward_slashes=False)


class _KeptSession:
    """What `EndpointConfig.session()` returns: `async with` gives the kept session and
    leaves it open (Rasa opens and closes one per call). A wrapper: aiohttp discourages
    subclassing ClientSession."""

    def __init__(self, session: aiohttp.ClientSession):
        self.session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self.session

    async def __aexit__(self, *exc_info) -> None:
        return None

    def __getattr__(self, name: str):
        return getattr(self.session, name)


# Per event loop (a session belongs to the loop it was made on), per headers and credentials.
_sessions: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict] = weakref.WeakKeyDictionary()
IDLE_CONNECTION_SECONDS = 2  # closed before the action server's 5 s keep-alive ends it under us


def _close_sessions(which) -> None:
    """Closes the kept sessions of the loops `which` selects (without a loop to await on:
    closing the connector is synchronous), so none is reported as an unclosed session."""
    for loop in [loop for loop in list(_sessions.keys()) if which(loop)]:
        for session in _sessions.pop(loop, {}).values():
            try:
                session.connector.close()
            except Exception:  # noqa: BLE001 - its loop is gone; nothing is left to release
                pass


atexit.register(_close_sessions, lambda loop: True)


def _session(self: EndpointConfig) -> _KeptSession:
    """Rasa's EndpointConfig.session, with ujson for request bodies, kept open between calls:
    every custom action reuses a kept-alive connection instead of a new session and TCP
    connection each time (5% of a turn, and the action server's accept)."""
    auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) if self.basic_auth else None
    key = (tuple(sorted((self.headers or {}).items())), auth)
    _close_sessions(lambda loop: loop.is_closed())
    per_loop = _sessions.setdefault(asyncio.get_running_loop(), {})
    session = per_loop.get(key)
    if session is None or session.closed:
        session = per_loop[key] = aiohttp.ClientSession(
            headers=self.headers,
            auth=auth,
            json_serialize=_dumps,
            connector=aiohttp.TCPConnector(keepalive_timeout=IDLE_CONNECTION_SECONDS),
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        )
    return _KeptSession(session)


def _execution_order(runner: DaskGraphRunner, targets: Tuple[str, ...]) -> Tuple[Tuple[str, Tuple[str, ...]], ...]:
    """(node, the nodes it needs) for every node the targets depend on, dependencies first."""
    orders = runner.__dict__.setdefault("_execution_orders", {})
    if targets not in orders:
        nodes, order, seen = runner._graph_schema.nodes, [], set()

        def visit(name: str) -> None:
            if name in seen or name not in nodes:  # not a node: an input given to run()
                return
            seen.add(name)
            needs = tuple(nodes[name].needs.values())
            for need in needs:
                visit(need)
            order.append((name, needs))

        for target in targets:
            visit(target)
        orders[targets] = tuple(order)
    return orders[targets]


_dask_run = DaskGraphRunner.run


def _run_graph(self: DaskGraphRunner, inputs: Dict[str, Any] = None, targets=None) -> Dict[str, Any]:
    """DaskGraphRunner.run without dask: the same nodes, called in dependency order."""
    run_targets = tuple(targets if targets else self._graph_schema.target_names)
    for value in (inputs or {}).values():
        if isinstance(value, str) and value in self._graph_schema.nodes:
            raise GraphRunError(f"Input value '{value}' clashes with a node name.")
    results: Dict[str, Any] = {name: (name, value) for name, value in (inputs or {}).items()}
    try:
        for name, needs in _execution_order(self, run_targets):
            # A need nobody provides reaches the node as its bare name, as under dask.
            results[name] = self._instantiated_nodes[name](*(results.get(n, n) for n in needs))
    except RuntimeError as e:
        raise GraphRunError("Error running runner.") from e
    return dict(results[t] for t in run_targets)


_predict_proba = LogisticRegression.predict_proba
_transposed: weakref.WeakKeyDictionary[LogisticRegression, tuple] = weakref.WeakKeyDictionary()


def _multinomial_predict_proba(self: LogisticRegression, X):
    """LogisticRegression.predict_proba for the multinomial case on sparse rows, with the
    transposed coefficients kept contiguous; every other case is sklearn's own."""
    ovr = self.multi_class in ("ovr", "warn") or (
        self.multi_class == "auto" and (self.classes_.size <= 2 or self.solver == "liblinear")
    )
    if ovr or not scipy.sparse.issparse(X) or X.shape[1] != self.coef_.shape[1]:
        return _predict_proba(self, X)
    coef, transposed = _transposed.get(self, (None, None))
    if coef is not self.coef_:
        coef, transposed = self.coef_, np.ascontiguousarray(self.coef_.T)
        _transposed[self] = (coef, transposed)
    return softmax(np.asarray(X @ transposed) + self.intercept_, axis=1)


_create_X = LogisticRegressionClassifier._create_X


def _create_sparse_X(self: LogisticRegressionClassifier, messages) -> scipy.sparse.csr_matrix:
    """The classifier's input rows; Rasa's own way when any message has dense features."""
    rows = []
    for message in messages:
        if message.get_dense_features(attribute=TEXT)[1] is not None:
            return _create_X(self, messages)
        sparse = message.get_sparse_features(attribute=TEXT)[1]
        rows.append(scipy.sparse.csr_matrix(sparse.features if sparse else []))
    return rows[0] if len(rows) == 1 else scipy.sparse.vstack(rows, format="csr")


def install() -> None:
    LogisticRegressionClassifier._create_X = _create_sparse_X
    LogisticRegression.predict_proba = _multinomial_predict_proba
    DaskGraphRunner.run = _run_graph
    RemoteAction._validate_action_result = _validate_action_result
    EndpointConfig.session = _session
    Event.resolve_by_type = staticmethod(_resolve_by_type)

"""Runs the model's graph in dependency order, without dask.

Why a patch: DaskGraphRunner.run (rasa/engine/runner/dask.py) deep-copies the graph's schema and
schedules it through dask on every parse and prediction (10% of a turn); rasa/core/agent.py names
that runner itself. The graph never changes once loaded: its order is computed once per target set."""

from __future__ import annotations

from typing import Any, Dict, Tuple

from rasa_patches.version_guard import applies


def _execution_order(runner, targets: Tuple[str, ...]) -> Tuple[Tuple[str, Tuple[str, ...]], ...]:
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


def _run_graph(self, inputs: Dict[str, Any] = None, targets=None) -> Dict[str, Any]:
    from rasa.engine.exceptions import GraphRunError

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


def install() -> None:
    from rasa.engine.runner.dask import DaskGraphRunner

    if DaskGraphRunner.run is not _run_graph and applies(__name__):
        _run_graph.rasa_run = DaskGraphRunner.run  # kept for the test that compares both
        DaskGraphRunner.run = _run_graph

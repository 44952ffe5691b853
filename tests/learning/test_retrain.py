"""The retrain's decisions, with Rasa's commands replaced by what they would write: a model that
fails a gate is kept aside with the reason and the live model stays; one that passes is loaded
into each server in turn and recorded as live with its labels; rollback swaps back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from learning import jobs, retrain
from learning.labels import LabelFile


class FakeRasa:
    """What `rasa train` and `rasa test` leave behind, with the F1 and label errors asked for."""

    def __init__(self, f1: float = 0.97, label_errors: list | None = None, fail: str | None = None):
        self.f1, self.label_errors, self.fail, self.steps = f1, label_errors or [], fail, []

    def __call__(self, run: retrain.Run, step: str, *args: str) -> str:
        self.steps.append(step)
        if step == self.fail:
            raise retrain.Failed(step, f"`rasa {args[0]}` failed: boom")
        out = Path(args[args.index("--out") + 1]) if "--out" in args else None
        if step == "train":
            (out / "candidate.tar.gz").write_bytes(b"model")
        elif step == "labels":
            out.mkdir(parents=True)
            (out / "intent_errors.json").write_text(json.dumps(self.label_errors), encoding="utf-8")
        elif step == "nlu":
            out.mkdir(parents=True)
            report = {"weighted avg": {"f1-score": self.f1}}
            (out / "intent_report.json").write_text(json.dumps(report), encoding="utf-8")
        return ""


@pytest.fixture
def setup(tmp_path, monkeypatch):
    monkeypatch.setenv("LEARNING_EVAL_DIR", str(tmp_path / "no-eval"))  # the dev-set gate: e2e tests
    labels = LabelFile(tmp_path / "staff_labels.yml")
    labels.add("投放渠道主要有哪些类型", "ask_ad_forms", "wang")
    switched = []
    monkeypatch.setattr(
        retrain, "switch", lambda model, urls, token, back_to=None: switched.append((Path(model).name, list(urls)))
    )
    initial = tmp_path / "bot.tar.gz"
    initial.write_bytes(b"initial")
    monkeypatch.setattr(retrain, "INITIAL_MODEL", initial)

    def run(fake: FakeRasa) -> dict:
        monkeypatch.setattr(retrain.Run, "rasa", lambda self, step, *args: fake(self, step, *args))
        return retrain.Run(tmp_path / "learning", labels.path, ["http://a", "http://b"], "t").run()

    return run, switched, tmp_path / "learning", labels


def test_a_passing_model_goes_live_on_each_server_in_turn_with_its_labels(setup):
    run, switched, base, _ = setup
    fake = FakeRasa()
    status = run(fake)
    assert status["state"] == "live" and fake.steps == ["validate", "train", "labels", "nlu", "stories"]
    assert switched == [(f"{status['run']}.tar.gz", ["http://a", "http://b"])]
    assert status["dev"].startswith("skipped: no development sets")
    live = json.loads((base / "live.json").read_text(encoding="utf-8"))
    assert live["labels"] == 1 and live["intent_f1"] == 0.97 and live["previous"]["labels"] == 0
    assert Path(live["model"]).read_bytes() == b"model"


def test_a_model_below_the_nlu_gate_is_kept_aside_with_why_and_the_live_one_stays(setup):
    run, switched, base, _ = setup
    status = run(FakeRasa(f1=0.91))
    assert status["state"] == "failed" and status["failed_step"] == "nlu"
    assert "0.910 below 0.95" in status["reason"] and switched == [] and not (base / "live.json").exists()
    assert Path(status["rejected_model"]).read_bytes() == b"model"
    assert json.loads((base / "status.json").read_text(encoding="utf-8"))["reason"] == status["reason"]


def test_a_label_still_misread_stops_the_run_before_the_other_gates(setup):
    run, switched, _, _ = setup
    fake = FakeRasa(label_errors=[{"text": "投放渠道主要有哪些类型", "intent_prediction": {"name": "out_of_scope"}}])
    status = run(fake)
    assert status["failed_step"] == "labels" and "投放渠道主要有哪些类型 → 超出页面范围（不回答）" in status["reason"]
    assert fake.steps == ["validate", "train", "labels"] and switched == []


def test_failing_data_or_training_says_which_step(setup):
    run, _, _, _ = setup
    status = run(FakeRasa(fail="validate"))
    assert (status["state"], status["failed_step"]) == ("failed", "validate") and "boom" in status["reason"]


def test_rollback_swaps_the_live_and_previous_models(setup, monkeypatch):
    run, switched, base, labels = setup
    run(FakeRasa())
    status = retrain.rollback(base, ["http://a"], "t")
    assert status["labels"] == 0 and status["previous"]["labels"] == 1
    assert switched[-1] == ("bot.tar.gz", ["http://a"])
    with pytest.raises(retrain.Failed):
        (base / "live.json").write_text(json.dumps({"model": "x", "labels": 0, "previous": None}), encoding="utf-8")
        retrain.rollback(base, ["http://a"], "t")


def test_the_console_overview_counts_new_labels_and_sees_a_run_that_died(setup):
    run, _, base, labels = setup
    run(FakeRasa())
    labels.add("网上投放主要有啥形态", "ask_ad_forms", "li")
    found = jobs.overview(base, labels)
    assert (found["labels"], found["new_labels"], found["running"]) == (2, 1, False)
    status = json.loads((base / "status.json").read_text(encoding="utf-8"))
    (base / "status.json").write_text(json.dumps({**status, "state": "running"}), encoding="utf-8")
    assert jobs.overview(base, labels)["status"]["state"] == "failed"  # no process holds the lock


def test_the_nightly_run_trains_only_when_there_are_new_labels(setup):
    run, _, base, labels = setup
    assert retrain.new_labels(base, labels.path) == 1  # none trained yet
    run(FakeRasa())
    assert retrain.new_labels(base, labels.path) == 0
    labels.add("网上投放主要有啥形态", "ask_ad_forms", "li")
    assert retrain.new_labels(base, labels.path) == 1


def test_a_model_below_the_dev_sets_gate_stays_aside_with_the_failed_cases(setup, tmp_path, monkeypatch):
    run, switched, base, _ = setup
    evals = tmp_path / "eval"
    evals.mkdir()
    (evals / "run_eval.py").write_text(  # run_eval.py's --json report: 9 of 10 right
        "import json, sys\nout = sys.argv[sys.argv.index('--json') + 1]\n"
        "results = [{'id': f'd-{i}', 'ok': i != 3} for i in range(10)]\n"
        "json.dump({'accuracy': 0.9, 'results': results}, open(out, 'w'))\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("LEARNING_EVAL_DIR", str(evals))

    class Server:  # the candidate's own server, as harness.bot_process starts it
        def __init__(self, **kwargs):
            self.url = "http://127.0.0.1:9"

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return None

    monkeypatch.setattr("harness.bot_process.BotProcess", Server)
    status = run(FakeRasa())
    assert (status["state"], status["failed_step"]) == ("failed", "dev") and switched == []
    assert "dev_cases.yml: 90.0% below 97%" in status["reason"] and "d-3" in status["reason"]


def test_a_restart_keeps_the_checked_model_unless_make_model_built_a_newer_one(setup, monkeypatch):
    run, _, base, _ = setup
    assert retrain.model_to_start(base) == retrain.INITIAL_MODEL  # nothing from the console yet
    status = run(FakeRasa())
    assert retrain.model_to_start(base).name == f"{status['run']}.tar.gz"
    retrain.INITIAL_MODEL.write_bytes(b"rebuilt by make model")  # newer code or data from a developer
    live = json.loads((base / "live.json").read_text(encoding="utf-8"))
    (base / "live.json").write_text(json.dumps({**live, "live_at": 0}), encoding="utf-8")
    assert retrain.model_to_start(base) == retrain.INITIAL_MODEL


def test_when_one_replica_refuses_the_model_those_switched_go_back(monkeypatch):
    loaded = []

    def load(url, model, token):
        if url == "http://b" and model.name == "new.tar.gz":
            raise retrain.Failed("switch", "http://b refused the model: 400")
        loaded.append((url, model.name))

    monkeypatch.setattr(retrain, "load", load)
    with pytest.raises(retrain.Failed) as failed:
        retrain.switch(Path("new.tar.gz"), ["http://a", "http://b", "http://c"], "t", back_to=Path("old.tar.gz"))
    assert "http://b refused" in failed.value.reason
    assert loaded == [("http://a", "new.tar.gz"), ("http://a", "old.tar.gz")]  # c never got it; a went back

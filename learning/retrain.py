"""更新模型: train a model with the staff's labels, check it with CI's gates, and load it into the
running Rasa servers one at a time; or roll back to the model that was live before.

`python -m learning.retrain` runs in a process of its own (the console starts it, learning/jobs.py),
so the web app and the Rasa server keep answering while it trains. It writes where it is to
LEARNING_DIR/status.json after each step; the console shows that file. Steps:

1. a copy of the training data with the labels file (STAFF_LABELS_PATH) in it, in LEARNING_DIR/runs/<id>;
2. `rasa data validate --fail-on-warnings`, then `rasa train` (about 1-2 minutes);
3. the gates, the first failure stops: every label so far is read as its intent (`rasa test nlu`
   on the labels file); the held-out NLU set's intent F1 >= MIN_INTENT_F1 (as `make test-nlu`);
   the test stories (as `make test-stories`); the public development sets through REST, when
   LEARNING_EVAL_DIR holds them;
4. only then: the model is kept as LEARNING_DIR/models/<id>.tar.gz and each Rasa server
   (LEARNING_RASA_URLS) loads it through Rasa's HTTP API (PUT /model, RASA_AUTH_TOKEN), one after
   the other; LEARNING_DIR/live.json says which model is live, when it was trained, on how many
   labels, and which was live before it (what `--rollback` loads again).

A failing candidate is kept in LEARNING_DIR/rejected/<id>.tar.gz with the reason in status.json.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import List, Optional

from assistant import settings
from learning import topics
from learning.labels import LABELS_PATH, LabelFile

ROOT = Path(__file__).resolve().parent.parent
MIN_INTENT_F1 = 0.95  # the Makefile's test-nlu gate
HELD_OUT = ROOT / "tests" / "nlu_test.yml"
TEST_STORIES = ROOT / "tests" / "test_stories.yml"
STEP_TIMEOUT = 1800  # seconds one rasa command may take
LOAD_TIMEOUT = 300  # seconds a Rasa server may take to load a model
STEPS = ("prepare", "validate", "train", "labels", "nlu", "stories", "dev", "switch")
DEV_SETS = ("dev_cases.yml", "dev2_cases.yml")
MIN_DEV_ACCURACY = 0.97  # both sets score 100 % (docs/pipeline.md); a little noise is allowed
INITIAL_MODEL = ROOT / "models" / "bot.tar.gz"  # what `make model` builds and the servers start with


def learning_dir() -> Path:
    return settings.LEARNING_DIR.path()


def rasa_urls(environ=os.environ) -> List[str]:
    urls = settings.LEARNING_RASA_URLS.words(environ)
    return urls or [f"http://127.0.0.1:{settings.RASA_PORT.value(environ)}"]


def read_json(path: Path) -> Optional[dict]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_json(path: Path, value: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(value, out, ensure_ascii=False, indent=1)
    os.replace(temporary, path)


class Failed(Exception):
    """A step that did not pass: `reason` is what the console shows (`step` names the gate)."""

    def __init__(self, step: str, reason: str):
        super().__init__(reason)
        self.step, self.reason = step, reason


class Run:
    def __init__(self, base: Path, labels_path: Path, urls: List[str], token: str):
        self.base, self.labels_path, self.urls, self.token = base, labels_path, urls, token
        self.id = time.strftime("%Y%m%d-%H%M%S")
        self.work = base / "runs" / self.id
        self.status = {"run": self.id, "state": "running", "step": "prepare", "started_at": time.time(), "steps": []}

    # --- status ---------------------------------------------------------------------------
    def step(self, name: str) -> None:
        self.status["step"] = name
        self.status["steps"].append({"name": name, "started_at": time.time()})
        self.save()

    def save(self) -> None:
        self.status["updated_at"] = time.time()
        write_json(self.base / "status.json", self.status)

    # --- commands -------------------------------------------------------------------------
    def rasa(self, step: str, *args: str) -> str:
        """Rasa's CLI (with this project's patches) from the project's folder: its components and
        build/ assets are found there. Output goes to the run's log; a failure raises Failed."""
        log = self.work / f"{step}.log"
        with open(log, "wb") as out:
            done = subprocess.run(
                [sys.executable, "-m", "rasa_server", *args],
                cwd=ROOT,
                env={**os.environ, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false"},
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=STEP_TIMEOUT,
            )
        text = log.read_text(encoding="utf-8", errors="replace")
        if done.returncode != 0:
            tail = [line for line in text.splitlines() if line.strip()][-3:]
            raise Failed(step, f"`rasa {args[0]}` failed: " + " | ".join(tail)[-400:])
        return text

    # --- the run --------------------------------------------------------------------------
    def prepare(self) -> int:
        project = self.work / "project"
        shutil.copytree(ROOT / "data", project / "data")
        for name in ("config.yml", "domain.yml"):
            shutil.copy2(ROOT / name, project / name)
        target = project / "data" / "nlu" / LABELS_PATH.name
        if self.labels_path.exists():
            shutil.copy2(self.labels_path, target)
        labels = LabelFile(target, data_dir=project / "data").labels()
        self.status["labels"] = len(labels)
        return len(labels)

    def train(self) -> Path:
        project = self.work / "project"
        self.step("validate")
        self.rasa(
            "validate",
            *("data", "validate", "--fail-on-warnings"),
            *("--config", str(project / "config.yml"), "--domain", str(project / "domain.yml")),
            *("--data", str(project / "data")),
        )
        self.step("train")
        self.rasa(
            "train",
            *("train", "--config", str(project / "config.yml"), "--domain", str(project / "domain.yml")),
            *("--data", str(project / "data"), "--out", str(self.work), "--fixed-model-name", "candidate", "--quiet"),
        )
        return self.work / "candidate.tar.gz"

    def check(self, model: Path, labels: int) -> None:
        if labels:
            self.step("labels")
            out = self.work / "results-labels"
            self.rasa(
                "labels",
                *("test", "nlu", "--nlu", str(self.work / "project" / "data" / "nlu" / LABELS_PATH.name)),
                *("--model", str(model), "--out", str(out)),
            )
            errors = read_json(out / "intent_errors.json") or []
            if errors:
                wrong = "; ".join(f"{e['text']} → {topics.name_of(e['intent_prediction']['name'])}" for e in errors[:5])
                raise Failed("labels", f"{len(errors)} label(s) still read as another intent: {wrong}")
            self.status["labels_right"] = labels
        self.step("nlu")
        out = self.work / "results-nlu"
        self.rasa("nlu", "test", "nlu", "--nlu", str(HELD_OUT), "--model", str(model), "--out", str(out))
        report = read_json(out / "intent_report.json") or {}
        f1 = (report.get("weighted avg") or {}).get("f1-score")
        if f1 is None:
            raise Failed("nlu", "no intent report from `rasa test nlu`")
        self.status["intent_f1"] = round(f1, 4)
        if f1 < MIN_INTENT_F1:
            raise Failed("nlu", f"held-out NLU set: intent F1 {f1:.3f} below {MIN_INTENT_F1}")
        self.step("stories")
        self.rasa(
            "stories",
            *("test", "core", "--stories", str(TEST_STORIES), "--model", str(model)),
            *("--fail-on-prediction-errors", "--out", str(self.work / "results-core")),
        )

    def dev_sets(self, model: Path) -> None:
        """The public development sets through the REST channel of a server of its own with the
        candidate (about a minute), when they are on this machine (LEARNING_EVAL_DIR)."""
        folder = settings.LEARNING_EVAL_DIR.path()
        if not (folder / "run_eval.py").exists():
            self.status["dev"] = "skipped: no development sets at " + str(folder)
            return
        from harness.bot_process import BotProcess  # starts the action server and Rasa, as `make run`

        self.step("dev")
        # Its own conversations file (endpoints.yml's SQLite store), never the live conversations.
        alone = {"TRACKER_SQLITE_PATH": str(self.work / "dev-tracker.db"), "WECHAT_TOKEN": ""}
        alone["TRACKER_JOURNAL_PATH"] = str(self.work / "dev-journal.db")
        with BotProcess(env=alone, model=model, log_dir=self.work / "dev-servers") as bot:
            for name in DEV_SETS:
                out = self.work / f"results-{name.replace('.yml', '.json')}"
                subprocess.run(
                    [sys.executable, str(folder / "run_eval.py"), "--cases", str(folder / name), "--json", str(out)]
                    + ["--url", f"{bot.url}/webhooks/rest/webhook"],
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    timeout=STEP_TIMEOUT,
                )
                report = read_json(out) or {}
                accuracy = report.get("accuracy")
                if accuracy is None:
                    raise Failed("dev", f"{name}: no result from run_eval.py")
                self.status.setdefault("dev", {})[name] = round(accuracy, 4)
                if accuracy < MIN_DEV_ACCURACY:
                    wrong = [r["id"] for r in report.get("results", []) if not r.get("ok")][:8]
                    raise Failed(
                        "dev", f"{name}: {accuracy:.1%} below {MIN_DEV_ACCURACY:.0%} (failed: {', '.join(wrong)})"
                    )

    def go_live(self, model: Path, labels: int) -> None:
        self.step("switch")
        kept = self.base / "models" / f"{self.id}.tar.gz"
        kept.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(model, kept)
        live = read_json(self.base / "live.json") or initial_model()
        switch(kept, self.urls, self.token, back_to=Path(live["model"]) if live else None)
        write_json(
            self.base / "live.json",
            {
                "model": str(kept),
                "run": self.id,
                "trained_at": self.status["started_at"],
                "live_at": time.time(),
                "labels": labels,
                "intent_f1": self.status.get("intent_f1"),
                "previous": _without_previous(live) if live else None,
            },
        )

    def run(self) -> dict:
        try:
            self.work.mkdir(parents=True, exist_ok=True)
            self.step("prepare")
            labels = self.prepare()
            model = self.train()
            self.check(model, labels)
            self.dev_sets(model)
            self.go_live(model, labels)
            self.status.update(state="live", step="done")
        except Failed as failed:
            self.status.update(state="failed", failed_step=failed.step, reason=failed.reason)
            candidate = self.work / "candidate.tar.gz"
            if candidate.exists() and failed.step != "switch":
                rejected = self.base / "rejected" / f"{self.id}.tar.gz"
                rejected.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(str(candidate), rejected)
                self.status["rejected_model"] = str(rejected)
        except Exception as error:  # noqa: BLE001 - whatever it is, the console must say the run ended
            self.status.update(state="failed", failed_step=self.status.get("step"), reason=repr(error)[:400])
        self.status["finished_at"] = time.time()
        self.save()
        return self.status


def model_to_start(base: Optional[Path] = None) -> Path:
    """The model a Rasa server starts with: the console's live model when it went live after
    `make model` last built models/bot.tar.gz (a restart keeps the switch), else that build (new
    code or data from a developer wins over an older console model)."""
    live = read_json((base or learning_dir()) / "live.json") or {}
    model = Path(live.get("model") or INITIAL_MODEL)
    built = INITIAL_MODEL.stat().st_mtime if INITIAL_MODEL.exists() else 0.0
    if model != INITIAL_MODEL and model.exists() and float(live.get("live_at") or 0) > built:
        return model
    return INITIAL_MODEL


def initial_model() -> Optional[dict]:
    """The model the servers started with, before any from the console: no label in it."""
    if not INITIAL_MODEL.exists():
        return None
    return {"model": str(INITIAL_MODEL), "trained_at": INITIAL_MODEL.stat().st_mtime, "labels": 0}


def new_labels(base: Path, labels_path: Path) -> int:
    """Labels in the file beyond those the live model was trained on."""
    live = read_json(base / "live.json") or {}
    return max(0, len(LabelFile(labels_path).labels()) - int(live.get("labels") or 0))


def _without_previous(live: dict) -> dict:
    return {k: v for k, v in live.items() if k != "previous"}


def load(url: str, model: Path, token: str) -> None:
    """One Rasa server loads `model` (Rasa's PUT /model); Failed names the server that refused."""
    request = urllib.request.Request(
        f"{url.rstrip('/')}/model?token={urllib.request.quote(token)}",
        data=json.dumps({"model_file": str(model)}).encode(),
        headers={"Content-Type": "application/json"},
        method="PUT",
    )
    try:
        with urllib.request.urlopen(request, timeout=LOAD_TIMEOUT) as response:
            if response.status != 204:
                raise Failed("switch", f"{url} answered {response.status} to PUT /model")
    except urllib.error.HTTPError as error:
        raise Failed("switch", f"{url} refused the model: {error.code} {error.read()[:200]!r}") from None
    except (urllib.error.URLError, OSError) as error:
        raise Failed("switch", f"{url} could not be reached: {error}") from None


def switch(model: Path, urls: List[str], token: str, back_to: Optional[Path] = None) -> None:
    """Each server loads `model`, one after the other, so the others answer while one loads. When
    one fails, those already switched go back to `back_to`: all servers answer with one model."""
    done: List[str] = []
    for url in urls:
        try:
            load(url, model, token)
        except Failed as failed:
            undone = []
            for switched in done if back_to else []:
                try:
                    load(switched, back_to, token)
                except Failed:
                    undone.append(switched)
            note = f"; still on the new model: {', '.join(undone)}" if undone else ""
            raise Failed("switch", failed.reason + note) from None
        done.append(url)


def rollback(base: Path, urls: List[str], token: str) -> dict:
    """The model live before the current one goes live again (the current becomes the previous)."""
    live = read_json(base / "live.json")
    if not live or not live.get("previous"):
        raise Failed("rollback", "no previous model to go back to")
    previous = live["previous"]
    switch(Path(previous["model"]), urls, token, back_to=Path(live["model"]))
    now = {**previous, "live_at": time.time(), "previous": _without_previous(live)}
    write_json(base / "live.json", now)
    return now


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rollback", action="store_true", help="load the model that was live before")
    parser.add_argument("--if-new-labels", action="store_true", help="only when labels were added (nightly)")
    args = parser.parse_args(argv)
    base = learning_dir()
    base.mkdir(parents=True, exist_ok=True)
    token = settings.RASA_AUTH_TOKEN.value()
    with open(base / "retrain.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("learning: a retrain or rollback is already running", file=sys.stderr)
            return 2
        if args.rollback:
            status = {"run": "rollback", "step": "rollback", "started_at": time.time()}
            try:
                rollback(base, rasa_urls(), token)
                status["state"] = "rolled_back"
            except Failed as failed:
                status.update(state="failed", failed_step="rollback", reason=failed.reason)
            write_json(base / "status.json", {**status, "finished_at": time.time()})
            return 0 if status["state"] == "rolled_back" else 1
        if args.if_new_labels and not new_labels(base, settings.STAFF_LABELS_PATH.path()):
            print("learning: no new label since the live model; nothing to do")
            return 0
        status = Run(base, settings.STAFF_LABELS_PATH.path(), rasa_urls(), token).run()
    print(json.dumps({k: status.get(k) for k in ("run", "state", "failed_step", "reason")}, ensure_ascii=False))
    return 0 if status["state"] == "live" else 1


if __name__ == "__main__":
    sys.exit(main())

"""更新模型 on the production stack: a checked model is loaded into the Rasa replicas one at a
time while a visitor sends a turn every 100 ms through nginx; no turn fails or is lost, and
afterwards every replica answers the labelled message right."""

from __future__ import annotations

import pytest

from harness.private_services import PrivatePostgres, PrivateRedis
from harness.stack_process import Stack, require_services
from learning.labels import LabelFile
from tests.learning.test_retrain_live import AD_FORMS, MISREAD, Visitor, retrain, said
from tests.markers import starts_servers


@pytest.fixture(scope="module")
@starts_servers
def stack(tmp_path_factory):
    require_services()
    d = tmp_path_factory.mktemp("stack-learning")
    learning = {"LEARNING_DIR": str(d / "learning"), "STAFF_LABELS_PATH": str(d / "staff_labels.yml")}
    with PrivatePostgres() as postgres, PrivateRedis() as redis:
        running = Stack(env={**learning, "STACK_RATE_PER_SECOND": "50"}, postgres=postgres, redis=redis)
        try:
            running.up()
            yield running, learning
        finally:
            running.down()


def test_the_replicas_switch_one_at_a_time_without_losing_a_turn(stack):
    running, learning = stack
    replicas = [f"http://127.0.0.1:{port}" for port in running.rasa_ports]
    for base in replicas:
        assert AD_FORMS not in said(running.say("before", MISREAD, base=base)[1])
    assert LabelFile(learning["STAFF_LABELS_PATH"]).add(MISREAD, "ask_ad_forms", "admin").added

    def through_nginx(sender, text):
        status, replies = running.say(sender, text)
        assert status == 200, status
        return replies

    visitor = Visitor(through_nginx)
    visitor.start()
    env = {**learning, "LEARNING_RASA_URLS": " ".join(replicas), "RASA_AUTH_TOKEN": running.token}
    status = retrain(env)
    visitor.stopping.set()
    visitor.join(timeout=150)
    assert status["state"] == "live", status
    assert visitor.errors == [] and visitor.answered == visitor.sent and visitor.sent > 50
    for base in replicas:
        assert AD_FORMS in said(running.say("after", MISREAD, base=base)[1])

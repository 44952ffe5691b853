"""Every intent has a name a staff member understands in the review queue."""

import yaml

from assistant.kb import ROOT_DIR
from learning import topics


def test_every_intent_of_the_domain_has_a_topic_name_and_no_name_is_an_id():
    domain = yaml.safe_load((ROOT_DIR / "domain.yml").read_text(encoding="utf-8"))
    named = topics.by_intent()
    assert set(domain["intents"]) == set(named)
    for topic in named.values():
        assert topic.name and topic.name != topic.intent and "_" not in topic.name
    assert len({t.name for t in named.values()}) == len(named)  # no two topics look alike

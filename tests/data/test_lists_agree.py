"""The lists that must agree: the domain's intents, the NLU data, the knowledge base's fact
intents, the callback form's excluded intents and the rules. Adding an intent in one place
and forgetting another fails here instead of silently breaking the form or a turn."""

from __future__ import annotations

import yaml

from assistant.kb import ROOT_DIR as ROOT
from assistant.kb import load_kb

DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
COMPARISON_INTENTS = {"ask_difference", "ask_role", "ask_dimension"}
SMALL_TALK = {"ask_capabilities", "bot_challenge", "greet", "thank", "hold_on"}
# Never an answer to the form: they cancel, correct, restart it, or go to customer service.
CONTROL = {"deny", "goodbye", "correct_lead", "request_callback", "request_human"}


def _data_files():
    return sorted((ROOT / "data").rglob("*.yml"))


def _blocks(kind: str):
    for path in _data_files():
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        yield from content.get(kind) or []


def _first_intents(block) -> set:
    first = block["steps"][0]
    if "intent" in first:
        return {first["intent"]}
    if "or" in first:
        return {step["intent"] for step in first["or"] if "intent" in step}
    return set()


def _in_form(block) -> bool:
    return any(c.get("active_loop") == "callback_form" for c in block.get("condition") or [])


def _not_intent(slot: str) -> set:
    [mapping] = DOMAIN["slots"][slot]["mappings"]
    return set(mapping.get("not_intent") or [])


def fact_intents() -> set:
    return {fact["intent"] for fact in load_kb().facts.values()}


def nlu_intents() -> set:
    return {block["intent"] for block in _blocks("nlu") if "intent" in block}


def test_domain_and_nlu_data_have_the_same_intents():
    assert set(DOMAIN["intents"]) == nlu_intents()


def test_every_fact_of_the_knowledge_base_has_an_intent_and_a_rule():
    rules_to_facts = [r for r in _blocks("rules") if not _in_form(r) and {"action": "action_answer_fact"} in r["steps"]]
    answered = set().union(*(_first_intents(r) for r in rules_to_facts))
    assert fact_intents() <= set(DOMAIN["intents"])
    assert answered == fact_intents()


def test_every_intent_is_answered_outside_the_form():
    answered = set().union(*(_first_intents(r) for r in _blocks("rules") if not _in_form(r)))
    assert set(DOMAIN["intents"]) <= answered, set(DOMAIN["intents"]) - answered


def test_the_form_excludes_every_question_and_command_and_a_rule_answers_each_inside_it():
    questions = COMPARISON_INTENTS | fact_intents() | SMALL_TALK | {"ask_price"}
    for slot in ("lead_name", "lead_contact", "lead_time"):
        assert _not_intent(slot) == questions | CONTROL, slot
    # The need takes any description, service names and page words included (validated in the action).
    assert _not_intent("lead_need") == CONTROL
    in_form = set().union(*(_first_intents(r) for r in _blocks("rules") if _in_form(r)))
    unconditional = set().union(
        *(
            _first_intents(r)
            for r in _blocks("rules")
            if not r.get("condition") and r["steps"][0].get("intent") == "request_callback"
        )
    )
    excluded = set().union(*(_not_intent(s) for s in ("lead_name", "lead_contact", "lead_need", "lead_time")))
    assert excluded <= in_form | unconditional, excluded - in_form - unconditional


def test_every_intent_is_either_an_answer_to_the_form_or_handled_inside_it():
    accepted = set(DOMAIN["intents"]) - _not_intent("lead_name")
    assert accepted == {"inform", "affirm", "out_of_scope"}

"""Whole questions in English: the page's Chinese answer, introduced by one English line."""

from tests.action_helpers import run, text_of, tracker


def test_an_english_question_gets_one_english_line_before_the_pages_chinese():
    from actions.page_questions import ActionAnswerFact

    asked = tracker("What are the features of new media promotion?", "ask_newmedia_features", entities=[])
    asked.latest_message["english"] = True  # what the normaliser says of an English sentence
    text = text_of(run(ActionAnswerFact(), asked)[0])
    assert text.startswith("The page is written in Chinese") and "个性化" in text

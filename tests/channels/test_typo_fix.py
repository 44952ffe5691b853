"""channels/typo_fix.py: a message that only fixes the visitor's last one makes that one the question."""

import pytest

from channels.typo_fix import fixed


@pytest.mark.parametrize(
    "previous, fix, question",
    [
        # a word with an asterisk, or before a complaint about typing: the word that sounds the same
        ("淘宝运营和推广专员要的能里有啥不同", "能力*", "淘宝运营和推广专员要的能力有啥不同"),
        ("市场部的定意是什么", "定义。。。手滑了", "市场部的定义是什么"),
        # the role meant: the role named before most like it
        ("淘宝运营跟新媒体推广是包含关系吗", "打错了，我想打的是电商运营", "电商运营跟新媒体推广是包含关系吗"),
        ("运营和推广专员有什么区别", "*网络推广", "运营和网络推广有什么区别"),
    ],
)
def test_the_last_message_fixed_is_the_question(previous, fix, question):
    assert fixed(previous, fix) == question


def test_a_question_turned_round_is_asked_of_the_roles_named_before():
    result = fixed("运营和市场哪个管得更少", "问反了，我其实想问的是哪个管得更多")
    assert result is not None and "运营" in result and "管得更多" in result and "更少" not in result


@pytest.mark.parametrize(
    "previous, text",
    [
        ("淘宝运营做什么", "谢谢"),  # no fix at all
        ("淘宝运营做什么", "那推广专员呢"),  # a question of its own
        ("淘宝运营做什么", "输入法真难用，我下次换一个再来问别的问题吧哈哈哈哈哈哈哈"),  # too long to be a fix
        ("", "就业*"),  # nothing to fix
    ],
)
def test_what_is_no_fix_of_the_last_message_is_left_alone(previous, text):
    assert fixed(previous, text) is None

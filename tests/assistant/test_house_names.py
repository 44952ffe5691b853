"""assistant/house_names.py: a visitor's own names for the page's roles."""

from assistant.house_names import declared, in_page_terms


def test_names_declared_with_equals_or_words_stand_for_the_roles():
    names = declared(["我们这边的叫法：增长中心=运营，品牌部=市场", "“内容组”对应新媒体推广"])
    assert names == {"增长中心": "运营", "品牌部": "市场", "内容组": "新媒体推广"}
    assert in_page_terms("增长中心和品牌部谁包含谁", names) == "运营和市场谁包含谁"


def test_a_name_holding_its_own_role_is_a_name():
    assert declared(["我们“电商事业部”对应电商运营"]) == {"电商事业部": "电商运营"}


def test_two_roles_of_the_page_joined_are_a_question_not_a_name():
    assert declared(["运营就是市场吗", "新媒体推广就是电商运营的一部分吗", "我就是推广专员"]) == {}


def test_the_later_declaration_wins():
    assert declared(["店长=推广专员", "不对，店长相当于淘宝运营"]) == {"店长": "淘宝运营"}


def test_a_quoted_name_with_words_before_the_join_is_still_the_name():
    names = declared(["我们内部“投放组”做的就是网络推广，“运营组”就是运营"])
    assert names == {"投放组": "网络推广", "运营组": "运营"}
    assert in_page_terms("那投放组和运营组主要区别在哪", names) == "那网络推广和运营主要区别在哪"


def test_a_question_about_which_role_is_no_name_given():
    text = "单说这一步，按那个用户流程算是市场负责还是运营负责？"
    assert declared([text]) == {}
    assert declared(["我们的增长中心算是运营吗？"]) == {}

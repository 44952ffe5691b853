"""components/unknown_partner.py: a role of the page compared with a word the page never names."""

import pytest

from assistant.wording import normalize
from components.unknown_partner import unpaged_partner


@pytest.mark.parametrize(
    "text, other",
    [
        ("市场和销售有什么区别", "销售"),
        ("品牌部和市场部有啥不同", "品牌部"),
        ("请问运营和产品经理之间有什么区别", "产品经理"),
    ],
)
def test_the_word_the_page_never_names_is_found(text, other):
    assert unpaged_partner(normalize(text)) == other


@pytest.mark.parametrize(
    "text",
    [
        "淘宝运营和推广专员有什么区别",  # both roles of the page
        "运营跟市场部门之间有啥区别",
        "做运营和做市场有啥区别",
        "它跟电商运营有啥不同",  # a reference, resolved elsewhere
        "新媒体推广和传统媒体有什么不同",  # the page's own words for the features
        "SEO和SEM有什么区别",  # no role of the page: the gaps' business
    ],
)
def test_pairs_of_the_pages_own_words_are_left_alone(text):
    assert unpaged_partner(normalize(text)) is None

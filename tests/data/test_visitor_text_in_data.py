"""Every word a visitor reads lives in kb/ (one place, converted to the visitor's script with the
rest), never as a string literal in the code that runs for visitors."""

import ast
import re
from pathlib import Path

from assistant.kb import ROOT_DIR as ROOT
from assistant.kb import load_kb
from channels.wechat.settings import default_welcome

VISITOR_CODE = ["actions", "channels", "rasa_patches", "web_app", "action_server"]
# Read by the operator, not by visitors: credentials.yml accepts 微信公众平台's names for the
# message mode, and start-up errors quote them.
OPERATOR_FILES = {"channels/wechat/settings.py"}
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def literals_outside_docstrings(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and ast.get_docstring(node) is not None
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value


def chinese_literals(root: Path, folders):
    for folder in folders:
        for path in sorted((root / folder).rglob("*.py")):
            if str(path.relative_to(root)) in OPERATOR_FILES:
                continue
            for line, text in literals_outside_docstrings(path):
                if CHINESE.search(text):
                    yield f"{path.relative_to(root)}:{line}: {text[:30]!r}"


def test_no_chinese_word_is_a_literal_in_code_that_answers_visitors():
    found = list(chinese_literals(ROOT, VISITOR_CODE))
    assert not found, "move these into kb/dialogue.yml:\n" + "\n".join(found)


def test_the_check_finds_a_hard_coded_sentence(tmp_path):
    (tmp_path / "actions").mkdir()
    (tmp_path / "actions" / "bad.py").write_text(
        '"""文档可以写中文。"""\nTEXT = "抱歉，系统忙"\nPUNCT = "：、"\n', encoding="utf-8"
    )
    assert [f.split(": ", 1)[1] for f in chinese_literals(tmp_path, ["actions"])] == ["'抱歉，系统忙'"]


def test_the_wechat_welcome_lists_every_comparison_of_the_page():
    welcome = default_welcome()
    for comparison in load_kb().comparisons.values():
        assert comparison["title"] in welcome

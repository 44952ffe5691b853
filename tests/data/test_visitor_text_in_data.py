"""Every sentence a visitor reads lives in kb/ (one place, converted to the visitor's script
with the rest), never as a string literal in the code that runs for visitors."""
import ast
import re
from pathlib import Path

from channels.wechat.settings import default_welcome
from assistant.kb import load_kb

ROOT = Path(__file__).resolve().parents[2]
VISITOR_CODE = ["actions", "channels", "production", "action_server"]
# Chinese words with Chinese punctuation, or a run of 8 Chinese characters: a sentence, not a
# word list, a regex or the punctuation that joins parts of an answer.
PUNCTUATION = re.compile(r"[，。！？：；（）“”]")
RUN = re.compile(r"[\u4e00-\u9fff]{8}")
CJK = re.compile(r"[\u4e00-\u9fff]")


def is_sentence(text: str) -> bool:
    return bool(RUN.search(text)) or (len(CJK.findall(text)) >= 2 and bool(PUNCTUATION.search(text))
                                       and "|" not in text and not text.startswith(("^", "(?", "[")))


def literals_outside_docstrings(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and ast.get_docstring(node) is not None}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value


def test_no_visitor_sentence_is_hard_coded():
    found = [f"{path.relative_to(ROOT)}:{line}: {text[:30]!r}"
             for folder in VISITOR_CODE for path in sorted((ROOT / folder).rglob("*.py"))
             for line, text in literals_outside_docstrings(path) if is_sentence(text)]
    assert not found, "move these into kb/dialogue.yml:\n" + "\n".join(found)


def test_the_wechat_welcome_lists_every_comparison_of_the_page():
    welcome = default_welcome()
    for comparison in load_kb().comparisons.values():
        assert comparison["title"] in welcome

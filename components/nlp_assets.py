"""`python -m components.nlp_assets` (run by `make venv` and `make model`): builds the NLU assets the pipeline loads, from the knowledge base:
- build/jieba_dict/userdict.txt: every term, so jieba keeps it in one piece;
- build/spacy_zh: a blank spaCy `zh` pipeline (jieba segmenter) with an
  EntityRuler that tags subjects, dimensions and services (loaded by SpacyNLP).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import jieba
import spacy

from assistant.kb import load_kb
from assistant.wording import normalize

ROOT = Path(__file__).resolve().parent.parent

BUILD = ROOT / "build"


def main() -> None:
    kb = load_kb()
    terms = kb.all_terms()
    dict_dir = BUILD / "jieba_dict"
    dict_dir.mkdir(parents=True, exist_ok=True)
    # A high frequency makes jieba prefer the whole term over its parts.
    lines = [f"{normalize(t).replace(' ', '')} 20000 n" for t in terms if t.strip()]
    (dict_dir / "userdict.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    jieba.load_userdict(str(dict_dir / "userdict.txt"))

    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    patterns = [{"label": label, "pattern": normalize(surface), "id": key} for label, key, surface in kb.entity_terms()]
    ruler.add_patterns(patterns)
    target = BUILD / "spacy_zh"
    if target.exists():
        shutil.rmtree(target)
    nlp.to_disk(target)
    print(f"jieba dictionary: {len(lines)} terms; spaCy EntityRuler: {len(patterns)} patterns -> {target}")


if __name__ == "__main__":
    main()

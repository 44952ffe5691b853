"""assistant/settings.py is the one place each environment variable is declared: code reads only
declared ones, the scripts' defaults agree with it, and `.env.example` and docs/settings.md are
generated from it."""

import re
from pathlib import Path

import pytest

from assistant import settings

ROOT = Path(__file__).resolve().parents[2]
CODE = [p for p in ROOT.glob("*/**/*.py") if p.parts[len(ROOT.parts)] not in {"tests", ".venv", "web", "build", "var"}]
SHELL = [*ROOT.glob("scripts/*.sh"), ROOT / "Makefile", *ROOT.glob("mk/*.mk"), *ROOT.glob("endpoints*.yml")]
PY_READ = re.compile(r"""(?:environ|env|getenv)\s*(?:\.get\(|\[|\(|\.setdefault\()\s*["']([A-Z][A-Z0-9_]+)["']""")
SHELL_READ = re.compile(r"\$\{([A-Z][A-Z0-9_]*)(?::-([^}$]*))?\}")
SHELL_OWN = {"SECONDS", "PWD", "HOME", "PATH", "BASH_SOURCE"}
NOT_ENVIRONMENT = {"HTTP_ORIGIN", "HTTP_X_REAL_IP", "REMOTE_ADDR"}  # a socket's WSGI environ, not the process's


def known(name: str) -> bool:
    return name in settings.DECLARED or name in settings.FOR_TOOLS


def test_code_reads_only_declared_variables():
    undeclared = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in CODE
        for name in PY_READ.findall(path.read_text(encoding="utf-8"))
        if not known(name) and name not in NOT_ENVIRONMENT
    }
    assert not undeclared, "declare these in assistant/settings.py: " + ", ".join(sorted(undeclared))


def test_scripts_read_only_declared_variables_with_the_declared_defaults():
    wrong = []
    for path in SHELL:
        text = "\n".join(
            line for line in path.read_text(encoding="utf-8").splitlines() if not line.lstrip().startswith("#")
        )
        for name, default in SHELL_READ.findall(text):
            if name in SHELL_OWN:
                continue
            if not known(name):
                wrong.append(f"{path.name}: {name} is not declared")
            elif (
                name in settings.DECLARED
                and default
                and default
                not in (
                    settings.DECLARED[name].default,
                    settings.DECLARED[name].stack_default if path.name == "stack.sh" else None,
                )
            ):
                wrong.append(
                    f"{path.name}: {name} defaults to {default!r}, declared {settings.DECLARED[name].default!r}"
                )
    assert not wrong, wrong


@pytest.mark.parametrize(
    "path, generated",
    [(".env.example", settings.env_example), ("docs/settings.md", settings.docs)],
)
def test_the_generated_lists_agree_with_the_declarations(path, generated):
    assert (ROOT / path).read_text(encoding="utf-8") == generated(), f"regenerate {path}: python -m assistant.settings"


def test_a_setting_reads_its_default_when_unset_or_blank():
    assert settings.RASA_PORT.value({}) == "5005"
    assert settings.RASA_PORT.value({"RASA_PORT": "  "}) == "5005"
    assert settings.VISITOR_RATE_PER_SECOND.number({"VISITOR_RATE_PER_SECOND": "0"}) == 0.0

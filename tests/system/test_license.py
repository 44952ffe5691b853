"""Anyone may use and change the project: Apache-2.0 (as Rasa Open Source), stated in LICENSE and in
every package manifest."""

import json

import tomli

from harness.bot_process import ROOT


def test_the_licence_file_is_apache_2_with_the_copyright_holder():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text, "the full text, not a pointer to it"
    assert "Copyright 2026 创意岭 and contributors" in text.splitlines()[0]


def test_every_package_manifest_names_the_same_licence():
    pyproject = tomli.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["license"] == {"text": "Apache-2.0"}
    assert json.loads((ROOT / "web" / "package.json").read_text(encoding="utf-8"))["license"] == "Apache-2.0"
    lock = json.loads((ROOT / "web" / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["packages"][""]["license"] == "Apache-2.0"

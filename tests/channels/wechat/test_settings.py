"""WeChat channel configuration: off without WECHAT_TOKEN, clear start-up errors, no secrets shown."""

import logging

import pytest
import yaml
from rasa.core.run import _create_single_channel

from assistant.kb import ROOT_DIR as ROOT
from channels.wechat import WeChatInput
from channels.wechat.settings import WeChatConfigError, load_settings
from tests.channels.wechat.harness import AES_KEY, APP_ID, APP_SECRET, TOKEN

ENTRY = "channels.wechat.WeChatInput"


def project_options():
    return yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8"))[ENTRY]


def test_without_token_the_channel_is_off_and_says_so(monkeypatch, caplog):
    monkeypatch.delenv("WECHAT_TOKEN", raising=False)
    caplog.set_level(logging.INFO)
    channel = _create_single_channel(ENTRY, project_options())  # Rasa's own loader
    assert isinstance(channel, WeChatInput) and channel.settings is None
    assert "WeChat channel is off" in caplog.text


def test_project_credentials_start_the_channel_when_the_token_is_set(monkeypatch):
    monkeypatch.setenv("WECHAT_TOKEN", TOKEN)
    for name in ("WECHAT_APP_ID", "WECHAT_APP_SECRET", "WECHAT_AES_KEY"):
        monkeypatch.delenv(name, raising=False)
    channel = _create_single_channel(ENTRY, project_options())
    assert channel.settings.token == TOKEN and not channel.settings.safe_mode
    assert not channel.settings.customer_service_api


@pytest.mark.parametrize(
    "env,options,message",
    [
        ({"WECHAT_AES_KEY": AES_KEY[:-1], "WECHAT_APP_ID": APP_ID}, {}, "43-character EncodingAESKey (got 42"),
        ({"WECHAT_AES_KEY": AES_KEY[:-1] + "!", "WECHAT_APP_ID": APP_ID}, {}, "43-character"),
        ({"WECHAT_AES_KEY": AES_KEY}, {}, "also needs WECHAT_APP_ID"),
        ({"WECHAT_APP_SECRET": APP_SECRET}, {}, "WECHAT_APP_SECRET needs WECHAT_APP_ID"),
        ({"WECHAT_APP_ID": "not-an-app-id"}, {}, "WECHAT_APP_ID must look like"),
        ({"WECHAT_TOKEN": "a b"}, {}, "WECHAT_TOKEN must be 3-32"),
        ({}, {"reply_budget_seconds": 6}, "reply_budget_seconds must be between 0 and 5"),
        ({}, {"message_mode": "安全"}, "message_mode 安全 needs WECHAT_AES_KEY"),
        ({}, {"message_mode": "strict"}, "message_mode must be plain"),
        ({}, {"button_style": "cards"}, "button_style must be"),
        ({}, {"max_reply_bytes": 4096}, "max_reply_bytes"),
        ({}, {"menu_payloads": {"KEY": 1}}, "menu_payloads"),
        ({}, {"reply_budget": 3}, "unknown option(s) reply_budget"),
        ({}, {"message_mode": True}, "message_mode has the wrong type"),
    ],
)
def test_malformed_settings_stop_start_up_with_a_clear_message(env, options, message):
    with pytest.raises(WeChatConfigError) as error:
        load_settings(options, {"WECHAT_TOKEN": TOKEN, **env})
    assert message in str(error.value)
    for secret in (AES_KEY, AES_KEY[:-1], APP_SECRET):
        assert secret not in str(error.value)


def test_rasa_start_up_fails_on_malformed_settings(monkeypatch):
    monkeypatch.setenv("WECHAT_TOKEN", TOKEN)
    monkeypatch.setenv("WECHAT_AES_KEY", "tooshort")
    monkeypatch.setenv("WECHAT_APP_ID", APP_ID)
    with pytest.raises(WeChatConfigError, match="EncodingAESKey"):
        _create_single_channel(ENTRY, project_options())


def test_settings_repr_hides_secrets():
    settings = load_settings(
        {}, {"WECHAT_TOKEN": TOKEN, "WECHAT_AES_KEY": AES_KEY, "WECHAT_APP_ID": APP_ID, "WECHAT_APP_SECRET": APP_SECRET}
    )
    shown = repr(settings)
    assert APP_ID in shown
    assert TOKEN not in shown and AES_KEY not in shown and APP_SECRET not in shown
    assert settings.safe_mode and settings.customer_service_api

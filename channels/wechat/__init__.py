"""WeChat Official Account channel; credentials.yml names it `channels.wechat.WeChatInput`.

`python -m channels.wechat` runs the WeChat front (channels/wechat/front.py). The Rasa-side
channel is imported on first use only, so that the front never loads Rasa's core."""


def __getattr__(name):
    if name == "WeChatInput":
        from channels.wechat.channel import WeChatInput

        return WeChatInput
    raise AttributeError(name)


__all__ = ["WeChatInput"]

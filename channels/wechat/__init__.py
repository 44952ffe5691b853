"""WeChat Official Account channel; credentials.yml names it `channels.wechat.WeChatInput`."""

from channels.wechat.channel import WeChatInput

__all__ = ["WeChatInput"]

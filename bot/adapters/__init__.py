"""Adapters: one per chat platform, all behind `bot.kernel.adapter.Adapter`."""

from __future__ import annotations

from bot.kernel.adapter import Adapter
from bot.ops.config import ConfigError, Settings


def make_adapter(settings: Settings) -> Adapter:
    if settings.platform == "console":
        from bot.adapters.console import ConsoleAdapter

        return ConsoleAdapter()
    if settings.platform == "telegram":
        from bot.adapters.telegram import TelegramAdapter

        return TelegramAdapter.from_settings(settings)
    if settings.platform == "onebot":
        from bot.adapters.onebot import OneBotAdapter

        return OneBotAdapter.from_settings(settings)
    if settings.platform == "wecom":
        from bot.adapters.wecom import WeComAdapter
        from bot.adapters.wecom_bot import WeComBot, WeComBotAdapter, WeComPairAdapter

        if not settings.secret("wecom_bot_token"):
            return WeComAdapter.from_settings(settings)
        bot = WeComBot(settings.secret("wecom_bot_token"), settings.secret("wecom_bot_aes_key"), api_base=settings.wecom_api_base,
                       robot_webhooks=settings.robot_webhooks)
        if not settings.wecom_corp_id:
            return WeComBotAdapter(bot, listen=settings.wecom_listen, port=settings.wecom_port)
        return WeComPairAdapter(WeComAdapter.from_settings(settings), bot)
    if settings.platform == "dingtalk":
        from bot.adapters.dingtalk import DingTalkAdapter

        return DingTalkAdapter(
            settings.dingtalk_client_id or "", settings.secret("dingtalk_client_secret"),
            robot_code=settings.dingtalk_robot_code, api_base=settings.dingtalk_api_base,
            oapi_base=settings.dingtalk_oapi_base,
        )
    raise ConfigError(f"YANXIU_PLATFORM: {settings.platform} is not available in this version")

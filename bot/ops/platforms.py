"""Which adapter runs, built from the settings: the adapters themselves never read settings, so
they stay below the operations layer (docs/architecture.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.kernel.adapter import Adapter
from bot.ops.config import ConfigError, Settings

if TYPE_CHECKING:
    from bot.adapters.onebot import OneBotAdapter
    from bot.adapters.telegram import TelegramAdapter
    from bot.adapters.wecom import WeComAdapter


def make_adapter(settings: Settings) -> Adapter:
    if settings.platform == "console":
        from bot.adapters.console import ConsoleAdapter

        return ConsoleAdapter()
    if settings.platform == "telegram":
        return telegram_adapter(settings)
    if settings.platform == "onebot":
        return onebot_adapter(settings)
    if settings.platform == "wecom":
        from bot.adapters.wecom_bot import WeComBot, WeComBotAdapter, WeComPairAdapter

        if not settings.secret("wecom_bot_token"):
            return wecom_adapter(settings)
        bot = WeComBot(settings.secret("wecom_bot_token"), settings.secret("wecom_bot_aes_key"), api_base=settings.wecom_api_base,
                       robot_webhooks=settings.robot_webhooks)
        if not settings.wecom_corp_id:
            return WeComBotAdapter(bot, listen=settings.wecom_listen, port=settings.wecom_port)
        return WeComPairAdapter(wecom_adapter(settings), bot)
    if settings.platform == "dingtalk":
        from bot.adapters.dingtalk import DingTalkAdapter

        return DingTalkAdapter(
            settings.dingtalk_client_id or "", settings.secret("dingtalk_client_secret"),
            robot_code=settings.dingtalk_robot_code, api_base=settings.dingtalk_api_base,
            oapi_base=settings.dingtalk_oapi_base,
        )
    raise ConfigError(f"YANXIU_PLATFORM: {settings.platform} is not available in this version")


def telegram_adapter(settings: Settings) -> TelegramAdapter:
    from bot.adapters.telegram import TelegramAdapter, WebhookConfig

    webhook = None
    if settings.telegram_webhook_url:
        webhook = WebhookConfig(
            settings.telegram_webhook_url, settings.secret("telegram_webhook_secret"),
            settings.telegram_webhook_listen, settings.telegram_webhook_port,
        )
    return TelegramAdapter(settings.secret("telegram_token"), settings.telegram_base_url, settings.file_base_url,
                           webhook, proxy=settings.telegram_proxy)


def onebot_adapter(settings: Settings) -> OneBotAdapter:
    from bot.adapters.onebot import OneBotAdapter

    return OneBotAdapter(settings.onebot_ws_url, access_token=settings.secret("onebot_access_token") or None,
                         reverse_listen=settings.onebot_reverse_listen, reverse_port=settings.onebot_reverse_port)


def wecom_adapter(settings: Settings) -> WeComAdapter:
    from bot.adapters.wecom import WeComAdapter

    return WeComAdapter(
        settings.wecom_corp_id or "", settings.wecom_agent_id or "", settings.secret("wecom_secret"),
        settings.secret("wecom_token"), settings.secret("wecom_aes_key"), listen=settings.wecom_listen,
        port=settings.wecom_port, api_base=settings.wecom_api_base, robot_webhooks=settings.robot_webhooks,
    )

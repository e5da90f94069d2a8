"""Settings from `YANXIU_*` environment variables (and `.env`), validated once at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.domain.policy import TimeZoneName

Platform = Literal["console", "telegram", "onebot", "wecom"]
Locale = Literal["zh_CN", "zh_TW", "en"]


class ConfigError(Exception):
    """A setting is missing or wrong; the message is one line naming the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="YANXIU_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    platform: Platform | None = None
    database_url: str = "sqlite+aiosqlite:///./yanxiu.db"
    telegram_token: str | None = None
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_base_file_url: str | None = None
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: str | None = None
    telegram_webhook_listen: str = "127.0.0.1"
    telegram_webhook_port: int = Field(default=8443, ge=1, le=65535)
    onebot_ws_url: str | None = None
    onebot_reverse_listen: str = "127.0.0.1"
    onebot_reverse_port: int | None = Field(default=None, ge=1, le=65535)
    onebot_access_token: str | None = None
    wecom_corp_id: str | None = None
    wecom_agent_id: str | None = None
    wecom_secret: str | None = None
    wecom_token: str | None = None
    wecom_aes_key: str | None = None
    wecom_listen: str = "127.0.0.1"
    wecom_port: int = Field(default=8080, ge=1, le=65535)
    wecom_api_base: str = "https://qyapi.weixin.qq.com"
    wecom_robot_webhooks: str = ""
    """Comma-separated `chat_id=robot key` pairs: ordinary WeCom groups reached through a group robot."""
    sweep_seconds: int = Field(default=60, ge=1, le=3600)
    """How often the scheduler looks for due work (reminders, results, announcements)."""
    admins: str = ""
    policy: Path | None = None
    timezone: TimeZoneName = "Asia/Shanghai"
    locale: Locale = "zh_CN"
    log_level: str | None = None
    health_listen: str = "127.0.0.1"
    health_port: int | None = Field(default=None, ge=0, le=65535)
    """`/healthz`, `/livez` and `/metrics` are served only when a port is set (0: any free port)."""
    dashboard_url: str | None = None
    """Public base URL the web dashboard is reached at (its pages are under /dashboard/)."""
    dashboard_listen: str = "127.0.0.1"
    dashboard_port: int | None = Field(default=None, ge=0, le=65535)
    """The dashboard is served only when a port is set (0: any free port)."""
    dashboard_secret: SecretStr | None = None
    """Signs the dashboard's links and session cookies; at least 16 characters."""
    dashboard_session_minutes: int = Field(default=120, ge=5, le=1440)
    """How long a dashboard session opened by a link lasts."""

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("use sqlite+aiosqlite://… or postgresql+asyncpg://…")
        return value

    @field_validator("dashboard_url")
    @classmethod
    def _dashboard_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("use the public address, http://… or https://…")
        return value.rstrip("/") if value else value

    @field_validator("admins")
    @classmethod
    def _admin_list(cls, value: str) -> str:
        for item in filter(None, (part.strip() for part in value.split(","))):
            platform, _, user_id = item.partition(":")
            if not platform or not user_id:
                raise ValueError(f"{item!r} is not platform:user_id")
        return value

    @model_validator(mode="after")
    def _platform_and_secrets(self) -> Settings:
        if self.platform is None:
            self.platform = "telegram" if self.telegram_token else "console"
        if self.platform == "telegram" and not self.telegram_token:
            raise ValueError("YANXIU_TELEGRAM_TOKEN is required when YANXIU_PLATFORM=telegram")
        if self.platform == "onebot" and not (self.onebot_ws_url or self.onebot_reverse_port):
            raise ValueError(
                "YANXIU_ONEBOT_WS_URL or YANXIU_ONEBOT_REVERSE_PORT is required when YANXIU_PLATFORM=onebot"
            )
        if self.platform == "wecom":
            for name in ("corp_id", "agent_id", "secret", "token", "aes_key"):
                if not getattr(self, f"wecom_{name}"):
                    raise ValueError(f"YANXIU_WECOM_{name.upper()} is required when YANXIU_PLATFORM=wecom")
            if len(self.wecom_aes_key) != 43:
                raise ValueError("YANXIU_WECOM_AES_KEY must be the 43-character EncodingAESKey")
        if self.telegram_webhook_url and not self.telegram_webhook_secret:
            raise ValueError(
                "YANXIU_TELEGRAM_WEBHOOK_SECRET is required when YANXIU_TELEGRAM_WEBHOOK_URL is set"
            )
        if self.dashboard_port is not None and not self.dashboard_url:
            raise ValueError("YANXIU_DASHBOARD_URL is required when YANXIU_DASHBOARD_PORT is set")
        if self.dashboard_url and (
            self.dashboard_secret is None or len(self.dashboard_secret.get_secret_value()) < 16
        ):
            raise ValueError("YANXIU_DASHBOARD_SECRET of at least 16 characters is required with the dashboard")
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def admin_ids(self) -> frozenset[tuple[str, str]]:
        pairs = (item.strip().partition(":") for item in self.admins.split(",") if item.strip())
        return frozenset((platform, user_id) for platform, _, user_id in pairs)

    @property
    def robot_webhooks(self) -> dict[str, str]:
        pairs = (item.strip().partition("=") for item in self.wecom_robot_webhooks.split(",") if item.strip())
        return {chat_id.strip(): key.strip() for chat_id, _, key in pairs}

    @property
    def file_base_url(self) -> str:
        if self.telegram_base_file_url:
            return self.telegram_base_file_url
        base = self.telegram_base_url.rstrip("/")
        if base.endswith("/bot"):
            return base[: -len("/bot")] + "/file/bot"
        return base + "/file/bot"


def load_settings(**overrides: object) -> Settings:
    """Build settings or raise `ConfigError` with one line that names the offending variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        error = exc.errors()[0]
        location = [str(part) for part in error.get("loc", ()) if part != "__root__"]
        reason = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        if location:
            raise ConfigError(f"YANXIU_{location[0].upper()}: {reason}") from None
        raise ConfigError(reason) from None

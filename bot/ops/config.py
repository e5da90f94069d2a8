"""Settings from `YANXIU_*` environment variables (and `.env`), validated once at start-up.

Secrets are `SecretStr` (never printed in a repr or a log line; read them with `Settings.secret`) and
may also come from files in a secrets directory, one file per setting named like the variable
(`/run/secrets/yanxiu_telegram_token`), as Docker and Kubernetes mount them; `YANXIU_SECRETS_DIR`
names another directory. `DATABASE_URL` is honoured when `YANXIU_DATABASE_URL` is unset.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.domain.policy import TimeZoneName

Platform = Literal["console", "telegram", "onebot", "wecom", "dingtalk"]
Locale = Literal["zh_CN", "zh_TW", "en"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
SECRETS_DIR = Path("/run/secrets")


class ConfigError(Exception):
    """A setting is missing or wrong; the message is one line naming the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="YANXIU_", env_file=".env", env_file_encoding="utf-8", extra="ignore",
        validate_by_name=True, validate_by_alias=True,
    )

    platform: Platform | None = None
    database_url: str = Field(
        default="sqlite+aiosqlite:///./yanxiu.db", repr=False,
        validation_alias=AliasChoices("YANXIU_DATABASE_URL", "DATABASE_URL"),
    )
    """May hold a password: kept out of the repr; print `database_target` instead."""
    telegram_token: SecretStr | None = None
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_base_file_url: str | None = None
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    telegram_webhook_listen: str = "127.0.0.1"
    telegram_webhook_port: int = Field(default=8443, ge=1, le=65535)
    telegram_proxy: str | None = None
    """http://, https:// or socks5:// proxy for servers that reach Telegram only through one."""
    onebot_ws_url: str | None = None
    onebot_reverse_listen: str = "127.0.0.1"
    onebot_reverse_port: int | None = Field(default=None, ge=1, le=65535)
    onebot_access_token: SecretStr | None = None
    wecom_corp_id: str | None = None
    wecom_agent_id: str | None = None
    wecom_secret: SecretStr | None = None
    wecom_token: SecretStr | None = None
    wecom_aes_key: SecretStr | None = None
    wecom_listen: str = "127.0.0.1"
    wecom_port: int = Field(default=8080, ge=1, le=65535)
    wecom_api_base: str = "https://qyapi.weixin.qq.com"
    wecom_robot_webhooks: SecretStr = SecretStr("")
    """Comma-separated `chat_id=robot key` pairs: ordinary WeCom groups reached through a group robot."""
    wecom_bot_token: SecretStr | None = None
    wecom_bot_aes_key: SecretStr | None = None
    """The 智能机器人 (API mode): its callback Token and EncodingAESKey; callbacks at /wecom/bot."""
    dingtalk_client_id: str | None = None
    dingtalk_client_secret: SecretStr | None = None
    dingtalk_robot_code: str | None = None
    """Only when the robot's code differs from the app's client id."""
    dingtalk_api_base: str = "https://api.dingtalk.com"
    dingtalk_oapi_base: str = "https://oapi.dingtalk.com"
    sweep_seconds: int = Field(default=60, ge=1, le=3600)
    """How often the scheduler looks for due work (reminders, results, announcements)."""
    admins: str = ""
    policy: Path | None = None
    programs: Path | None = None
    """A programs file (TOML): several programs in one deployment, each its own policy and database
    (bot/ops/programs.py). Unset: one program from YANXIU_POLICY."""
    files_dir: Path = Path("./yanxiu-files")
    """Where received attachments are kept (a local directory; created on first use, mode 0700)."""
    timezone: TimeZoneName = "Asia/Shanghai"
    locale: Locale = "zh_CN"
    log_level: LogLevel | None = None
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

    @field_validator("database_url", mode="before")
    @classmethod
    def _driver_of_plain_urls(cls, value: object) -> object:
        return with_async_driver(value)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.strip().upper() or None if isinstance(value, str) else value

    @field_validator("telegram_proxy")
    @classmethod
    def _proxy_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("http://", "https://", "socks5://", "socks5h://")):
            raise ValueError("use http://host:port, https://… or socks5://host:port")
        return value or None

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        return check_database_url(value)

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
        if self.platform == "telegram" and not self.secret("telegram_token"):
            raise ValueError("YANXIU_TELEGRAM_TOKEN is required when YANXIU_PLATFORM=telegram")
        if self.platform == "onebot" and not (self.onebot_ws_url or self.onebot_reverse_port):
            raise ValueError(
                "YANXIU_ONEBOT_WS_URL or YANXIU_ONEBOT_REVERSE_PORT is required when YANXIU_PLATFORM=onebot"
            )
        if (self.platform == "onebot" and self.onebot_reverse_port and not self.onebot_access_token
                and not _loopback(self.onebot_reverse_listen)):
            raise ValueError(
                "YANXIU_ONEBOT_ACCESS_TOKEN is required when YANXIU_ONEBOT_REVERSE_LISTEN is not a loopback "
                f"address ({self.onebot_reverse_listen}): without it anyone reaching the port could speak as QQ"
            )
        if self.platform == "wecom":
            self._wecom_paths()
        if self.platform == "dingtalk":
            for name in ("client_id", "client_secret"):
                if not self.secret(f"dingtalk_{name}"):
                    raise ValueError(f"YANXIU_DINGTALK_{name.upper()} is required when YANXIU_PLATFORM=dingtalk")
        if self.telegram_webhook_url and not self.secret("telegram_webhook_secret"):
            raise ValueError(
                "YANXIU_TELEGRAM_WEBHOOK_SECRET is required when YANXIU_TELEGRAM_WEBHOOK_URL is set"
            )
        if self.programs is not None and self.policy is not None:
            raise ValueError("YANXIU_PROGRAMS and YANXIU_POLICY are set together: with a programs file each "
                             "program names its policy there; unset YANXIU_POLICY")
        if self.dashboard_port is not None and not self.dashboard_url:
            raise ValueError("YANXIU_DASHBOARD_URL is required when YANXIU_DASHBOARD_PORT is set")
        if self.dashboard_url and (
            self.dashboard_secret is None or len(self.dashboard_secret.get_secret_value()) < 16
        ):
            raise ValueError("YANXIU_DASHBOARD_SECRET of at least 16 characters is required with the dashboard")
        return self

    def secret(self, name: str) -> str:
        """The plain value of a setting, secret or not ("" when unset), for the code that sends it."""
        value = getattr(self, name)
        if isinstance(value, SecretStr):
            return value.get_secret_value()
        return "" if value is None else str(value)

    @property
    def database_target(self) -> str:
        """The database URL with its password masked, for messages and logs."""
        from sqlalchemy.engine import make_url

        return make_url(self.database_url).render_as_string(hide_password=True)

    def _wecom_paths(self) -> None:
        """The self-built app, the 智能机器人, or both: each complete, at least one of them."""
        app = ("corp_id", "agent_id", "secret", "token", "aes_key")
        wants_app = any(self.secret(f"wecom_{name}") for name in app) or not self.secret("wecom_bot_token")
        if wants_app:
            for name in app:
                if not self.secret(f"wecom_{name}"):
                    raise ValueError(f"YANXIU_WECOM_{name.upper()} is required when YANXIU_PLATFORM=wecom")
            if len(self.secret("wecom_aes_key")) != 43:
                raise ValueError("YANXIU_WECOM_AES_KEY must be the 43-character EncodingAESKey")
        if self.secret("wecom_bot_token") or self.secret("wecom_bot_aes_key"):
            if not (self.secret("wecom_bot_token") and self.secret("wecom_bot_aes_key")):
                raise ValueError("YANXIU_WECOM_BOT_TOKEN and YANXIU_WECOM_BOT_AES_KEY are needed together")
            if len(self.secret("wecom_bot_aes_key")) != 43:
                raise ValueError("YANXIU_WECOM_BOT_AES_KEY must be the 43-character EncodingAESKey")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def admin_ids(self) -> frozenset[tuple[str, str]]:
        pairs = (item.strip().partition(":") for item in self.admins.split(",") if item.strip())
        return frozenset((platform, user_id) for platform, _, user_id in pairs)

    @property
    def robot_webhooks(self) -> dict[str, str]:
        pairs = (item.strip().partition("=") for item in self.secret("wecom_robot_webhooks").split(",") if item.strip())
        return {chat_id.strip(): key.strip() for chat_id, _, key in pairs}

    @property
    def file_base_url(self) -> str:
        if self.telegram_base_file_url:
            return self.telegram_base_file_url
        base = self.telegram_base_url.rstrip("/")
        if base.endswith("/bot"):
            return base[: -len("/bot")] + "/file/bot"
        return base + "/file/bot"


def with_async_driver(value: object) -> object:
    """`postgres://…` and `postgresql://…` (as hosting platforms set DATABASE_URL) use asyncpg."""
    if isinstance(value, str):
        for plain in ("postgres://", "postgresql://"):
            if value.startswith(plain):
                return "postgresql+asyncpg://" + value.removeprefix(plain)
    return value


def check_database_url(value: str) -> str:
    """A URL of one of the two async drivers we support, with that driver installed."""
    if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        raise ValueError("use sqlite+aiosqlite://… or postgresql+asyncpg://…")
    if value.startswith("postgresql+asyncpg://") and not _installed("asyncpg"):
        raise ValueError("PostgreSQL needs its driver: pip install 'yanxiu[postgres]'")
    return value


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ImportError:
        return False


def secrets_dir() -> Path | None:
    """`YANXIU_SECRETS_DIR`, else /run/secrets when it exists (Docker and Kubernetes secrets)."""
    named = os.environ.get("YANXIU_SECRETS_DIR")
    if named:
        return Path(named)
    return SECRETS_DIR if SECRETS_DIR.is_dir() else None


def load_settings(**overrides: object) -> Settings:
    """Build settings or raise `ConfigError` with one line that names the offending variable."""
    folder = secrets_dir()
    if folder is not None and not folder.is_dir():
        raise ConfigError(f"YANXIU_SECRETS_DIR: {folder} is not a directory")
    try:
        return Settings(**({"_secrets_dir": folder} if folder else {}), **overrides)
    except ValidationError as exc:
        error = exc.errors()[0]
        location = [str(part).removeprefix("YANXIU_") for part in error.get("loc", ()) if part != "__root__"]
        reason = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        if location:
            raise ConfigError(f"YANXIU_{location[0].upper()}: {reason}") from None
        raise ConfigError(reason) from None


def _loopback(host: str) -> bool:
    from bot.adapters.onebot import is_loopback

    return is_loopback(host)

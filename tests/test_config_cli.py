"""Settings, policy and the command line: bad input stops with one line that names the culprit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.ops.config import ConfigError, load_settings
from bot.ops.policy import PolicyError, load_policy


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in list(os.environ):
        if name.startswith("YANXIU_"):
            monkeypatch.delenv(name)


def test_defaults_run_the_console_on_sqlite():
    settings = load_settings(_env_file=None)
    assert settings.platform == "console"
    assert settings.database_url == "sqlite+aiosqlite:///./yanxiu.db"
    assert settings.timezone == "Asia/Shanghai" and settings.locale == "zh_CN"


def test_a_token_selects_telegram_and_derives_the_file_url(monkeypatch):
    monkeypatch.setenv("YANXIU_TELEGRAM_TOKEN", "123:abc")
    monkeypatch.setenv("YANXIU_TELEGRAM_BASE_URL", "http://127.0.0.1:8081/bot")
    settings = load_settings(_env_file=None)
    assert settings.platform == "telegram"
    assert settings.file_base_url == "http://127.0.0.1:8081/file/bot"


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("YANXIU_TIMEZONE", "Mars/Olympus", "YANXIU_TIMEZONE"),
        ("YANXIU_PLATFORM", "irc", "YANXIU_PLATFORM"),
        ("YANXIU_DATABASE_URL", "mysql://x", "YANXIU_DATABASE_URL"),
        ("YANXIU_LOCALE", "fr", "YANXIU_LOCALE"),
        ("YANXIU_ADMINS", "telegram", "YANXIU_ADMINS"),
        ("YANXIU_TELEGRAM_WEBHOOK_PORT", "99999", "YANXIU_TELEGRAM_WEBHOOK_PORT"),
        ("YANXIU_PLATFORM", "telegram", "YANXIU_TELEGRAM_TOKEN"),
    ],
)
def test_bad_settings_name_the_variable(monkeypatch, variable, value, named):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as problem:
        load_settings(_env_file=None)
    assert named in str(problem.value) and "\n" not in str(problem.value)


def test_webhook_requires_a_secret(monkeypatch):
    monkeypatch.setenv("YANXIU_TELEGRAM_TOKEN", "123:abc")
    monkeypatch.setenv("YANXIU_TELEGRAM_WEBHOOK_URL", "https://bot.example.org/telegram")
    with pytest.raises(ConfigError, match="YANXIU_TELEGRAM_WEBHOOK_SECRET"):
        load_settings(_env_file=None)


def test_policy_defaults_are_the_seed_numbers():
    policy = load_policy(None)
    assert policy.records.reflections_per_month == 1 and policy.records.reflection_min_chars == 50
    assert (policy.sessions.min_minutes, policy.sessions.min_per_school) == (30, 5)
    assert (policy.sessions.per_month, policy.sessions.per_semester) == (1, 3)
    assert (policy.hours.school_based_per_semester, policy.hours.per_year) == (48, 72)
    assert (policy.points.missing_reflection, policy.points.attendance_unqualified) == (-2, -5)
    assert (policy.grades.excellent, policy.grades.pass_) == (90, 60)


def test_policy_file_overrides_and_errors_name_path_and_key(tmp_path: Path):
    good = tmp_path / "policy.toml"
    good.write_text('[records]\nreflections_per_month = 4\n[grades]\npass = 70\n', encoding="utf-8")
    policy = load_policy(good)
    assert policy.records.reflections_per_month == 4 and policy.grades.pass_ == 70
    assert policy.records.cases_per_month == 1
    bad = tmp_path / "bad.toml"
    bad.write_text('[sessions]\nmin_minutes = "half an hour"\n', encoding="utf-8")
    with pytest.raises(PolicyError, match=r"bad\.toml: sessions\.min_minutes"):
        load_policy(bad)
    unknown = tmp_path / "unknown.toml"
    unknown.write_text("[records]\nreflection_per_month = 2\n", encoding="utf-8")
    with pytest.raises(PolicyError, match="records.reflection_per_month"):
        load_policy(unknown)


def run_cli(*args: str, env: dict[str, str] | None = None, stdin: str = "", cwd: Path | None = None):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("YANXIU_")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
        env=full_env, cwd=cwd, timeout=60,
    )


def test_cli_help_and_bad_arguments(tmp_path):
    for args in (["--help"], ["run", "--help"], ["console", "--help"], ["db", "upgrade", "--help"]):
        result = run_cli(*args, cwd=tmp_path)
        assert result.returncode == 0 and "usage:" in result.stdout
    result = run_cli("frobnicate", cwd=tmp_path)
    assert result.returncode != 0 and "invalid choice" in result.stderr


def test_cli_bad_setting_exits_with_one_line(tmp_path):
    result = run_cli("db", "upgrade", env={"YANXIU_TIMEZONE": "Nowhere/City"}, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "YANXIU_TIMEZONE" in result.stderr


def test_cli_bad_policy_exits_with_path_and_key(tmp_path):
    policy = tmp_path / "p.toml"
    policy.write_text("[grades]\nexcellent = 'high'\n", encoding="utf-8")
    result = run_cli("console", env={"YANXIU_POLICY": str(policy)}, cwd=tmp_path)
    assert result.returncode == 2 and "p.toml: grades.excellent" in result.stderr


def test_db_upgrade_creates_the_database(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"
    result = run_cli("db", "upgrade", env={"YANXIU_DATABASE_URL": url}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "database at revision" in result.stdout
    assert run_cli("db", "current", env={"YANXIU_DATABASE_URL": url}, cwd=tmp_path).stdout.strip() != "none"


def test_example_policy_in_deploy_is_valid():
    example = Path(__file__).parents[1] / "deploy" / "policy.example.toml"
    loaded = load_policy(example)
    assert loaded == load_policy(None).model_copy(update={"semester": loaded.semester, "name": loaded.name})


def test_program_zone_comes_from_the_environment_or_else_the_policy(monkeypatch):
    from bot.ops.app import program_zone
    from bot.domain.policy import Policy

    urumqi = Policy(timezone="Asia/Urumqi")
    assert program_zone(load_settings(_env_file=None), urumqi).key == "Asia/Urumqi"
    monkeypatch.setenv("YANXIU_TIMEZONE", "Asia/Shanghai")
    assert program_zone(load_settings(_env_file=None), urumqi).key == "Asia/Shanghai"


def test_cli_binds_a_chat_that_cannot_send_commands(tmp_path):
    assert run_cli("console", stdin=":as coordinator 教研室\n/school add 紫阳县第二小学\n", cwd=tmp_path).returncode == 0
    bound = run_cli("bind", "robot:二小", "school", "紫阳县第二小学", "--platform", "wecom", cwd=tmp_path)
    assert bound.returncode == 0 and "wecom:robot:二小 → school 紫阳县第二小学" in bound.stdout
    assert run_cli("bind", "robot:二小", "school", cwd=tmp_path).returncode == 2
    missing = run_cli("bind", "robot:x", "workshop", "没有这个坊", cwd=tmp_path)
    assert missing.returncode == 2 and "没有找到工作坊“没有这个坊”" in missing.stderr
    audit = run_cli("console", stdin=":as coordinator 教研室\n/audit 5 chat\n", cwd=tmp_path)
    assert "chat.bind wecom:robot:二小" in audit.stdout

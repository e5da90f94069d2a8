"""Settings, policy and the command line: bad input stops with one line that names the culprit."""

from __future__ import annotations

import io
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


# ---------------------------------------------------------------- command-line conventions


def one_line(stderr: str) -> str:
    assert stderr.endswith("\n") and stderr.count("\n") == 1 and "Traceback" not in stderr, stderr
    return stderr


def test_version_and_usage_errors_are_one_line(tmp_path):
    from importlib.metadata import version

    shown = run_cli("--version", cwd=tmp_path)
    assert shown.returncode == 0 and shown.stdout.strip() == f"yanxiu {version('yanxiu')}"
    for args in (["frobnicate"], ["export", "--format", "pptx"], ["db", "upgrade", "a", "b"]):
        result = run_cli(*args, cwd=tmp_path)
        assert result.returncode == 2
        assert "--help" in one_line(result.stderr)


def test_run_with_nothing_to_run_fails_instead_of_stopping_cleanly(tmp_path):
    result = run_cli("run", cwd=tmp_path)
    assert result.returncode == 1
    assert "YANXIU_TELEGRAM_TOKEN" in one_line(result.stderr) and "yanxiu console" in result.stderr


def test_db_upgrade_names_its_target_with_the_password_masked(tmp_path):
    url = "postgresql+asyncpg://yanxiu:hunter2@127.0.0.1:9/yanxiu"
    result = run_cli("db", "upgrade", env={"YANXIU_DATABASE_URL": url}, cwd=tmp_path)
    assert "migrating postgresql+asyncpg://yanxiu:***@127.0.0.1:9/yanxiu to head" in result.stdout
    assert result.returncode == 1, result.stderr  # nothing listens on port 9: a runtime failure
    assert "YANXIU_DATABASE_URL" in one_line(result.stderr)
    assert "hunter2" not in result.stdout + result.stderr


def test_database_url_is_honoured_when_ours_is_unset(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://app:pw@db.internal/app")
    assert load_settings(_env_file=None).database_url == "postgresql+asyncpg://app:pw@db.internal/app"
    monkeypatch.setenv("YANXIU_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'y.db'}")
    assert load_settings(_env_file=None).database_url.startswith("sqlite+aiosqlite:///")
    result = run_cli("db", "upgrade", env={"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'z.db'}"},
                     cwd=tmp_path)
    assert result.returncode == 0 and (tmp_path / "z.db").exists()


def test_secrets_never_print_and_come_from_a_secrets_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("YANXIU_TELEGRAM_TOKEN", "123:very-secret")
    monkeypatch.setenv("YANXIU_DATABASE_URL", "postgresql+asyncpg://u:db-secret@127.0.0.1/y")
    settings = load_settings(_env_file=None)
    assert "very-secret" not in repr(settings) and "db-secret" not in repr(settings)
    assert settings.secret("telegram_token") == "123:very-secret"
    assert settings.database_target == "postgresql+asyncpg://u:***@127.0.0.1/y"
    monkeypatch.delenv("YANXIU_TELEGRAM_TOKEN")
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "yanxiu_telegram_token").write_text("456:from-a-file", encoding="utf-8")
    monkeypatch.setenv("YANXIU_SECRETS_DIR", str(secrets))
    settings = load_settings(_env_file=None)
    assert settings.platform == "telegram" and settings.secret("telegram_token") == "456:from-a-file"
    monkeypatch.setenv("YANXIU_SECRETS_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(ConfigError, match="YANXIU_SECRETS_DIR"):
        load_settings(_env_file=None)


def test_an_invalid_log_level_is_one_line(tmp_path):
    result = run_cli("console", env={"YANXIU_LOG_LEVEL": "verbose"}, cwd=tmp_path)
    assert result.returncode == 2 and "YANXIU_LOG_LEVEL" in one_line(result.stderr)
    assert run_cli("console", env={"YANXIU_LOG_LEVEL": "debug"}, stdin="/start\n", cwd=tmp_path).returncode == 0


def test_export_out_takes_a_folder_or_a_file_in_a_missing_folder(tmp_path):
    assert run_cli("console", stdin="/start\n", cwd=tmp_path).returncode == 0
    (tmp_path / "exports").mkdir()
    into = run_cli("export", "--out", "exports", cwd=tmp_path)
    assert into.returncode == 0, into.stderr
    (written,) = (tmp_path / "exports").glob("研修台账-*.xlsx")
    assert into.stdout.strip() == str(Path("exports") / written.name)
    nested = run_cli("export", "--out", "2026/十一月/台账.xlsx", cwd=tmp_path)
    assert nested.returncode == 0 and (tmp_path / "2026" / "十一月" / "台账.xlsx").is_file()
    slash = run_cli("export", "--briefing", "2026-11", "--out", "简报/", cwd=tmp_path)
    assert slash.returncode == 0 and (tmp_path / "简报" / "研修简报-2026-11.docx").is_file()
    csv_into_file = run_cli("export", "--format", "csv", "--out", "2026/十一月/台账.xlsx", cwd=tmp_path)
    assert csv_into_file.returncode == 2 and "folder" in one_line(csv_into_file.stderr)
    (tmp_path / "blocker").write_text("", encoding="utf-8")
    unwritable = run_cli("export", "--out", "blocker/sub/台账.xlsx", cwd=tmp_path)
    assert unwritable.returncode == 1 and "blocker" in one_line(unwritable.stderr)


def test_briefing_refuses_options_it_cannot_honour_and_writes_the_formats_it_can(tmp_path):
    assert run_cli("console", stdin="/start\n", cwd=tmp_path).returncode == 0
    for extra, named in ((["--school", "紫阳中学"], "--school"), (["--from", "2026-11-01"], "--from"),
                         (["--format", "xlsx"], "xlsx")):
        result = run_cli("export", "--briefing", "2026-11", *extra, cwd=tmp_path)
        assert result.returncode == 2 and named in one_line(result.stderr)
    markdown = run_cli("export", "--briefing", "2026-11", "--format", "md", cwd=tmp_path)
    assert markdown.returncode == 0
    assert (tmp_path / "研修简报-2026-11.md").read_text(encoding="utf-8").startswith("# ")
    assert not (tmp_path / "研修简报-2026-11.docx").exists()
    assert run_cli("export", "--format", "docx", cwd=tmp_path).returncode == 2


async def test_the_telegram_proxy_carries_the_bot_api_requests():
    """A forward proxy on 127.0.0.1 sees the absolute Bot API URL and answers getMe itself."""
    from aiohttp import web

    from bot.ops.platforms import telegram_adapter

    seen = []

    async def proxy(request: web.Request) -> web.Response:
        seen.append(str(request.url))
        return web.json_response({"ok": True, "result": {
            "id": 42, "is_bot": True, "first_name": "研修助手", "username": "yanxiu_bot"}})

    server = web.Application()
    server.router.add_route("*", "/{tail:.*}", proxy)
    runner = web.AppRunner(server, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        settings = load_settings(_env_file=None, telegram_token="42:abc",
                                 telegram_base_url="http://telegram.invalid/bot",
                                 telegram_proxy=f"http://127.0.0.1:{port}")
        adapter = telegram_adapter(settings)
        await adapter.application.bot.initialize()
        assert adapter.application.bot.username == "yanxiu_bot"
        await adapter.application.bot.shutdown()
    finally:
        await runner.cleanup()
    assert seen and seen[0].startswith("http://telegram.invalid/bot42:abc/getMe")
    with pytest.raises(ConfigError, match="YANXIU_TELEGRAM_PROXY"):
        load_settings(_env_file=None, telegram_proxy="127.0.0.1:3128")


class Terminal(io.StringIO):
    """stderr as a person at a terminal sees it: progress lines are shown only there."""

    def isatty(self) -> bool:
        return True


def test_long_imports_and_exports_say_how_far_they_are(monkeypatch, tmp_path):
    from bot.ops.cli import main
    from bot.services import roster as roster_service

    monkeypatch.setattr(roster_service, "PROGRESS_EVERY", 100)  # 1000 in use; a smaller file here
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("YANXIU_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'p.db'}")
    roster = tmp_path / "名单.csv"
    roster.write_text("姓名,学校\n" + "".join(f"老师{n:04d},紫阳县第{n % 12 + 1}小学\n" for n in range(250)),
                      encoding="utf-8")
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["roster", "import", str(roster), "--yes"]) == 0
    assert "正在导入 100/250…\n正在导入 200/250…\n" in terminal.getvalue()
    assert main(["export", "--out", "台账.xlsx"]) == 0
    assert "正在导出" in terminal.getvalue()

"""The deployment files in deploy/ agree with the code and with each other.

Static checks always run. The tools that can judge a file fully run when they are installed and
are skipped with the reason otherwise: `docker compose config`, `systemd-analyze verify`, `nginx -t`.
PyYAML is not a dependency of the project; without it compose.yaml is read by the small reader
below, which understands exactly the subset of YAML that file uses (and is checked against PyYAML
whenever PyYAML is importable).
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import stat
import subprocess
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.ops.config import Settings

try:  # optional: used when present, never required
    import yaml
except ImportError:  # pragma: no cover - depends on the environment
    yaml = None

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
COMPOSE = DEPLOY / "compose.yaml"
DOCKERFILE = DEPLOY / "Dockerfile"
DOCKERIGNORE = DEPLOY / "Dockerfile.dockerignore"
ENTRYPOINT = DEPLOY / "docker-entrypoint.sh"
UNIT = DEPLOY / "yanxiu.service"
NGINX = DEPLOY / "nginx.conf"
README = DEPLOY / "README.md"
ENV_EXAMPLE = DEPLOY / ".env.example"

# ----------------------------------------------------------------------------------------------
# Settings


def setting_names() -> set[str]:
    prefix = Settings.model_config.get("env_prefix", "")
    return {f"{prefix}{name}".upper() for name in Settings.model_fields}


def yanxiu_names(text: str) -> set[str]:
    return set(re.findall(r"\bYANXIU_[A-Z0-9_]+", text))


def unknown_settings(names: set[str]) -> set[str]:
    known = setting_names()
    unknown = set()
    for name in names:
        if name.endswith("_"):  # a prefix written in prose, e.g. YANXIU_WECOM_
            if not any(field.startswith(name) for field in known):
                unknown.add(name)
        elif name not in known:
            unknown.add(name)
    return unknown


def assert_known_settings(names: set[str], where: str) -> None:
    unknown = unknown_settings(names)
    assert not unknown, (
        f"{where} names settings that bot/config.py's Settings does not define: {sorted(unknown)}"
    )


def test_every_setting_named_in_deploy_readme_exists() -> None:
    names = yanxiu_names(README.read_text(encoding="utf-8"))
    assert "YANXIU_DATABASE_URL" in names
    assert_known_settings(names, "deploy/README.md")


def test_every_setting_named_in_the_other_deploy_files_exists() -> None:
    files = (DOCKERFILE, ENTRYPOINT, COMPOSE, UNIT, NGINX)
    names = set().union(*(yanxiu_names(path.read_text(encoding="utf-8")) for path in files))
    assert_known_settings(names, "deploy/ (Dockerfile, compose.yaml, yanxiu.service, nginx.conf)")


def test_env_example_lists_every_setting() -> None:
    listed = set(
        re.findall(r"^#?\s*(YANXIU_[A-Z0-9_]+)=", ENV_EXAMPLE.read_text(encoding="utf-8"), re.MULTILINE)
    )
    missing = setting_names() - listed
    assert not missing, f"deploy/.env.example does not list these Settings fields: {sorted(missing)}"
    assert not listed - setting_names(), (
        f"deploy/.env.example lists unknown settings: {sorted(listed - setting_names())}"
    )


# ----------------------------------------------------------------------------------------------
# compose.yaml


def _strip_comment(line: str) -> str:
    quote, escaped = None, False
    for index, char in enumerate(line):
        if quote:
            if escaped:
                escaped = False
            elif char == "\\" and quote == '"':
                escaped = True
            elif char == quote:
                quote = None
        elif char in "\"'" and (index == 0 or line[index - 1] in " [,:"):
            quote = char
        elif char == "#" and (index == 0 or line[index - 1] in " \t"):
            return line[:index]
    return line


def _split_top(text: str, separator: str) -> list[str]:
    parts, quote, start = [], None, 0
    for index, char in enumerate(text):
        if quote:
            if char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char == separator:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return parts


def _scalar(text: str):
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        inner = text[1:-1].strip()
        return [_scalar(part) for part in _split_top(inner, ",")] if inner else []
    if text == "{}":
        return {}
    if text.startswith('"') and text.endswith('"') and len(text) >= 2:
        return json.loads(text)
    if text.startswith("'") and text.endswith("'") and len(text) >= 2:
        return text[1:-1].replace("''", "'")
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    if text.lower() in ("true", "yes", "on"):
        return True
    if text.lower() in ("false", "no", "off"):
        return False
    if re.fullmatch(r"[-+]?\d+", text):
        return int(text)
    if re.fullmatch(r"[-+]?\d+\.\d*", text):
        return float(text)
    return text


def _key_value(content: str) -> tuple[str, str] | None:
    """`key: value` or `key:` (plain keys only); None for anything else."""
    match = re.match(r"([A-Za-z0-9_.$/-]+):(?:\s+(.*))?$", content)
    return (match.group(1), match.group(2) or "") if match else None


def load_yaml_subset(text: str):
    """Block mappings and sequences, flow lists of scalars, quoted and plain scalars, comments."""
    lines = []
    for raw in text.splitlines():
        if "\t" in raw[: len(raw) - len(raw.lstrip())]:
            raise ValueError(f"tab in indentation: {raw!r}")
        line = _strip_comment(raw).rstrip()
        if line.strip() and line.strip() != "---":
            lines.append([len(line) - len(line.lstrip(" ")), line.strip()])

    def is_item(content: str) -> bool:
        return content == "-" or content.startswith("- ")

    def block(pos: int, indent: int):
        return sequence(pos, indent) if is_item(lines[pos][1]) else mapping(pos, indent)

    def mapping(pos: int, indent: int):
        result = {}
        while pos < len(lines) and lines[pos][0] == indent and not is_item(lines[pos][1]):
            pair = _key_value(lines[pos][1])
            if pair is None:
                raise ValueError(f"not a `key: value` line: {lines[pos][1]!r}")
            key, rest = pair
            if key in result:
                raise ValueError(f"duplicate key {key!r}")
            pos += 1
            nested = pos < len(lines) and (
                lines[pos][0] > indent or (lines[pos][0] == indent and is_item(lines[pos][1]))
            )
            if rest:
                result[key] = _scalar(rest)
            elif nested:
                result[key], pos = block(pos, lines[pos][0])
            else:
                result[key] = None
        if pos < len(lines) and lines[pos][0] > indent:
            raise ValueError(f"unexpected indentation: {lines[pos][1]!r}")
        return result, pos

    def sequence(pos: int, indent: int):
        items = []
        while pos < len(lines) and lines[pos][0] == indent and is_item(lines[pos][1]):
            content = lines[pos][1][1:].lstrip()
            if not content:
                item, pos = block(pos + 1, lines[pos + 1][0])
            elif _key_value(content) and not content.startswith(("'", '"')):
                lines[pos] = [indent + len(lines[pos][1]) - len(content), content]
                item, pos = mapping(pos, lines[pos][0])
            else:
                item, pos = _scalar(content), pos + 1
            items.append(item)
        return items, pos

    if not lines:
        return None
    value, pos = block(0, lines[0][0])
    if pos != len(lines):
        raise ValueError(f"could not read past: {lines[pos][1]!r}")
    return value


def load_compose() -> dict:
    text = COMPOSE.read_text(encoding="utf-8")
    return yaml.safe_load(text) if yaml is not None else load_yaml_subset(text)


@pytest.fixture(scope="module")
def compose() -> dict:
    return load_compose()


@pytest.mark.skipif(
    yaml is None, reason="PyYAML is not installed: nothing to compare the small YAML reader with"
)
def test_small_yaml_reader_agrees_with_pyyaml() -> None:
    text = COMPOSE.read_text(encoding="utf-8")
    assert load_yaml_subset(text) == yaml.safe_load(text)


def test_small_yaml_reader_reads_what_compose_uses() -> None:
    text = (
        "a: 1  # comment\n"
        "b:\n"
        '  c: "x: #y"\n'
        "  d: ['p', \"q\"]\n"
        "  e:\n"
        "    - one\n"
        "    - k: v\n"
        '      l: "no"\n'
        "  f: no\n"
        "g:\n"
        "- 127.0.0.1:80:80\n"
        "h:\n"
    )
    assert load_yaml_subset(text) == {
        "a": 1,
        "b": {"c": "x: #y", "d": ["p", "q"], "e": ["one", {"k": "v", "l": "no"}], "f": False},
        "g": ["127.0.0.1:80:80"],
        "h": None,
    }


def _env(service: dict) -> dict:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return environment


def _command(service: dict) -> list[str]:
    command = service.get("command")
    return command.split() if isinstance(command, str) else list(command or [])


def _healthcheck_text(service: dict) -> str:
    test = (service.get("healthcheck") or {}).get("test")
    return " ".join(test) if isinstance(test, list) else str(test or "")


def test_compose_services(compose) -> None:
    assert set(compose["services"]) == {"postgres", "migrate", "bot"}


def test_compose_postgres(compose) -> None:
    postgres = compose["services"]["postgres"]
    assert postgres["image"].split(":")[1].startswith("15")
    for value in _env(postgres).values():
        assert re.fullmatch(r"\$\{\w+:-[^}]+\}", str(value)), f"postgres setting without a default: {value}"
    assert {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"} <= set(_env(postgres))
    named = [v.split(":")[0] for v in postgres["volumes"] if v.split(":")[1] == "/var/lib/postgresql/data"]
    assert named and named[0] in (compose.get("volumes") or {}), "postgres data must be a named volume"
    assert "pg_isready" in _healthcheck_text(postgres)
    assert "ports" not in postgres, "the database is not published to the host"


def test_compose_migrate_runs_once_after_postgres(compose) -> None:
    migrate = compose["services"]["migrate"]
    assert _command(migrate) == ["yanxiu", "db", "upgrade"]
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert migrate["restart"] == "no"  # the string: an unquoted no would be YAML's false
    assert _env(migrate)["YANXIU_DATABASE_URL"] == _env(compose["services"]["bot"])["YANXIU_DATABASE_URL"]


def test_compose_bot(compose) -> None:
    bot = compose["services"]["bot"]
    assert _command(bot) == ["yanxiu", "run"]
    assert bot["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert bot["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert bot["env_file"] in (".env", [".env"])
    assert bot["restart"] == "unless-stopped"
    env = _env(bot)
    assert re.match(r"postgresql\+asyncpg://[^@]+@postgres:5432/", env["YANXIU_DATABASE_URL"])
    health = _healthcheck_text(bot)
    assert "urllib" in health and "/healthz" in health and "YANXIU_HEALTH_PORT" in health
    assert "curl" not in health and "wget" not in health
    policy_mounts = [v for v in bot["volumes"] if v.split(":")[-2] == env["YANXIU_POLICY"]]
    assert policy_mounts and policy_mounts[0].endswith(":ro"), "the policy file is mounted read-only"


def test_compose_builds_the_image_from_the_repository_root(compose) -> None:
    images = set()
    for name in ("migrate", "bot"):
        service = compose["services"][name]
        images.add(service["image"])
        build = service["build"]
        assert (COMPOSE.parent / build["context"]).resolve() == ROOT
        assert (ROOT / build["dockerfile"]).resolve() == DOCKERFILE
    assert len(images) == 1, "migrate and bot must run the same image"


def test_compose_ports_match_the_listeners(compose) -> None:
    bot = compose["services"]["bot"]
    env = _env(bot)
    published = {}
    for entry in bot.get("ports", []):
        host_ip, host_port, container_port = str(entry).split(":")
        assert host_ip == "127.0.0.1", f"{entry}: publish on the host's loopback only, nginx is in front"
        published[int(container_port)] = int(host_port)
    for listen, port in (
        ("YANXIU_TELEGRAM_WEBHOOK_LISTEN", "YANXIU_TELEGRAM_WEBHOOK_PORT"),
        ("YANXIU_WECOM_LISTEN", "YANXIU_WECOM_PORT"),
        ("YANXIU_HEALTH_LISTEN", "YANXIU_HEALTH_PORT"),
    ):
        assert env[listen] == "0.0.0.0"
        assert int(env[port]) in published, f"{port}={env[port]} is not published"
    upstreams = nginx_upstreams(nginx_text())
    telegram_host_port = published[int(env["YANXIU_TELEGRAM_WEBHOOK_PORT"])]
    assert f"127.0.0.1:{telegram_host_port}" in upstreams["yanxiu_telegram"]
    assert f"127.0.0.1:{published[int(env['YANXIU_WECOM_PORT'])]}" in upstreams["yanxiu_wecom"]


def test_compose_documents_scaling() -> None:
    text = COMPOSE.read_text(encoding="utf-8")
    assert "--scale bot=" in text and "upstream" in text


def _docker_compose() -> list[str] | None:
    candidates = []
    if shutil.which("docker"):
        candidates.append(["docker", "compose"])
    if shutil.which("docker-compose"):
        candidates.append(["docker-compose"])
    for command in candidates:
        probe = subprocess.run([*command, "version"], check=False, capture_output=True, text=True, timeout=60)
        if probe.returncode == 0 and re.search(r"v?2\.\d+", probe.stdout):
            return command
    return None


def test_docker_compose_config(tmp_path) -> None:
    command = _docker_compose()
    if command is None:
        pytest.skip("no Compose v2 here: `docker compose` (the plugin) and `docker-compose` v2 are missing")
    deploy = tmp_path / "deploy"
    deploy.mkdir()
    for name in ("compose.yaml", "Dockerfile", "policy.example.toml", "docker-entrypoint.sh"):
        shutil.copy(DEPLOY / name, deploy / name)
    (deploy / ".env").write_text("YANXIU_PLATFORM=console\n", encoding="utf-8")
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("POSTGRES_", "COMPOSE_"))}
    result = subprocess.run(
        [*command, "-f", str(deploy / "compose.yaml"), "config", "-q"],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr


# ----------------------------------------------------------------------------------------------
# Dockerfile and its entrypoint


def dockerfile_instructions() -> list[tuple[str, str]]:
    instructions, pending = [], ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#") or (not line and not pending):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        keyword, _, rest = line.partition(" ")
        instructions.append((keyword.upper(), rest.strip()))
    assert not pending, "the Dockerfile ends inside a continued line"
    return instructions


def _all(keyword: str) -> list[str]:
    return [rest for kw, rest in dockerfile_instructions() if kw == keyword]


def test_dockerfile_base_and_install() -> None:
    froms = _all("FROM")
    assert froms and froms[-1].split()[0] == "python:3.11-slim"
    assert any(re.search(r"\bpip install (\S+ )*\.(\s|$)", run) for run in _all("RUN")), "pip install ."


def test_dockerfile_runs_as_a_user_it_creates() -> None:
    users = _all("USER")
    assert users, "no USER: the container would run as root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")
    assert any(re.search(rf"useradd\b.*\b{re.escape(user)}\s*($|&&)", run) for run in _all("RUN")), (
        f"USER {user} is never created"
    )


def test_dockerfile_copies_only_what_the_package_needs() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = {
        pattern.rstrip("*").rstrip(".")
        for pattern in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    }
    sources = []
    for rest in _all("COPY"):
        parts = [part for part in rest.split() if not part.startswith("--")]
        assert "--from" not in rest
        sources += parts[:-1]
    assert "." not in sources and "./" not in sources, "COPY . would send the whole repository"
    for source in sources:
        assert (ROOT / source).exists(), f"COPY {source}: no such file in the repository"
    top = {source.split("/")[0] for source in sources}
    assert packages <= top, f"packages not copied: {packages - top}"
    assert {"pyproject.toml", pyproject["project"]["readme"], "deploy/policy.example.toml"} <= set(sources)


def dockerfile_env() -> dict[str, str]:
    env = {}
    for rest in _all("ENV"):
        env.update(pair.split("=", 1) for pair in rest.split() if "=" in pair)
    return env


def test_dockerfile_bakes_no_database_url() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert not re.search(r"^\s*(ENV|ARG)\b[^\n]*YANXIU_DATABASE_URL", text, re.MULTILINE)
    env = dockerfile_env()
    assert env["YANXIU_HEALTH_LISTEN"] == "0.0.0.0"
    assert int(env["YANXIU_HEALTH_PORT"]) > 0, "the health server is off unless a port is set"


def test_dockerfile_healthcheck_and_ports() -> None:
    (healthcheck,) = _all("HEALTHCHECK")
    assert "urllib" in healthcheck and "/healthz" in healthcheck
    assert "127.0.0.1:${YANXIU_HEALTH_PORT" in healthcheck
    assert "curl" not in healthcheck and "wget" not in healthcheck
    # The health server runs only when a port is set: the image must set the one it checks.
    health_port = int(dockerfile_env()["YANXIU_HEALTH_PORT"])
    assert f"YANXIU_HEALTH_PORT:-{health_port}}}" in healthcheck or "YANXIU_HEALTH_PORT}" in healthcheck
    exposed = {int(port.split("/")[0]) for rest in _all("EXPOSE") for port in rest.split()}
    defaults = Settings.model_fields
    assert {defaults["telegram_webhook_port"].default, defaults["wecom_port"].default, health_port} <= exposed


def test_entrypoint_migrates_before_running() -> None:
    (entrypoint,) = _all("ENTRYPOINT")
    assert ENTRYPOINT.name in entrypoint
    copied = [rest for rest in _all("COPY") if "docker-entrypoint.sh" in rest]
    assert copied, "the entrypoint script is not copied into the image"
    lines = [
        line.strip()
        for line in ENTRYPOINT.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    assert lines[0] == "set -eu" or "set -e" in lines[0], "a failed migration must stop the container"
    upgrade = next(i for i, line in enumerate(lines) if re.fullmatch(r"(exec )?yanxiu db upgrade", line))
    run = next(i for i, line in enumerate(lines) if re.fullmatch(r"(exec )?yanxiu run", line))
    assert upgrade < run
    assert 'exec "$@"' in lines, "a command given to the container must run as given"
    if shutil.which("sh"):
        subprocess.run(["sh", "-n", str(ENTRYPOINT)], check=True, timeout=30)


def test_entrypoint_is_executable_or_made_so() -> None:
    executable = ENTRYPOINT.stat().st_mode & stat.S_IXUSR
    assert executable or any("chmod" in run and "docker-entrypoint.sh" in run for run in _all("RUN"))


def _docker_ignored(path: str, patterns: list[str]) -> bool:
    """The last pattern matching the path or one of its parent folders decides (`!` re-includes)."""
    ignored = False
    parts = path.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in patterns:
        negated = pattern.startswith("!")
        if any(fnmatch.fnmatchcase(candidate, pattern.lstrip("!").strip("/")) for candidate in candidates):
            ignored = not negated
    return ignored


def test_dockerignore_sends_the_sources_and_no_secrets() -> None:
    patterns = [
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    for rest in _all("COPY"):
        for source in [part for part in rest.split() if not part.startswith("--")][:-1]:
            assert not _docker_ignored(source, patterns), f"COPY {source} is excluded by {DOCKERIGNORE.name}"
    for source in ("bot/app.py", "storage/migrations/env.py", "storage/migrations/script.py.mako"):
        assert not _docker_ignored(source, patterns), f"{source} would be missing from the build context"
    for secret in (".env", "deploy/.env", ".venv", ".git", "yanxiu.db", "bot/__pycache__"):
        assert _docker_ignored(secret, patterns), f"{secret} would be sent to the Docker daemon"


# ----------------------------------------------------------------------------------------------
# systemd


def unit_entries(text: str) -> dict[tuple[str, str], list[str]]:
    entries: dict[tuple[str, str], list[str]] = {}
    section = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        entries.setdefault((section, key.strip()), []).append(value.strip())
    return entries


def test_unit_runs_migrations_then_the_bot() -> None:
    entries = unit_entries(UNIT.read_text(encoding="utf-8"))

    def one(key: str, section: str = "Service") -> str:
        values = entries.get((section, key))
        assert values, f"{key}= is missing from [{section}]"
        return values[-1]

    assert one("User") == "yanxiu"
    assert one("WorkingDirectory") == "/opt/yanxiu"
    assert "/etc/yanxiu/yanxiu.env" in entries[("Service", "EnvironmentFile")]
    assert one("ExecStartPre") == "/opt/yanxiu/.venv/bin/yanxiu db upgrade"
    assert one("ExecStart") == "/opt/yanxiu/.venv/bin/yanxiu run"
    assert one("Restart") == "on-failure"
    assert one("NoNewPrivileges") == "yes"
    assert one("ProtectSystem") == "strict"
    assert one("PrivateTmp") == "yes"
    assert one("ProtectHome") in ("yes", "read-only", "tmpfs")
    environment = dict(value.split("=", 1) for value in entries.get(("Service", "Environment"), []))
    assert int(environment["YANXIU_HEALTH_PORT"]) > 0, "the health server is off unless a port is set"
    writable = " ".join(entries.get(("Service", "ReadWritePaths"), [])).split()
    assert "/var/lib/yanxiu" in writable
    defaults = [
        value.partition("=")[2]
        for value in entries.get(("Service", "Environment"), [])
        if value.startswith("YANXIU_DATABASE_URL=")
    ]
    for url in defaults:  # a SQLite default must live where the sandbox lets the bot write
        path = url.removeprefix("sqlite+aiosqlite:///")
        assert any(path.startswith(directory + "/") for directory in writable), url
    assert ("Install", "WantedBy") in entries


def test_systemd_analyze_verify(tmp_path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    stub = tmp_path / "yanxiu"
    stub.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    stub.chmod(0o755)

    def verify(unit: Path) -> subprocess.CompletedProcess:
        return subprocess.run(
            [analyze, "verify", "--man=no", unit.name],
            check=False,
            capture_output=True,
            text=True,
            timeout=120,
            cwd=unit.parent,
        )

    control = tmp_path / "control-yanxiu-test.service"
    control.write_text(f"[Service]\nExecStart={stub}\n", encoding="utf-8")
    probe = verify(control)
    if probe.returncode != 0:
        pytest.skip(
            f"systemd-analyze verify does not work here: {(probe.stderr or probe.stdout).strip()[:200]}"
        )
    unit = tmp_path / "yanxiu.service"
    unit.write_text(
        UNIT.read_text(encoding="utf-8").replace("/opt/yanxiu/.venv/bin/yanxiu", str(stub)), encoding="utf-8"
    )
    result = verify(unit)
    about_unit = [line for line in (result.stdout + result.stderr).splitlines() if unit.name in line]
    assert result.returncode == 0 and not about_unit, result.stdout + result.stderr


# ----------------------------------------------------------------------------------------------
# nginx


def nginx_text() -> str:
    return "\n".join(_strip_comment(line) for line in NGINX.read_text(encoding="utf-8").splitlines())


def nginx_blocks(text: str, keyword: str) -> dict[str, str]:
    """`keyword <args> { body }` -> {args: body}, bodies found by matching braces."""
    blocks = {}
    for match in re.finditer(rf"(?m)^\s*{keyword}\s+([^{{;]+?)\s*{{", text):
        depth, index = 1, match.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(text[index], 0)
            index += 1
        blocks[match.group(1)] = text[match.end() : index - 1]
    return blocks


def nginx_upstreams(text: str) -> dict[str, list[str]]:
    return {
        name: re.findall(r"^\s*server\s+(\S+?)[\s;]", body, re.MULTILINE)
        for name, body in nginx_blocks(text, "upstream").items()
    }


def test_nginx_webhook_locations() -> None:
    text = nginx_text()
    upstreams = nginx_upstreams(text)
    assert upstreams["yanxiu_telegram"] and all(
        s.startswith("127.0.0.1:") for s in upstreams["yanxiu_telegram"]
    )
    assert upstreams["yanxiu_wecom"]
    locations = nginx_blocks(text, "location")
    telegram = next(body for args, body in locations.items() if args.split()[-1] == "/telegram")
    assert re.search(r"proxy_pass\s+http://yanxiu_telegram\s*;", telegram)
    assert re.search(
        r"proxy_set_header\s+X-Telegram-Bot-Api-Secret-Token\s+\$http_x_telegram_bot_api_secret_token",
        telegram,
        re.IGNORECASE,
    )
    assert not re.search(
        r"proxy_set_header\s+X-Telegram-Bot-Api-Secret-Token\s+\"\"", telegram, re.IGNORECASE
    )
    wecom = next(body for args, body in locations.items() if args.split()[-1] == "/wecom/callback")
    assert re.search(r"proxy_pass\s+http://yanxiu_wecom\s*;", wecom)
    metrics = next(body for args, body in locations.items() if args.split()[-1] == "/metrics")
    assert "deny all" in metrics and "proxy_pass" not in metrics


def test_nginx_tls_redirect_and_body_limit() -> None:
    text = nginx_text()
    servers = re.split(r"(?m)^server\s*{", text)[1:]
    assert len(servers) == 2
    plain = next(s for s in servers if re.search(r"listen\s+80\b", s))
    tls = next(s for s in servers if re.search(r"listen\s+443\s+ssl", s))
    assert re.search(r"return\s+301\s+https://", plain)
    assert re.search(r"ssl_certificate\s+\S+;", tls) and re.search(r"ssl_certificate_key\s+\S+;", tls)
    size = re.search(r"client_max_body_size\s+(\d+)([km]?)\s*;", tls, re.IGNORECASE)
    assert size, "client_max_body_size is not set"
    kilobytes = int(size.group(1)) * {"": 1 / 1024, "k": 1, "m": 1024}[size.group(2).lower()]
    assert kilobytes <= 10 * 1024


def _self_signed(directory: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "bot.example.org")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "fullchain.pem", directory / "privkey.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


def test_nginx_config_test(tmp_path) -> None:
    nginx = shutil.which("nginx") or shutil.which(
        "nginx", path="/usr/sbin:/usr/local/sbin:/usr/local/nginx/sbin"
    )
    if nginx is None:
        pytest.skip("nginx is not installed")
    cert, key = _self_signed(tmp_path)
    text = NGINX.read_text(encoding="utf-8")
    text = re.sub(r"(ssl_certificate\s+)[^;]+;", rf"\g<1>{cert};", text)
    text = re.sub(r"(ssl_certificate_key\s+)[^;]+;", rf"\g<1>{key};", text)
    text = text.replace("/var/log/nginx/", f"{tmp_path}/")
    (tmp_path / "yanxiu.conf").write_text(text, encoding="utf-8")
    temp_paths = "\n".join(
        f"    {kind}_temp_path {tmp_path / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    wrapper = tmp_path / "wrapper.conf"
    wrapper.write_text(
        f"pid {tmp_path / 'nginx.pid'};\nerror_log {tmp_path / 'error.log'};\nevents {{}}\n"
        f"http {{\n    access_log off;\n{temp_paths}\n    include {tmp_path / 'yanxiu.conf'};\n}}\n",
        encoding="utf-8",
    )
    command = [nginx, "-t", "-p", str(tmp_path), "-c", str(wrapper), "-e", str(tmp_path / "error.log")]
    result = subprocess.run(command, check=False, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


# ----------------------------------------------------------------------------------------------
# deploy/README.md


def test_readme_covers_the_ways_and_operations() -> None:
    text = README.read_text(encoding="utf-8")
    for needle in (
        "docker compose up",
        "systemctl",
        "nginx",
        "yanxiu db upgrade",
        "SKIP LOCKED",
        "/healthz",
        "/metrics",
        "pg_dump",
        ".backup",
        "Upgrading",
        ".env.example",
    ):
        assert needle in text, f"deploy/README.md does not mention {needle}"


def test_readme_links_resolve() -> None:
    text = README.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if "://" in target:
            continue
        assert (DEPLOY / target).exists(), f"deploy/README.md links to a missing file: {target}"

"""Which programs this deployment runs: one from YANXIU_POLICY, or several from a programs file.

One program is one policy and one database, so every query of the bot stays correct and programs
are isolated by construction; a teacher in two programs is two roster entries linked to the same
chat account. The file (YANXIU_PROGRAMS, TOML):

    [[programs]]
    key = "chengguan"                  # ASCII: `--program` on the command line
    name = "城关培育站"                  # what chats see (default: the policy's name)
    policy = "policies/peiyuzhan.toml" # relative to the programs file
    database_url = "…"                 # optional on SQLite (default `<stem>-<key>.db` beside
                                       # YANXIU_DATABASE_URL's file; the first program uses that
                                       # URL itself); required on PostgreSQL
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.domain.policy import Policy
from bot.ops.config import ConfigError, Settings, check_database_url, with_async_driver
from bot.ops.policy import PolicyError, load_policy

SINGLE_KEY = "main"
"""The key of the one program of a deployment without a programs file."""


class ProgramEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")
    name: str | None = Field(default=None, min_length=2, max_length=40)
    policy: Path
    database_url: str | None = None

    @field_validator("database_url", mode="before")
    @classmethod
    def _driver(cls, value: object) -> object:
        return with_async_driver(value)

    @field_validator("database_url")
    @classmethod
    def _supported(cls, value: str | None) -> str | None:
        return None if value is None else check_database_url(value)


class ProgramsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    programs: list[ProgramEntry] = Field(min_length=1)



@dataclass(frozen=True)
class ProgramConfig:
    """One program, resolved: its policy loaded, its database URL decided."""

    key: str
    name: str
    policy: Policy
    database_url: str
    files_dir: Path

    @property
    def database_target(self) -> str:
        """The URL with its password masked, for messages and logs."""
        from sqlalchemy.engine import make_url

        return make_url(self.database_url).render_as_string(hide_password=True)


def load_programs(settings: Settings) -> list[ProgramConfig]:
    """The deployment's programs, first one first; ConfigError (one line: the file, the key, the reason)."""
    if settings.programs is None:
        policy = load_policy(settings.policy)
        return [ProgramConfig(SINGLE_KEY, policy.name, policy, settings.database_url, settings.files_dir)]
    path = Path(settings.programs)
    where = f"YANXIU_PROGRAMS: {path}"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{where}: cannot read ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: not valid TOML ({exc})") from None
    try:
        parsed = ProgramsFile.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        key = ".".join(str(part) for part in error["loc"]) or "(top level)"
        raise ConfigError(f"{where}: {key}: {error['msg'].removeprefix('Value error, ')}") from None
    resolved: list[ProgramConfig] = []
    for index, entry in enumerate(parsed.programs):
        for field in ("key", "name"):
            earlier = next((n for n, e in enumerate(parsed.programs[:index]) if getattr(e, field)
                            and getattr(e, field) == getattr(entry, field)), None)
            if earlier is not None:
                raise ConfigError(f"{where}: programs.{index}.{field}: {getattr(entry, field)!r} is already "
                                  f"used by programs.{earlier}")
        try:
            policy = load_policy(path.parent / entry.policy)
        except PolicyError as problem:
            raise ConfigError(f"{where}: programs.{index}.policy ({entry.key}): {problem}") from None
        if entry.name:
            policy = policy.model_copy(update={"name": entry.name})
        url = entry.database_url or _default_url(settings.database_url, entry.key, first=index == 0)
        if url is None:
            raise ConfigError(f"{where}: programs.{index}.database_url ({entry.key}): required when "
                              f"YANXIU_DATABASE_URL is not a SQLite file (each program has its own database)")
        shared = next((n for n, other in enumerate(resolved) if other.database_url == url), None)
        if shared is not None:
            raise ConfigError(f"{where}: programs.{index}.database_url ({entry.key}): the same database as "
                              f"programs.{shared}; each program needs its own")
        clash = next((n for n, other in enumerate(resolved) if other.name == policy.name), None)
        if clash is not None:
            raise ConfigError(f"{where}: programs.{index}.name ({entry.key}): {policy.name!r} is already used by "
                              f"programs.{clash}; give each program its own name")
        files = settings.files_dir if index == 0 else settings.files_dir / entry.key
        resolved.append(ProgramConfig(entry.key, policy.name, policy, url, files))
    return resolved


def _default_url(base: str, key: str, *, first: bool) -> str | None:
    """The first program's database is YANXIU_DATABASE_URL; the others are SQLite files beside it."""
    if first:
        return base
    from sqlalchemy.engine import make_url

    url = make_url(base)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    database = Path(url.database)
    sibling = database.with_name(f"{database.stem}-{key}{database.suffix or '.db'}")
    return url.set(database=str(sibling)).render_as_string(hide_password=False)


def pick(programs: list[ProgramConfig], key: str | None) -> ProgramConfig:
    """The program `--program KEY` names: required when there are several; a usage error names the keys."""
    keys = ", ".join(program.key for program in programs)
    if key is None:
        if len(programs) == 1:
            return programs[0]
        raise ConfigError(f"--program is required: this deployment runs several programs ({keys})")
    for program in programs:
        if program.key == key:
            return program
    raise ConfigError(f"--program {key}: no such program (the programs are: {keys})")

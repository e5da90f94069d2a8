"""The command line of a deployment of several programs: every database migrated and named, `--program`
where a command acts on one program, and settings errors as one line with exit code 2."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from bot.ops.cli import main
from bot.ops.config import load_settings
from bot.ops.programs import load_programs
from storage.db import make_engine, make_session_factory
from storage.migrate import head_revision
from storage.models import ChatBinding, Member
from tests.programs.test_deployment import programs_file


@pytest.fixture
def deployment_env(tmp_path, monkeypatch):
    for name in ("YANXIU_POLICY", "YANXIU_PROGRAMS", "YANXIU_DATABASE_URL", "DATABASE_URL", "YANXIU_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("YANXIU_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'yanxiu.db'}")
    monkeypatch.setenv("YANXIU_PROGRAMS", str(programs_file(tmp_path)))
    monkeypatch.setenv("YANXIU_PLATFORM", "console")
    return tmp_path


def members_of(url: str) -> list[str]:
    async def read() -> list[str]:
        engine = make_engine(url)
        try:
            async with make_session_factory(engine)() as session:
                return [member.name for member in await session.scalars(select(Member))]
        finally:
            await engine.dispose()
    return asyncio.run(read())


def test_db_upgrade_and_current_act_on_every_program(deployment_env, capsys):
    assert main(["db", "upgrade"]) == 0
    out = capsys.readouterr().out
    assert "program chengguan: migrating sqlite+aiosqlite:///" in out and "yanxiu.db to head" in out
    assert "program shexian: migrating" in out and "yanxiu-shexian.db to head" in out
    assert out.count(f"database at revision {head_revision()}") == 2
    assert main(["db", "current"]) == 0
    assert capsys.readouterr().out.splitlines() == [f"chengguan\t{head_revision()}", f"shexian\t{head_revision()}"]


def test_roster_import_and_bind_go_to_the_named_program(deployment_env, capsys):
    roster = deployment_env / "名单.csv"
    roster.write_text("姓名,学校\n王芳,城关小学\n李明,城关小学\n", encoding="utf-8")
    assert main(["db", "upgrade"]) == 0
    assert main(["roster", "import", str(roster), "--yes", "--program", "shexian"]) == 0
    programs = load_programs(load_settings())
    assert sorted(members_of(programs[1].database_url)) == ["李明", "王芳"]
    assert members_of(programs[0].database_url) == []
    assert main(["bind", "robot:城关", "program", "--program", "chengguan"]) == 0
    capsys.readouterr()

    async def bindings(url: str) -> list[str]:
        engine = make_engine(url)
        async with make_session_factory(engine)() as session:
            found = [b.chat_id for b in await session.scalars(select(ChatBinding))]
        await engine.dispose()
        return found
    assert asyncio.run(bindings(programs[0].database_url)) == ["robot:城关"]
    assert asyncio.run(bindings(programs[1].database_url)) == []
    # a chat bound in one program is not bound in another as well
    assert main(["bind", "robot:城关", "program", "--program", "shexian"]) == 2
    assert "console:robot:城关 is bound in program chengguan; unbind it there first" in capsys.readouterr().err
    assert asyncio.run(bindings(programs[1].database_url)) == []


@pytest.mark.parametrize("args", [["roster", "codes"], ["export"], ["bind", "robot:x", "program"]])
def test_program_is_required_with_several(deployment_env, capsys, args):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--program is required" in err and "(chengguan, shexian)" in err


def test_an_unknown_program_names_the_real_ones(deployment_env, capsys):
    assert main(["roster", "codes", "--program", "xiancheng"]) == 2
    err = capsys.readouterr().err
    assert "--program xiancheng: no such program (the programs are: chengguan, shexian)" in err


def test_settings_errors_are_one_line_naming_file_and_key(deployment_env, monkeypatch, capsys):
    folder = deployment_env
    monkeypatch.setenv("YANXIU_POLICY", str(folder / "policies" / "xiaoben.toml"))
    assert main(["db", "upgrade"]) == 2
    assert "YANXIU_PROGRAMS and YANXIU_POLICY are set together" in capsys.readouterr().err
    monkeypatch.delenv("YANXIU_POLICY")

    cases = {
        'key = "chengguan"\npolicy = "policies/xiaoben.toml"':
            "programs.toml: programs.2.key: 'chengguan' is already used by programs.0",
        'key = "third"\nname = "城关培育站"\npolicy = "policies/xiaoben.toml"':
            "programs.toml: programs.2.name: '城关培育站' is already used by programs.0",
        'key = "third"\npolicy = "policies/missing.toml"':
            "programs.2.policy (third): ",
        'key = "third"\npolicy = "policies/missing.toml" ':
            "missing.toml: cannot read",
        'key = "Third One"\npolicy = "policies/xiaoben.toml"':
            "programs.toml: programs.2.key: String should match pattern",
        'key = "third"\npolicy = "policies/xiaoben.toml"\ndatabase_url = "mysql://x/y"':
            "programs.2.database_url: use sqlite+aiosqlite://… or postgresql+asyncpg://…",
    }
    for third, expected in cases.items():
        programs_file(folder, f"\n[[programs]]\n{third}\n")
        assert main(["db", "upgrade"]) == 2, third
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "YANXIU_PROGRAMS: " in err and expected in err, (third, err)

    bad = folder / "policies" / "bad.toml"
    bad.write_text("[grades]\nexcellent = 'high'\n", encoding="utf-8")
    programs_file(folder, '\n[[programs]]\nkey = "third"\npolicy = "policies/bad.toml"\n')
    assert main(["db", "upgrade"]) == 2
    err = capsys.readouterr().err
    assert "programs.2.policy (third): " in err and "bad.toml: grades.excellent" in err

    # on PostgreSQL every program after the first names its own database
    programs_file(folder)
    monkeypatch.setenv("YANXIU_DATABASE_URL", "postgresql+asyncpg://yanxiu@127.0.0.1:1/yanxiu")
    assert main(["db", "upgrade"]) == 2
    assert "programs.1.database_url (shexian): required" in capsys.readouterr().err

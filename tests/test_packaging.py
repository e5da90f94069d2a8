"""What an operator installs: the core without extras answers check-ins, extras hold the heavy parts,
and requirements.lock pins everything the image installs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))

#: Importing any of these fails in the subprocess, as if only `pip install yanxiu` had run.
HIDE_EXTRAS = """\
import sys
class HideExtras:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"matplotlib", "numpy", "asyncpg", "tornado", "mplfonts"}:
            raise ImportError(f"{name} is not installed")
sys.meta_path.insert(0, HideExtras())
from bot.ops.cli import main
sys.exit(main(sys.argv[1:]))
"""


def run_without_extras(*args: str, cwd: Path, stdin: str = "", env: dict[str, str] | None = None):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("YANXIU_")} | (env or {})
    return subprocess.run([sys.executable, "-c", HIDE_EXTRAS, *args], input=stdin, capture_output=True,
                          check=False, text=True, env=full_env, cwd=cwd, timeout=90)


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_core_without_extras_answers_check_ins(tmp_path: Path) -> None:
    script = (":as coordinator 教研室\n/school add 紫阳县第二小学\n/bind school 紫阳县第二小学\n"
              ":as teacher1 王芳\n/join 王芳 紫阳县第二小学\n:as coordinator 教研室\n/approve 1\n"
              ":as teacher1 王芳\n签到\n/me\n")
    result = run_without_extras("console", cwd=tmp_path, stdin=script)
    assert result.returncode == 0, result.stderr
    assert "签到 1 天" in result.stdout, result.stdout


def test_postgres_without_its_driver_is_one_line_naming_the_extra(tmp_path: Path) -> None:
    result = run_without_extras("db", "upgrade", cwd=tmp_path,
                                env={"YANXIU_DATABASE_URL": "postgresql+asyncpg://yanxiu@127.0.0.1:9/yanxiu"})
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "yanxiu[postgres]" in result.stderr
    assert "YANXIU_DATABASE_URL" in result.stderr


def test_heavy_and_test_only_packages_live_in_extras() -> None:
    core = {_name(r) for r in PYPROJECT["project"]["dependencies"]}
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert not core & {"matplotlib", "mplfonts", "asyncpg", "numpy"}
    assert "mplfonts" not in {_name(r) for group in extras.values() for r in group}
    assert {_name(r) for r in extras["charts"]} == {"matplotlib"}
    assert {_name(r) for r in extras["postgres"]} == {"asyncpg"}
    assert not any("webhooks" in r for r in PYPROJECT["project"]["dependencies"])
    assert any("python-telegram-bot[webhooks]" in r for r in extras["test"])
    assert "ruff" in {_name(r) for r in extras["test"]}
    # make test installs the test extra, which brings the others along.
    assert "yanxiu[charts,postgres]" in extras["test"]


def test_the_lock_pins_every_dependency_the_image_installs() -> None:
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    pinned = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", lock, re.MULTILINE))
    pinned = {name.lower().replace("_", "-"): version for name, version in pinned.items()}
    extras = PYPROJECT["project"]["optional-dependencies"]
    wanted = {_name(r) for r in [*PYPROJECT["project"]["dependencies"], *extras["charts"], *extras["postgres"]]}
    assert wanted <= set(pinned), f"not in requirements.lock (run make lock): {wanted - set(pinned)}"
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    assert "COPY requirements.lock" in dockerfile and "pip install -r requirements.lock" in dockerfile
    assert "pip install --no-deps ." in dockerfile, "the package must not resolve versions past the lock"

"""The layering in docs/architecture.md, checked by reading every module's imports (ast).

Each layer names the project packages it may import; third-party packages that belong to one layer
(SQLAlchemy to storage, platform SDKs to adapters) are named where they are forbidden. A lazy import
inside a function counts the same as one at the top: the rule is about dependencies, not load time.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ("bot", "handlers", "reminders", "storage")
PLATFORM_SDKS = ("telegram", "dingtalk_stream")

# layer -> the project layers it may import (its own layer is always allowed)
ALLOWED: dict[str, set[str]] = {
    "bot.domain": set(),
    "bot.i18n": set(),
    "storage": {"bot.domain"},
    "bot.render": {"bot.domain"},
    "bot.kernel": {"bot.domain", "bot.i18n", "storage"},
    "bot.adapters": {"bot.kernel", "bot.domain"},
    "bot.services": {"bot.domain", "bot.kernel", "bot.render", "bot.i18n", "storage"},
    "handlers": {"bot.domain", "bot.kernel", "bot.services", "bot.render", "bot.i18n"},
    "bot.web": {"bot.domain", "bot.kernel", "bot.services", "bot.render", "bot.i18n"},
    "reminders": {"bot.domain", "bot.kernel", "bot.services", "bot.i18n", "storage"},
    "bot.ops": {"*"},
    "bot": {"bot.ops"},  # bot/__main__.py
}

# layer -> third-party packages it must not import
FORBIDDEN_THIRD_PARTY: dict[str, tuple[str, ...]] = {
    "bot.domain": ("sqlalchemy", "aiohttp", *PLATFORM_SDKS),
    "bot.render": ("sqlalchemy", "aiohttp", *PLATFORM_SDKS),
    "storage": ("aiohttp", *PLATFORM_SDKS),
    "bot.kernel": PLATFORM_SDKS,
    "bot.services": ("aiohttp", *PLATFORM_SDKS),
    "handlers": ("sqlalchemy", "aiohttp", *PLATFORM_SDKS),
    "bot.web": ("sqlalchemy", *PLATFORM_SDKS),
    "reminders": PLATFORM_SDKS,
}


def layer_of(module: str) -> str | None:
    """The most specific layer a dotted module name belongs to."""
    candidates = [layer for layer in ALLOWED if module == layer or module.startswith(layer + ".")]
    return max(candidates, key=len) if candidates else None


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path, root: Path = ROOT) -> list[tuple[int, str]]:
    """(line, absolute module) for every import in the file, relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if (root / Path(*target.split("."))).is_dir():  # `from bot.ops import logs` imports bot.ops.logs
                found.extend((node.lineno, f"{target}.{alias.name}") for alias in node.names)
            else:
                found.append((node.lineno, target))
    return found


def project_files(root: Path = ROOT) -> list[Path]:
    files: list[Path] = []
    for top in PROJECT:
        files.extend(p for p in (root / top).rglob("*.py") if "migrations" not in p.parts)
    return sorted(files)


def violations(root: Path = ROOT) -> list[str]:
    problems: list[str] = []
    for path in project_files(root):
        own = layer_of(module_name(path, root))
        where_file = path.relative_to(root)
        if own is None:
            problems.append(f"{where_file}: belongs to no layer")
            continue
        allowed = ALLOWED[own]
        for line, target in imported_modules(path, root):
            top = target.split(".")[0]
            if top in PROJECT:
                other = layer_of(target)
                if other is None:
                    problems.append(f"{where_file}:{line}: imports {target}, which belongs to no layer")
                elif other != own and "*" not in allowed and other not in allowed:
                    problems.append(f"{where_file}:{line}: {own} may not import {other} ({target})")
            elif top in FORBIDDEN_THIRD_PARTY.get(own, ()):
                problems.append(f"{where_file}:{line}: {own} may not import {top}")
    return problems


def test_every_module_keeps_to_its_layer() -> None:
    problems = violations()
    assert not problems, "layering broken:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("module", "layer"),
    [
        ("bot.domain.dates", "bot.domain"),
        ("bot.kernel.dispatcher", "bot.kernel"),
        ("handlers.checkin", "handlers"),
        ("storage.models", "storage"),
        ("bot.ops.cli", "bot.ops"),
    ],
)
def test_layers_are_found_by_module_name(module: str, layer: str) -> None:
    assert layer_of(module) == layer


def test_the_checker_reports_what_breaks_the_rules(tmp_path: Path) -> None:
    """The rule can fail: a handler reaching for storage or SQLAlchemy, and the domain for the kernel."""
    (tmp_path / "handlers").mkdir()
    (tmp_path / "handlers" / "bad.py").write_text(
        "from storage.models import Member\nimport sqlalchemy\nfrom bot.services import scores\n"
    )
    (tmp_path / "bot" / "domain").mkdir(parents=True)
    (tmp_path / "bot" / "domain" / "leaky.py").write_text(
        "def f():\n    from bot.kernel.messages import Reply\n    from . import dates\n"
    )
    assert violations(tmp_path) == [
        "bot/domain/leaky.py:2: bot.domain may not import bot.kernel (bot.kernel.messages)",
        "handlers/bad.py:1: handlers may not import storage (storage.models)",
        "handlers/bad.py:2: handlers may not import sqlalchemy",
    ]

"""Reading the policy file (TOML) into the domain's rule objects; one clear line when it is wrong."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import ValidationError

from bot.domain.policy import Policy


class PolicyError(Exception):
    """The policy file is unreadable or invalid; the message names the path, the key and the reason."""


def load_policy(path: Path | None) -> Policy:
    """The built-in defaults, or the file at `path` layered over them."""
    if path is None:
        return Policy()
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{path}: not valid TOML ({exc})") from None
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        key = ".".join(str(part) for part in error["loc"]) or "(top level)"
        reason = error["msg"].removeprefix("Value error, ")
        raise PolicyError(f"{path}: {key}: {reason}") from None

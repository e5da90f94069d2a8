"""Structured logging: one `key=value` line per event; message texts never appear at any level.

Database errors are the one place a teacher's words could slip into a traceback: SQLAlchemy's
parameters are hidden by the engine (`hide_parameters`), and the driver's own message (PostgreSQL's
`DETAIL: Key (name)=(…)`, "invalid input …: '<value>'") is replaced here by its SQLSTATE and
constraint name before the traceback is written.
"""

from __future__ import annotations

import logging
import sys
import traceback

DRIVER_PACKAGES = frozenset({"asyncpg", "sqlite3", "aiosqlite", "psycopg", "psycopg2"})


class KeyValueFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = (
            f"{self.formatTime(record, '%Y-%m-%dT%H:%M:%S')} level={record.levelname.lower()} "
            f"logger={record.name} {record.getMessage()}"
        )
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line

    def formatException(self, exc_info) -> str:  # noqa: N802 (logging's name)
        exc = exc_info[1]
        if exc is None:
            return super().formatException(exc_info)
        return redacted_traceback(exc).rstrip("\n")


def redacted_traceback(exc: BaseException) -> str:
    """The traceback of `exc` with every database error's message reduced to what names the fault."""
    described = traceback.TracebackException.from_exception(exc)
    seen: set[int] = set()
    pending = [(described, exc)]
    while pending:
        part, error = pending.pop()
        if id(part) in seen:
            continue
        seen.add(id(part))
        hidden = _database_summary(error)
        if hidden is not None:
            part._str = hidden  # the only way to change the text TracebackException prints
        for nested, cause in ((part.__cause__, error.__cause__), (part.__context__, error.__context__)):
            if nested is not None and cause is not None:
                pending.append((nested, cause))
    return "".join(described.format())


def _database_summary(error: BaseException) -> str | None:
    """What may be logged about a database error: its kind, SQLSTATE, constraint and statement."""
    from sqlalchemy.exc import StatementError

    if isinstance(error, StatementError):
        orig = error.orig
        facts = _driver_facts(orig) if orig is not None else ""
        return f"({type(orig).__name__}) {facts}\n[SQL: {error.statement}]\n[message and parameters hidden]"
    if type(error).__module__.split(".")[0] in DRIVER_PACKAGES:
        return _driver_facts(error) + " [message hidden]"
    return None


def _driver_facts(error: BaseException) -> str:
    facts = []
    for name in ("sqlstate", "constraint_name", "sqlite_errorname"):
        value = getattr(error, name, None)
        if isinstance(value, str) and value:
            facts.append(f"{name}={value}")
    return " ".join(facts) or type(error).__name__


def configure(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(KeyValueFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("httpx", "httpcore", "telegram", "apscheduler", "aiosqlite", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))

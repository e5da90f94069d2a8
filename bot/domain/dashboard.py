"""Who sees what on the web dashboard, and the signed tokens that carry it there.

Pure: no I/O, the time is passed in. A link sent in chat and the session cookie it opens are both
an HMAC-signed `Pass` (who, scope, purpose, expiry), so any worker process holding the secret can
check them without a session table, and nobody can widen a scope or stretch an expiry unnoticed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.roles import ADMIN, COORDINATOR, LEADER, MENTOR, WORKSHOP_LEADER

LINK_MINUTES = 15
"""A link sent in chat opens the dashboard for this long (conventions: valid 15 minutes)."""

SINGLE_PATH = "/dashboard"
"""Where the dashboard of a one-program deployment is served."""

UNIT_KINDS = ("school", "workshop", "group")


@dataclass(frozen=True)
class Scope:
    """The part of the program a viewer sees: all of it, or one school, workshop or study group."""

    kind: str
    unit_id: int | None = None

    @property
    def is_program(self) -> bool:
        return self.kind == "program"

    def encode(self) -> str:
        return "program" if self.is_program else f"{self.kind}:{self.unit_id}"

    @classmethod
    def decode(cls, text: str) -> Scope:
        if text == "program":
            return PROGRAM
        kind, _, number = text.partition(":")
        if kind not in UNIT_KINDS or not number.isdigit():
            raise ValueError(f"not a scope: {text!r}")
        return cls(kind, int(number))

    def covers(self, school_id: int | None, workshop_id: int | None, group_id: int | None) -> bool:
        """Whether a member of these units is inside this scope."""
        if self.is_program:
            return True
        return {"school": school_id, "workshop": workshop_id, "group": group_id}[self.kind] == self.unit_id


PROGRAM = Scope("program")


def scope_for(
    roles: Collection[str], *, school_id: int | None, workshop_id: int | None, group_id: int | None
) -> Scope | None:
    """The widest unit the roles lead, or None for someone who leads nothing.

    Coordinators and administrators see the program; a 坊主 their workshop; a 组长 their study group
    (a 组长 in no study group leads the school's team: their school); a 导师 the workshop they
    mentor in, else their school.
    """
    if set(roles) & {COORDINATOR, ADMIN}:
        return PROGRAM
    if WORKSHOP_LEADER in roles and workshop_id is not None:
        return Scope("workshop", workshop_id)
    if LEADER in roles:
        if group_id is not None:
            return Scope("group", group_id)
        if school_id is not None:
            return Scope("school", school_id)
    if MENTOR in roles:
        if workshop_id is not None:
            return Scope("workshop", workshop_id)
        if school_id is not None:
            return Scope("school", school_id)
    return None


@dataclass(frozen=True)
class Pass:
    """What a signed token says: for what (`link` or `session`), who, which scope, until when."""

    purpose: str
    account: str
    """`platform:user_id` of the chat account that asked for the link."""
    member_id: int | None
    scope: Scope
    expires: int
    """Unix seconds."""


class BadToken(Exception):
    """A token that must be refused; `reason` is one of malformed, tampered, expired, purpose."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: bytes, body: str) -> str:
    return _b64(hmac.new(secret, body.encode("ascii"), hashlib.sha256).digest())


def sign(token: Pass, secret: bytes) -> str:
    """`<payload>.<signature>`, both URL-safe base64: fits a link and a cookie unescaped."""
    payload = {"p": token.purpose, "a": token.account, "m": token.member_id, "s": token.scope.encode(),
               "e": token.expires}
    body = _b64(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode())
    return f"{body}.{_mac(secret, body)}"


def verify(text: str, secret: bytes, now: int, purpose: str) -> Pass:
    """The pass inside `text`, or BadToken: the signature is checked before anything is read."""
    body, dot, mac = text.partition(".")
    if not dot or not body or not mac:
        raise BadToken("malformed")
    if not hmac.compare_digest(_mac(secret, body), mac):
        raise BadToken("tampered")
    try:
        payload = json.loads(_unb64(body))
        token = Pass(payload["p"], payload["a"], payload["m"], Scope.decode(payload["s"]), int(payload["e"]))
    except (ValueError, KeyError, TypeError):
        raise BadToken("malformed") from None
    if token.purpose != purpose:
        raise BadToken("purpose")
    if now >= token.expires:
        raise BadToken("expired")
    return token


def form_token(session_token: str, secret: bytes) -> str:
    """The anti-forgery value a page's forms carry: bound to the session, unknowable to other sites."""
    return _mac(secret, "form:" + session_token)


def dashboard_path(program_key: str | None) -> str:
    """The path a program's dashboard is served under: `/dashboard` when the deployment runs one
    program (None), `/p/<key>/dashboard` for each program of several."""
    return SINGLE_PATH if program_key is None else f"/p/{program_key}/dashboard"


def program_secret(secret: bytes, program_key: str | None) -> bytes:
    """What signs one program's links, sessions and forms: the deployment's secret itself with one
    program, else a key derived from it per program, so a token of one program is refused by another."""
    if program_key is None:
        return secret
    return hmac.new(secret, f"yanxiu-dashboard-program:{program_key}".encode(), hashlib.sha256).digest()


@dataclass(frozen=True)
class LinkIssuer:
    """Signs dashboard links; built once by the composition root and handed to handlers on their context."""

    base_url: str
    secret: bytes
    path: str = SINGLE_PATH
    """The program's dashboard path (`dashboard_path`); the secret is already the program's."""

    def link(self, account: str, member_id: int | None, scope: Scope, now: datetime) -> tuple[str, datetime]:
        expires = now + timedelta(minutes=LINK_MINUTES)
        token = sign(Pass("link", account, member_id, scope, int(expires.timestamp())), self.secret)
        return f"{self.base_url.rstrip('/')}{self.path}/login?t={token}", expires

"""One module per capability; `build_router` puts them together in the order they are matched."""

from __future__ import annotations

from bot.router import Router
from handlers import checkin, help, join, me


def build_router() -> Router:
    return Router(help.router, join.router, checkin.router, me.router)

"""One module per capability; `build_router` puts them together in the order they are matched."""

from __future__ import annotations

from bot.router import Router
from handlers import checkin, dialog, help, join, me, my_records, observe, records


def build_router() -> Router:
    return Router(
        help.router,
        join.router,
        checkin.router,
        records.router,
        observe.router,
        my_records.router,
        me.router,
        dialog.router,
    )

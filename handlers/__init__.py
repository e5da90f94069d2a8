"""One module per capability; `build_router` puts them together in the order they are matched."""

from __future__ import annotations

from bot.domain.policy import Policy
from bot.kernel.access import PERMISSIONS
from bot.kernel.router import Router
from handlers import (
    activities,
    approvals,
    awards,
    attendance,
    audit,
    binding,
    checkin,
    declared,
    confirm,
    dashboard,
    dialog,
    exports,
    help,
    history,
    hours,
    invite,
    join,
    leave,
    me,
    my_records,
    observe,
    pending_files,
    people,
    privacy,
    programs,
    records,
    reviews,
    roster,
    scores,
    sessions,
    summaries,
    understand,
    units,
)


def build_router(policy: Policy | None = None) -> Router:
    """Every handler's routes; `policy` adds the shapes of the record kinds it declares."""
    router = Router(
        help.router,
        join.router,
        checkin.router,
        records.router,
        observe.router,
        pending_files.router,
        my_records.router,
        me.router,
        leave.router,
        dialog.router,
        privacy.router,
        roster.router,
        confirm.router,
        units.router,
        binding.router,
        approvals.router,
        invite.router,
        people.router,
        audit.router,
        sessions.router,
        attendance.router,
        summaries.router,
        scores.router,
        exports.router,
        dashboard.router,
        history.router,
        hours.router,
        awards.router,
        reviews.router,
        understand.router,
        declared.router_for(policy),
        programs.router,
        activities.router,
    )
    unruled = router.route_names() - PERMISSIONS.keys()
    if unruled:
        raise RuntimeError(f"routes missing from the permission table: {sorted(unruled)}")
    return router

"""Quotas by period for scoring: which weeks are due, and the day-by-day record counts they need."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date

from bot.domain.policy import Policy
from bot.domain.quotas import periods
from bot.domain.scoring import Activity
from storage.quotas import DeclaredRecords, RecordDays
from storage.repositories import Repositories


def weeks_due(policy: Policy, period, today: date) -> list[date]:
    """Mondays of the semester's weeks that are over by `today` (all, once the semester ends) and began
    on or after counting started."""
    start = policy.program.counting_from
    return [span.first for span in periods("week", period.first, period.last)
            if (period.final or span.last < today) and (start is None or span.first >= start)
            and span.first >= period.first]


async def with_record_days(repos: Repositories, activities: Mapping[int, Activity], first: date,
                           last: date, *, declared: bool = False) -> dict[int, Activity]:
    """The activities with each member's records by day added (members with records only); with
    `declared`, the policy-declared kinds' records too (keyed by the kind's name)."""
    days = await RecordDays(repos.db).counts(first, last)
    if declared:
        for member_id, kinds in (await DeclaredRecords(repos.db).counts(first, last)).items():
            days.setdefault(member_id, {}).update(kinds)
    result = dict(activities)
    for member_id, kinds in days.items():
        activity = result.get(member_id) or Activity(member_id)
        result[member_id] = replace(activity, record_days=kinds)
    return result

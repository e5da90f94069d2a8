"""How the online sessions measure up to the program's quotas: which sessions count, per partnership
when the program has several, and the lines /compliance, the 简报 and the dashboard show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.calendar import calendar_of
from bot.domain.partnerships import Partnership, Partnerships
from bot.domain.policy import Policy
from bot.domain.session_status import SessionStatus
from bot.domain.sessions import HeldSession, SemesterCompliance, compliance
from bot.i18n import Translator
from bot.services.units import partnerships
from storage.dashboard import DashboardQueries
from storage.models import OnlineSession
from storage.repositories import Repositories
from storage.sessions import session_start


def held_of(online: OnlineSession, zone: ZoneInfo) -> HeldSession:
    return HeldSession(session_start(online).astimezone(zone).date(),
                       online.valid if online.status == SessionStatus.ENDED else None)


async def sessions_between(repos: Repositories, zone: ZoneInfo, first: date, last: date) -> list[OnlineSession]:
    start = datetime.combine(first, time.min, zone)
    end = datetime.combine(last + timedelta(days=1), time.min, zone)
    return [online for online in await repos.online_sessions.between(start, end)
            if online.status != SessionStatus.CANCELLED]


async def held_sessions(repos: Repositories, zone: ZoneInfo, first: date, last: date) -> list[HeldSession]:
    """The sessions starting on [first, last] as compliance counts them: not cancelled, valid once ended."""
    return [held_of(online, zone) for online in await sessions_between(repos, zone, first, last)]


@dataclass(frozen=True)
class PartnershipSessions:
    """One partnership's sessions on a stretch of days: its quota is counted on these alone."""

    partnership: Partnership
    sessions: list[OnlineSession]

    def held(self, zone: ZoneInfo) -> list[HeldSession]:
        return [held_of(online, zone) for online in self.sessions]

    def present(self) -> dict[int, tuple[int, int]]:
        """Per school: (evaluated sessions it took part in, teachers counted present over them)."""
        total: dict[int, tuple[int, int]] = {}
        for online in self.sessions:
            for school in (online.verdict or {}).get("schools", []):
                sessions, present = total.get(school["school_id"], (0, 0))
                total[school["school_id"]] = (sessions + 1, present + school["present"])
        return total


async def sessions_by_partnership(
    repos: Repositories, zone: ZoneInfo, first: date, last: date, parts: Partnerships | None = None,
) -> list[PartnershipSessions]:
    """Each partnership with the sessions its 基地校 took part in on [first, last] (cancelled ones left out)."""
    parts = parts or await partnerships(repos)
    found = await sessions_between(repos, zone, first, last)
    schools_of = await DashboardQueries(repos.db).session_schools([online.id for online in found])
    return [
        PartnershipSessions(group, [online for online in found if group.base.id in schools_of.get(online.id, [])])
        for group in parts.groups
    ]


def several(parts: Partnerships) -> bool:
    """Whether the program has more than one partnership to tell apart (or partners left unassigned)."""
    return len(parts.groups) > 1 or bool(parts.unassigned)


async def compliance_lines(repos: Repositories, policy: Policy, t: Translator, zone: ZoneInfo, today: date) -> list[str]:
    """Month by month and for the semester: valid sessions against the rule, as /compliance, the briefing
    and the dashboard say it — per partnership, each under its 基地校, when the program has several."""
    semester = policy.semester
    parts = await partnerships(repos)
    if several(parts):
        lines = []
        for found in await sessions_by_partnership(repos, zone, semester.start, semester.end, parts):
            lines += _partnership_lines(found, policy, t, zone, today)
        if parts.unassigned:
            lines.append(t("compliance_unassigned", schools="、".join(school.name for school in parts.unassigned)))
    else:
        lines = _quota_lines(await held_sessions(repos, zone, semester.start, semester.end), policy, t, today)
    unknown = unknown_holiday_years(policy)
    if unknown:
        lines.append(t("calendar_unknown_years", years="、".join(map(str, unknown))))
    return lines


def semester_compliance(held: list[HeldSession], policy: Policy, today: date) -> SemesterCompliance:
    """The sessions against the policy's quotas, month by month and for the semester."""
    semester, rules = policy.semester, policy.sessions
    return compliance(held, semester_start=semester.start, semester_end=semester.end, breaks=semester.breaks,
                      today=today, per_month=rules.per_month, per_semester=rules.per_semester)


def _quota_lines(held: list[HeldSession], policy: Policy, t: Translator, today: date) -> list[str]:
    result = semester_compliance(held, policy, today)
    lines = [t(f"compliance_month_{m.status}", month=m.month, valid=m.valid, pending=m.pending, required=m.required)
             for m in result.months]
    lines.append(t(f"compliance_semester_{result.status}", valid=result.valid, pending=result.pending,
                   required=result.required))
    return lines


def _partnership_lines(found: PartnershipSessions, policy: Policy, t: Translator, zone: ZoneInfo,
                       today: date) -> list[str]:
    group = found.partnership
    present = found.present()
    head = t("compliance_partnership", base=group.base.name, count=len(group.partners))
    schools = [t("compliance_school_present", school=school.name, sessions=present.get(school.id, (0, 0))[0],
                 present=present.get(school.id, (0, 0))[1]) for school in group.schools]
    return [head, *_quota_lines(found.held(zone), policy, t, today), *schools]


def unknown_holiday_years(policy: Policy) -> list[int]:
    """Years of the semester that neither chinese-calendar nor the policy's own list of holidays covers."""
    calendar = calendar_of(policy.calendar.holidays, policy.calendar.workdays)
    return calendar.unknown_years(policy.semester.start, policy.semester.end)

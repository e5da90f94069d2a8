"""The program's rules as data, validated by pydantic, defaulting to the seed documents' numbers.

Handlers and domain rules read numbers from a `Policy`; none are written into code, so a program
with different rules changes this file, not the bot.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, ConfigDict, Field, field_validator, model_validator

from bot.domain.policy_activities import ActivityRule, Stage, check_activities
from bot.domain.policy_section import Section
from bot.domain.policy_words import GradeWord, PeriodWord, RoleWord, UnitWord


def known_zone(value: str) -> str:
    """`value` if it names an IANA time zone, else a ValueError that pydantic reports."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown IANA time zone {value!r}") from exc
    return value


TimeZoneName = Annotated[str, AfterValidator(known_zone)]




class Semester(Section):
    name: str = "2026—2027学年第一学期"
    start: date = date(2026, 9, 1)
    end: date = date(2027, 1, 20)
    breaks: list[tuple[date, date]] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ordered(self) -> Semester:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class Program(Section):
    counting_from: date | None = None
    """Periods before this day (or before a teacher joined) are neither required nor shown as missing."""
    min_days_in_month: int = Field(default=10, ge=1, le=31)
    """A month's quotas are due only when the teacher owed at least this many of its days."""
    prorate_hours_for_leave: bool = True
    """Approved leave shrinks the hour targets by the share of the period it covers."""
    staff_roles: list[str] = Field(default_factory=lambda: ["coordinator", "admin"])
    """People holding only these roles run the program and are not assessed; everyone else is."""


class Calendar(Section):
    holidays: list[date] = Field(default_factory=list)
    """Days off the program adds to (or, for years chinese-calendar does not know, instead of) the official ones."""
    workdays: list[date] = Field(default_factory=list)
    """Weekend days that are working days (调休)."""


class RecordKindRule(Section):
    """A kind of record a program asks for beyond reflections, cases and observations (教学设计,
    个人研修计划, 个人总结, 外出学习汇报, 微课例, 问题诊断, 论文/课题报告 …)."""

    name: str = Field(min_length=2, max_length=20)
    """As teachers write it at the head of the post, and as it is shown: "教学设计"."""
    keywords: list[str] = Field(default_factory=list)
    """Other words that name it at the head of a post (教案, 导学案); the name always does."""
    min_chars: int = Field(default=0, ge=0)
    attachment_required: bool = False
    """The work is a file or photo (a lesson plan, a micro-lesson video): text alone is not taken."""
    per: PeriodWord = Field(default="semester", pattern="^(week|month|semester)$")
    count: int = Field(default=0, ge=0)
    """How many are due each `per`; 0 = kept and shown, not required."""
    missing_points: float = -2
    evaluators: list[RoleWord] = Field(default_factory=list)
    """Roles that review this kind (workshop_leader, leader, mentor); empty = `[reviews] by`."""
    scale: list[str] = Field(default_factory=list)
    """This kind's own grading scale (合格课, 优质课, 精品课); empty = `[reviews] scale`."""
    lesson: bool = False
    """A lesson (研究课, 公开课, 送教课, 示范课): whose lesson, class, subject and topic are kept, it may be
    posted by a coordinator for a named teacher, and its grade may earn `[reviews] points`."""
    authors: list[RoleWord] = Field(default_factory=list)
    """Roles that write this kind and owe its quota (["mentor"] for 导师指导记录); empty = every member."""

    @property
    def words(self) -> tuple[str, ...]:
        return (self.name, *self.keywords)

    @model_validator(mode="after")
    def _known_roles(self) -> RecordKindRule:
        unknown = set(self.evaluators) - {"workshop_leader", "leader", "mentor"}
        if unknown:
            raise ValueError(f"evaluators are workshop_leader, leader or mentor, not {sorted(unknown)}")
        unknown = set(self.authors) - {"teacher", "leader", "workshop_leader", "mentor", "host"}
        if unknown:
            raise ValueError(f"authors are teacher, leader, workshop_leader, mentor or host, not {sorted(unknown)}")
        return self


class Records(Section):
    reflection_min_chars: int = Field(default=50, ge=0)
    case_min_chars: int = Field(default=50, ge=0)
    observation_min_chars: int = Field(default=10, ge=0)
    max_chars: int = Field(default=20000, ge=100)
    reflections_per_month: int = Field(default=1, ge=0)
    cases_per_month: int = Field(default=1, ge=0)
    reflections_per_week: int = Field(default=0, ge=0)
    cases_per_week: int = Field(default=0, ge=0)
    """Weekly quotas (seed 001: a reflection every week), each week judged on its own; a program
    that counts by week sets the monthly quota to 0."""
    observations_per_semester: int = Field(default=1, ge=0)
    dialog_timeout_minutes: int = Field(default=30, ge=1)
    kinds: list[RecordKindRule] = Field(default_factory=list)
    """Record kinds the program declares besides reflection, case and observation."""
    split_post_minutes: int = Field(default=5, ge=0)
    """A photo or file sent this soon after a record (in the same chat) belongs to it; 0 = never."""
    relay_proxies: bool = False
    """Whether one teacher's 接龙 repost may check in the other members it lists."""

    @model_validator(mode="after")
    def _kinds_told_apart(self) -> Records:
        words = [word for kind in self.kinds for word in kind.words]
        repeated = sorted({word for word in words if words.count(word) > 1})
        if repeated:
            raise ValueError(f"record kinds share the words {repeated}")
        return self


class Sessions(Section):
    min_minutes: int = Field(default=30, ge=1)
    min_per_school: int = Field(default=5, ge=1)
    min_presence_share: float = Field(default=0.5, gt=0, le=1)
    per_month: int = Field(default=1, ge=0)
    per_semester: int = Field(default=3, ge=0)
    remind_before_minutes: list[int] = Field(default_factory=lambda: [1440, 60, 0])
    reminder_grace_minutes: int = Field(default=60, ge=0)
    """A reminder missed while the bot was down is still sent this long after it was due."""
    opens_before_minutes: int = Field(default=15, ge=0)
    """How early before the start participants may check in to a session."""
    warn_day: int = Field(default=20, ge=1, le=28)
    """On this day of a month without a valid or scheduled session, coordinators are warned."""
    summary_days: int = Field(default=3, ge=1)
    """Days the chosen teacher has to hand in a valid session's summary."""


class Hours(Section):
    minutes_per_hour: int = Field(default=45, ge=1)
    school_based_per_semester: float = Field(default=48, ge=0)
    online_per_semester: float = Field(default=0, ge=0)
    """A mixed program (seed 004: 120 online + 30 school-based) sets both; 0 = no online target."""
    county_per_semester: float = Field(default=0, ge=0)
    higher_per_semester: float = Field(default=0, ge=0)
    """县级 and 县级以上 training hours required per semester (seed 002's levels); 0 = no target."""
    per_year: float = Field(default=72, ge=0)
    per_five_years: float = Field(default=360, ge=0)
    """All categories together, per school year and per five-year cycle (seed 002); 0 = not counted."""
    school_year_starts: int = Field(default=9, ge=1, le=12)
    """The month a school year begins in: the yearly target is counted from its first day."""
    cycle_start: date | None = None
    """First day of the five-year cycle (seed 002: from summer 2016); unset = the five years up to today."""
    reflection: float = Field(default=0, ge=0)
    case: float = Field(default=0, ge=0)
    observation: float = Field(default=0, ge=0)
    """School-based hours credited for each reflection, case and observation log (0 = none)."""


class Points(Section):
    base: float = 100
    """Every teacher starts from this; the items below add and take away."""
    hours_item: int = 30
    missing_hour: int = -2
    missing_reflection: int = -2
    missing_case: int = -2
    missing_observation: int = 0
    attendance_excellent: int = 2
    attendance_unqualified: int = -5


class Grades(Section):
    excellent: int = 90
    pass_: int = Field(default=60, alias="pass")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Pool(Section):
    units: list[str] = Field(min_length=2)
    """Workshops or groups (by name) that share their outstanding places."""
    places: int = Field(ge=0)


class Awards(Section):
    """Seed 004: 优秀坊主一名, 各工作坊优秀学员2名, 体育和艺术工作坊合计2名; seed 002: 末位淘汰10%."""

    unit: UnitWord = Field(default="workshop", pattern="^(workshop|group)$")
    """The unit outstanding members are chosen per."""
    outstanding_per_unit: int = Field(default=2, ge=0)
    pools: list[Pool] = Field(default_factory=list)
    eligible_grades: list[GradeWord] = Field(default_factory=lambda: ["excellent"])
    """Only members with one of these grades may be chosen."""
    outstanding_leaders: int = Field(default=1, ge=0)
    """Leaders (坊主 of workshops, 组长 of groups) of the units with the best mean points."""
    bottom_share: float = Field(default=0, ge=0, lt=1)
    """The lowest share of the ranking named for the cut (0 = no cut)."""
    bottom_role: RoleWord = ""
    """Only holders of this role are ranked for the cut (seed 002 cuts the training team), "" = everyone."""
    outstanding_groups: int = Field(default=0, ge=0)
    """Study groups ranked by the mean score of their assessed members, the best N named (seed 000: 小组评优)."""

    @model_validator(mode="after")
    def _pooled_once(self) -> Awards:
        names = [unit for pool in self.pools for unit in pool.units]
        if len(names) != len(set(names)):
            raise ValueError("a unit may be in one pool only")
        if any(grade not in ("excellent", "pass", "fail") for grade in self.eligible_grades):
            raise ValueError("eligible_grades are excellent, pass or fail")
        return self


class Reviews(Section):
    """Who reviews members' records and on what scale (seed 002: 合格课、优质课、精品课; seed 004:
    坊主"对学员作品集进行评价、推优及精品点评")."""

    scale: list[str] = Field(default_factory=lambda: ["合格", "优质", "精品"], min_length=1)
    by: list[RoleWord] = Field(default_factory=lambda: ["workshop_leader", "leader", "mentor"])
    """Roles that review their own members: 坊主 their workshop, 组长 their group, 导师 their apprentices."""
    days: int = Field(default=30, ge=1, le=366)
    """How far back `/review` lists records still waiting for this reviewer."""
    points: dict[str, float] = Field(default_factory=dict)
    """Points a graded lesson adds to its teacher's score, by grade ({"优质" = 2, "精品" = 4}); none by default."""

    @model_validator(mode="after")
    def _known_roles(self) -> Reviews:
        unknown = set(self.by) - {"workshop_leader", "leader", "mentor"}
        if unknown:
            raise ValueError(f"reviewers are workshop_leader, leader or mentor, not {sorted(unknown)}")
        return self


class Units(Section):
    """Sizes the program document sets for its units; 0 = not checked (seed 000: 每个导师组 …人)."""

    group_min: int = Field(default=0, ge=0)
    group_max: int = Field(default=0, ge=0)
    mentor_apprentices_max: int = Field(default=0, ge=0)
    cohort_min: int = Field(default=0, ge=0)
    cohort_max: int = Field(default=0, ge=0)
    """学员 (members holding the teacher role) in the whole program (seed 000: 每個培育站25名學員)."""
    mentors_min: int = Field(default=0, ge=0)
    mentors_max: int = Field(default=0, ge=0)
    """Members holding the mentor role (seed 000: 每個培育站由3名導師構成導師組)."""


class Announcements(Section):
    cron: str = "0 9 1 * *"
    show: str = Field(default="names", pattern="^(names|initials|grades)$")
    """How people are named wherever the group 公示 names them (the outstanding, and the table if shown)."""
    table: bool = False
    """Send the full ranked table to the groups; off by default: each teacher gets her own lines privately."""
    objection_days: int = Field(default=5, ge=1, le=30)
    """The 公示期: objections are taken this many days from publication; then the scores freeze."""
    auto_freeze: bool = True
    """After the final 公示's objection period, with no objection left open, scores freeze by themselves."""
    prepare_days_before: int = Field(default=1, ge=0, le=7)
    """The scheduled 公示 is prepared this many days ahead and shown to coordinators, who may hold it."""
    rows_per_message: int = Field(default=30, ge=5, le=60)
    chart: bool = True
    nudge_days_before: int = Field(default=3, ge=0, le=14)
    """Teachers still missing a monthly record are told privately this many days before month end."""
    nudge_hour: int = Field(default=16, ge=7, le=21)
    """…at this hour of the day (program time zone), never at night."""

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        from apscheduler.triggers.cron import CronTrigger

        CronTrigger.from_crontab(value)
        return value


class Platforms(Section):
    """Chat-platform behaviour a program may switch off."""

    qq_accept_roster_friends: bool = True
    """QQ: accept friend requests from QQ numbers on the roster, so private reminders reach them."""
    greet_newcomers: bool = True
    """Greet someone who joins a bound group with how to register (where the platform reports joins)."""


class Joining(Section):
    code_days: int = Field(default=60, ge=1, le=366)
    """An invitation code links only this many days after it was issued: a printed list of codes
    does not stay a key for ever (a coordinator issues a new one with /invite or `roster codes`)."""


class Checkins(Section):
    acknowledge: str = Field(default="reaction", pattern="^(reaction|tally|reply)$")
    """How a check-in in a group is confirmed: an emoji on the message (where the platform has
    reactions, else a tally), one running list per group (tally), or a reply to each (reply).
    Private chats always get a reply."""
    tally_seconds: int = Field(default=10, ge=3, le=600)
    """A group's tally message is edited (or re-sent) at most this often."""


class Privacy(Section):
    """How long what a teacher took back is kept (PIPL: no longer than the purpose needs)."""

    withdrawn_days: int = Field(default=30, ge=0)
    """A deleted or undone record (text, files, hours line) is purged this many days later; until
    then a coordinator can still restore a mistaken deletion."""
    revision_days: int = Field(default=30, ge=0)
    """The older texts of an edited record are purged this many days after the edit."""
    handled_days: int = Field(default=14, ge=1)
    """Replies remembered for redelivery (idempotency) are kept this long."""


class Files(Section):
    """Attachments kept in the file store when they arrive."""

    max_mb: int = Field(default=20, ge=1, le=200)
    kinds: list[str] = Field(default_factory=lambda: ["image", "pdf", "office", "text"])
    """Accepted kinds, checked on the file's own bytes: image, pdf, office, text, audio, video, archive."""

    @field_validator("kinds")
    @classmethod
    def _known_kinds(cls, value: list[str]) -> list[str]:
        from bot.domain.files import KINDS

        unknown = sorted(set(value) - set(KINDS))
        if unknown:
            raise ValueError(f"unknown kinds {unknown}; choose from {list(KINDS)}")
        return value

    @property
    def max_bytes(self) -> int:
        return self.max_mb * 1024 * 1024


class Policy(Section):
    name: str = "教师研修项目"
    """The program's name, as the monthly briefing and exports title it."""
    timezone: TimeZoneName = "Asia/Shanghai"
    semester: Semester = Field(default_factory=Semester)
    program: Program = Field(default_factory=Program)
    calendar: Calendar = Field(default_factory=Calendar)
    records: Records = Field(default_factory=Records)
    sessions: Sessions = Field(default_factory=Sessions)
    hours: Hours = Field(default_factory=Hours)
    points: Points = Field(default_factory=Points)
    grades: Grades = Field(default_factory=Grades)
    announcements: Announcements = Field(default_factory=Announcements)
    awards: Awards = Field(default_factory=Awards)
    reviews: Reviews = Field(default_factory=Reviews)
    units: Units = Field(default_factory=Units)
    platforms: Platforms = Field(default_factory=Platforms)
    checkins: Checkins = Field(default_factory=Checkins)
    joining: Joining = Field(default_factory=Joining)
    privacy: Privacy = Field(default_factory=Privacy)
    files: Files = Field(default_factory=Files)
    activities: list[ActivityRule] = Field(default_factory=list)
    """Activity types with an attendance roll the program declares (none by default)."""
    stages: list[Stage] = Field(default_factory=list)
    """The program's ordered stages, each with its dates and expected activity types."""

    @model_validator(mode="after")
    def _activities_consistent(self) -> Policy:
        check_activities(self.activities, self.stages)
        return self

    @model_validator(mode="after")
    def _lesson_points_on_a_scale(self) -> Policy:
        """A grade in `[reviews] points` that no scale has would silently earn nothing: refuse it."""
        grades = set(self.reviews.scale) | {grade for kind in self.records.kinds for grade in kind.scale}
        unknown = sorted(set(self.reviews.points) - grades)
        if unknown:
            raise ValueError(f"[reviews] points names grades no scale has: {unknown}")
        return self

"""Activity types and stages as the policy declares them (seed 000's 集中研修日、同课同构、论坛,
seed 001's fortnightly group meetings, seed 002's five 送教 stages); none by default."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

from pydantic import Field, field_validator, model_validator

from bot.domain.policy_section import Section
from bot.domain.policy_words import PeriodWord, RoleWord, UnitWord

ACTIVITY_UNITS = ("group", "workshop", "school", "program")
ACTIVITY_PERIODS = ("week", "fortnight", "month", "two_months", "semester")
ACTIVITY_HOST_ROLES = ("leader", "workshop_leader", "mentor", "host", "coordinator")


class ActivityRule(Section):
    """A kind of activity with an attendance roll: who runs it, who must come, and when it counts."""

    name: str = Field(min_length=2, max_length=20)
    """What coordinators and teachers call it: "集体备课"."""
    keywords: list[str] = Field(default_factory=list)
    unit: UnitWord = Field(default="group", pattern=f"^({'|'.join(ACTIVITY_UNITS)})$")
    """Whose activity it is: one study group's, one workshop's, one school's or the whole program's."""
    hosts: list[RoleWord] = Field(default_factory=lambda: ["leader"])
    """Roles that may schedule and run it for their own unit (coordinators always may)."""
    attendee_roles: list[RoleWord] = Field(default_factory=list)
    """Only holders of these roles are on the roll; empty = every assessed member of the unit."""
    min_minutes: int = Field(default=60, ge=0)
    min_present_share: float = Field(default=0.8, ge=0, le=1)
    late_after_minutes: int = Field(default=10, ge=0)
    count: int = Field(default=0, ge=0)
    """How many per unit and `per`; 0 = kept and shown, not required."""
    per: PeriodWord = Field(default="month", pattern=f"^({'|'.join(ACTIVITY_PERIODS)})$")
    per_semester: int = Field(default=0, ge=0)
    """Besides `count` per `per`, how many the whole semester needs (seed 000: 每两月至少一次，
    每学期以2次以上为合格); 0 = no semester total."""
    school_roles: list[str] = Field(default_factory=list)
    """With `unit = "school"`: only schools of these roles (base, lead, supported) owe it (seed 000:
    常规诊断 at each 帮扶校); empty = every school."""
    hours: float = Field(default=0, ge=0)
    """学时 credited to each attendee present (0 = none)."""
    hours_category: str = "校本"
    absence_points: float = Field(default=0, le=0)
    """Points for each unexcused absence (0 or negative)."""
    stage: str = ""
    remind_before_minutes: list[int] = Field(default_factory=lambda: [1440, 60])
    close_after_minutes: int = Field(default=120, ge=0)
    """A started activity its host forgot to end is ended this long after its planned end (so a
    check-in the next day is not taken as arriving)."""

    @property
    def words(self) -> tuple[str, ...]:
        return (self.name, *self.keywords)

    def owed_by(self, school_role: str | None) -> bool:
        """Whether a school of this role owes activities of the type (every school, unless named)."""
        return not self.school_roles or school_role in self.school_roles

    @model_validator(mode="after")
    def _known_words(self) -> ActivityRule:
        from bot.domain.hours import category_of

        unknown = set(self.hosts) - set(ACTIVITY_HOST_ROLES)
        if unknown:
            raise ValueError(f"activity hosts are {list(ACTIVITY_HOST_ROLES)}, not {sorted(unknown)}")
        from bot.domain.roles import PERSON_ROLES

        strangers = set(self.attendee_roles) - set(PERSON_ROLES)
        if strangers:
            raise ValueError(f"attendee_roles are among {list(PERSON_ROLES)}, not {sorted(strangers)}")
        if category_of(self.hours_category) is None:
            raise ValueError(f"unknown hours_category {self.hours_category!r} (线上, 校本, 县级, 县级以上)")
        if self.school_roles and self.unit != "school":
            raise ValueError('school_roles only applies to unit = "school"')
        if self.per_semester and self.per == "semester":
            raise ValueError('per_semester is a total besides a shorter `per`; with per = "semester" use count')
        return self

    @field_validator("school_roles")
    @classmethod
    def _school_roles(cls, value: list[str]) -> list[str]:
        """基地校, 引领校, 帮扶校 or base, lead, supported, kept as the latter."""
        from bot.domain.roles import SCHOOL_ROLES, school_role

        odd = [role for role in value if school_role(role) is None]
        if odd:
            raise ValueError(f"school_roles are among {list(SCHOOL_ROLES)} (基地校, 引领校, 帮扶校), not {odd}")
        return [school_role(role) for role in value]


class Stage(Section):
    """A stage of the program (送教下乡: 集中研修, 诊断示范, 研课磨课, 成果展示, 总结提升)."""

    name: str = Field(min_length=2, max_length=20)
    start: date
    end: date
    activities: list[str] = Field(default_factory=list)
    """Activity types expected to be held (ended and counted) in this stage."""

    @model_validator(mode="after")
    def _ordered(self) -> Stage:
        if self.end < self.start:
            raise ValueError(f"stage {self.name} ends before it starts")
        return self


def check_activities(activities: list[ActivityRule], stages: list[Stage]) -> None:
    """Names and keywords tell types apart; stages are in order, apart, and name declared types."""
    words = [word for rule in activities for word in rule.words]
    repeated = sorted({word for word in words if words.count(word) > 1})
    if repeated:
        raise ValueError(f"activity types share the names or keywords {repeated}")
    names = [stage.name for stage in stages]
    if len(names) != len(set(names)):
        raise ValueError("stage names must be unique")
    declared = {rule.name for rule in activities}
    for rule in activities:
        if rule.stage and rule.stage not in names:
            raise ValueError(f"activity {rule.name} names an undeclared stage {rule.stage!r}")
    for stage in stages:
        missing = [name for name in stage.activities if name not in declared]
        if missing:
            raise ValueError(f"stage {stage.name} expects undeclared activity types {missing}")
    for earlier, later in pairwise(stages):
        if later.start <= earlier.end:
            raise ValueError(f"stage {later.name} must start after {earlier.name} ends")


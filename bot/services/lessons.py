"""Lessons (研究课, 公开课, 送教课 …): the grades evaluators gave them, the points those grades earn in
the score (`[reviews] points`), and the semester's list for a coordinator or an evaluator's unit."""

from __future__ import annotations

import math
from datetime import date

from bot.domain.policy import Policy
from bot.domain.record_kinds import lesson_points
from bot.domain.reviews import Unit, reviews
from bot.domain.scoring import ScoreLine
from bot.services.reviews import Reviewer, evaluators
from storage.repositories import Repositories
from storage.reviews import Lesson, Reviews

LINE_KEY = "score_lesson_grades"


def lesson_kinds(policy: Policy) -> list[str]:
    return [kind.name for kind in policy.records.kinds if kind.lesson]


async def lesson_lines(uow: Repositories, policy: Policy, first: date, last: date) -> dict[int, ScoreLine]:
    """Member → the additive 课例评定 line for their graded lessons in [first, last] (only when the
    policy pays points for grades, and only for members whose lessons earned some)."""
    if not policy.reviews.points or not lesson_kinds(policy):
        return {}
    earned: dict[int, list[tuple[str, float]]] = {}
    for lesson in await Reviews(uow.db).lessons(lesson_kinds(policy), first, last):
        grades = [grade for _, grade in lesson.verdicts]
        points = lesson_points(grades, policy.reviews.points)
        if points:
            best = max((g for g in grades if g in policy.reviews.points), key=policy.reviews.points.get)
            title = f"《{lesson.title}》" if lesson.title else lesson.kind
            earned.setdefault(lesson.teacher.member_id, []).append((f"{title}{best}", points))
    return {member_id: ScoreLine(LINE_KEY, math.fsum(p for _, p in found), {"lessons": "、".join(w for w, _ in found)})
            for member_id, found in earned.items()}


async def semester_lessons(uow: Repositories, policy: Policy, viewer: Reviewer) -> list[Lesson]:
    """The semester's lessons a viewer may see: all for a coordinator; for an evaluator, those of the
    members they evaluate that kind for (their workshop, group or apprentices)."""
    store = Reviews(uow.db)
    found = await store.lessons(lesson_kinds(policy), policy.semester.start, policy.semester.end)
    if viewer.organiser:
        return found
    me = await store.unit_of(viewer.member_id) or Unit(viewer.member_id, None, None)
    apprentices = await store.apprentices(viewer.member_id)
    return [lesson for lesson in found
            if reviews(me, viewer.roles, lesson.teacher, apprentices=apprentices, allowed=evaluators(policy, lesson.kind))]

"""Repositories for leave requests and objections to published scores."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import LeaveRequest, Objection


class LeaveRequests:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, request: LeaveRequest) -> LeaveRequest:
        self.session.add(request)
        await self.session.flush()
        return request

    async def get(self, request_id: int) -> LeaveRequest | None:
        return await self.session.get(LeaveRequest, request_id)

    async def pending(self, member_ids: Iterable[int] | None = None) -> list[LeaveRequest]:
        query = select(LeaveRequest).where(LeaveRequest.status == "pending")
        if member_ids is not None:
            query = query.where(LeaveRequest.member_id.in_(list(member_ids)))
        return list(await self.session.scalars(query.order_by(LeaveRequest.id)))

    async def of_member(self, member_id: int) -> list[LeaveRequest]:
        query = select(LeaveRequest).where(LeaveRequest.member_id == member_id).order_by(LeaveRequest.first_day)
        return list(await self.session.scalars(query))

    async def approved_between(self, first: date, last: date) -> dict[int, list[tuple[date, date]]]:
        """Approved leave overlapping first … last, per member: what scoring excuses."""
        rows = await self.session.execute(
            select(LeaveRequest.member_id, LeaveRequest.first_day, LeaveRequest.last_day).where(
                LeaveRequest.status == "approved", LeaveRequest.first_day <= last, LeaveRequest.last_day >= first
            )
        )
        spans: dict[int, list[tuple[date, date]]] = {}
        for member_id, first_day, last_day in rows:
            spans.setdefault(member_id, []).append((first_day, last_day))
        return spans

    async def decide(self, request: LeaveRequest, status: str, actor: str, now: datetime) -> None:
        request.status, request.decided_by, request.decided_at = status, actor[:120], now
        await self.session.flush()


class Objections:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, objection: Objection) -> Objection:
        self.session.add(objection)
        await self.session.flush()
        return objection

    async def get(self, objection_id: int) -> Objection | None:
        return await self.session.get(Objection, objection_id)

    async def open(self, period: str | None = None) -> list[Objection]:
        query = select(Objection).where(Objection.status == "open")
        if period is not None:
            query = query.where(Objection.period == period)
        return list(await self.session.scalars(query.order_by(Objection.id)))

    async def resolve(self, objection: Objection, resolution: str, actor: str, now: datetime) -> None:
        objection.status, objection.resolution = "resolved", resolution[:500]
        objection.resolved_by, objection.resolved_at = actor[:120], now
        await self.session.flush()

"""Program choices (several programs in one deployment): which program a group or a person uses."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ProgramChoice
from storage.repositories import insert_ignoring_conflicts

CHAT, PERSON = "chat", "person"


class ProgramChoices:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, platform: str, scope: str, subject_id: str) -> str | None:
        return await self.session.scalar(select(ProgramChoice.program_key).where(
            ProgramChoice.platform == platform, ProgramChoice.scope == scope, ProgramChoice.subject_id == subject_id))

    async def choose(self, platform: str, scope: str, subject_id: str, key: str, now: datetime, by: str) -> None:
        """Set (or replace) the choice; one statement pair in the caller's transaction."""
        await self.session.execute(delete(ProgramChoice).where(
            ProgramChoice.platform == platform, ProgramChoice.scope == scope, ProgramChoice.subject_id == subject_id))
        await insert_ignoring_conflicts(self.session, ProgramChoice, {
            "platform": platform, "scope": scope, "subject_id": subject_id, "program_key": key,
            "chosen_at": now, "chosen_by": by[:90]})

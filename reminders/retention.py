"""The retention sweep: what a teacher took back is purged once the policy's period has passed.

Runs hourly; each run is one transaction, so a crash mid-run purges nothing or everything it chose.
"""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain.policy import Privacy as PrivacyRules
from bot.kernel.clock import Clock
from bot.services.privacy import Purge, purge_expired
from storage.files import FileStore
from storage.repositories import Repositories

log = logging.getLogger("yanxiu.retention")

SWEEP_SECONDS = 3600


async def purge(
    session_factory: async_sessionmaker[AsyncSession], store: FileStore | None, rules: PrivacyRules, clock: Clock
) -> Purge:
    async with session_factory() as session, session.begin():
        done = await purge_expired(Repositories(session), store, rules, clock.now())
    if done.total:
        log.info(
            "retention purged records=%d revisions=%d handled=%d files=%d blobs=%d",
            done.records, done.revisions, done.handled, done.files, done.blobs,
        )
    return done

"""Kept attachments (type, size, content addressing, orphan sweep) and the retention sweep."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.policy import Files, Privacy
from bot.kernel.dispatcher import UserError
from bot.kernel.messages import Attachment, AttachmentKind
from bot.services.files import Arrival, forget_files, keep_attachment, read_kept, sweep_orphans
from reminders.retention import purge
from storage.files import LocalFileStore
from storage.models import HandledMessage, Record, RecordRevision, StoredFile
from storage.repositories import Repositories

JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + bytes(range(256)) * 4
EXE = b"MZ\x90\x00" + bytes(100)
RULES = Files()


async def keep(chat, store, attachment, rules=RULES):
    async with chat.app.session_factory() as session, session.begin():
        return await keep_attachment(Repositories(session), store, chat.adapter.download, attachment, rules,
                                     Arrival(None, "memory", chat.clock.now()))


async def test_a_photo_is_kept_by_its_bytes_under_a_private_file(chat, tmp_path):
    store = LocalFileStore(tmp_path / "files")
    chat.adapter.files["p1"] = JPEG
    entry = await keep(chat, store, Attachment(AttachmentKind.PHOTO, "p1", "../../etc/passwd", "text/plain"))
    assert entry["mime_type"] == "image/jpeg" and entry["file_name"] == "passwd.jpg"
    [row] = await chat.rows(StoredFile)
    path = store.path_of(row.sha256)
    assert path.read_bytes() == JPEG and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    async with chat.app.session_factory() as session:
        found = await read_kept(Repositories(session), store, entry["file_id"])
    assert found is not None and found[1] == JPEG


async def test_the_same_photo_twice_is_one_blob_removed_only_when_unreferenced(chat, tmp_path):
    store = LocalFileStore(tmp_path / "files")
    chat.adapter.files["p1"] = chat.adapter.files["p2"] = JPEG
    first = await keep(chat, store, Attachment(AttachmentKind.PHOTO, "p1"))
    await keep(chat, store, Attachment(AttachmentKind.PHOTO, "p2"))
    assert len(list((tmp_path / "files").glob("??/*"))) == 1
    later = datetime.now(UTC) + timedelta(hours=1)  # file times are the real clock's
    async with chat.app.session_factory() as session, session.begin():
        await forget_files(Repositories(session), [first["file_id"]])
        assert await sweep_orphans(Repositories(session), store, later) == 0, "the other row still needs it"
    async with chat.app.session_factory() as session, session.begin():
        uow = Repositories(session)
        await forget_files(uow, [row.id for row in await chat.rows(StoredFile)])
        assert await sweep_orphans(uow, store, later) == 1
    assert list((tmp_path / "files").glob("??/*")) == []


@pytest.mark.parametrize(
    ("content", "size", "key"),
    [(EXE, None, "file_type_refused"), (JPEG, 30 * 2**20, "file_too_large")],
)
async def test_refused_files_store_nothing(chat, tmp_path, content, size, key):
    store = LocalFileStore(tmp_path / "files")
    chat.adapter.files["f"] = content
    with pytest.raises(UserError) as refused:
        await keep(chat, store, Attachment(AttachmentKind.DOCUMENT, "f", "a.jpg", size=size))
    assert refused.value.key == key
    assert await chat.rows(StoredFile) == [] and not (tmp_path / "files").exists()


async def test_bytes_beyond_the_limit_are_never_stored_even_when_the_size_was_not_announced(chat, tmp_path):
    store = LocalFileStore(tmp_path / "files")
    chat.adapter.files["big"] = JPEG * 1200  # about 1.2 MB, no size announced by the platform
    entry = await keep(chat, store, Attachment(AttachmentKind.PHOTO, "big"), Files(max_mb=1))
    assert "file_id" not in entry
    assert await chat.rows(StoredFile) == [] and not (tmp_path / "files").exists()


async def test_a_file_the_platform_no_longer_has_keeps_its_reference(chat, tmp_path):
    entry = await keep(chat, LocalFileStore(tmp_path / "files"), Attachment(AttachmentKind.PHOTO, "expired"))
    assert entry["file_ref"] == "expired" and "file_id" not in entry


REFLECTION = (
    "反思：今天《分数的初步认识》一课，我先用分披萨的情境导入，学生兴趣很高，但在比较分数大小时讲得太快，"
    "部分学生没有跟上，下次要多留时间让学生动手操作。"
)


async def test_withdrawn_records_and_old_revisions_are_purged_after_the_retention_period(chat):
    await chat.join("u1", "王芳")
    await chat.one(REFLECTION, user="u1")
    await chat.one(REFLECTION.replace("今天", "昨天"), user="u1")
    await chat.one(f"/edit 2 {REFLECTION[3:]}补充。", user="u1")
    await chat.one("/delete 1", user="u1")
    rules = Privacy(withdrawn_days=30, revision_days=30, handled_days=14)
    store = chat.app.dispatcher.files

    chat.clock.advance(days=29)
    done = await purge(chat.app.session_factory, store, rules, chat.clock)
    assert (done.records, done.revisions) == (0, 0)
    assert len(await chat.rows(Record)) == 2 and len(await chat.rows(RecordRevision)) == 1
    assert done.handled > 0, "remembered replies go after 14 days"

    chat.clock.advance(days=2)
    done = await purge(chat.app.session_factory, store, rules, chat.clock)
    assert (done.records, done.revisions) == (1, 1)
    [kept] = await chat.rows(Record)
    assert kept.id == 2 and kept.withdrawn_at is None
    assert await chat.rows(RecordRevision) == [] and await chat.rows(HandledMessage) == []


async def test_files_of_a_record_are_kept_after_it_is_stored_and_erased_with_her(chat):
    from reminders.files import keep_files
    from storage.models import Record as RecordRow

    chat.adapter.files.update({"photo-1": JPEG, "tool.exe": EXE})
    await chat.join("u1", "王芳")
    photo = Attachment(AttachmentKind.PHOTO, "photo-1")
    program = Attachment(AttachmentKind.DOCUMENT, "tool.exe", "教案.docx")
    await chat.one(REFLECTION, user="u1", attachments=(photo, program))
    store, download = chat.app.dispatcher.files, chat.adapter.download
    kept = await keep_files(chat.app.session_factory, store, download, RULES, chat.clock)
    assert kept == 1
    [record] = await chat.rows(RecordRow)
    first, second = record.attachments
    assert first["mime_type"] == "image/jpeg" and isinstance(first["file_id"], int)
    assert second["kept"] is False and second["refused"] == "file_type_refused"
    [row] = await chat.rows(StoredFile)
    assert await store.get(row.sha256) == JPEG
    chat.adapter.files.clear()  # the platform's link expired: the kept copy is what remains
    assert await keep_files(chat.app.session_factory, store, download, RULES, chat.clock) == 0

    await chat.one("/forgetme", user="u1", private=True)
    await chat.one("/confirm", user="u1", private=True)
    assert await chat.rows(StoredFile) == []
    async with chat.app.session_factory() as session, session.begin():
        await sweep_orphans(Repositories(session), store, datetime.now(UTC) + timedelta(hours=1))
    assert await store.get(row.sha256) is None

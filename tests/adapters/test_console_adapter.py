"""The console adapter's `:file` downloads and its printed buttons, without the rest of the bot."""

from __future__ import annotations

import io

import pytest

from bot.kernel.adapter import FileUnavailable
from bot.adapters.console import ConsoleAdapter
from bot.kernel.messages import (
    AttachmentKind,
    Button,
    ChatKind,
    ChatRef,
    IncomingMessage,
    OutgoingMessage,
)

ROSTER = "姓名,学校\n王芳,紫阳县第二小学\n".encode()


async def read_script(script: str) -> tuple[ConsoleAdapter, list[IncomingMessage], str]:
    out = io.StringIO()
    adapter = ConsoleAdapter(stdin=io.StringIO(script), stdout=out, interactive=False)
    received: list[IncomingMessage] = []

    async def collect(message: IncomingMessage) -> None:
        received.append(message)

    await adapter.run(collect)
    return adapter, received, out.getvalue()


async def test_a_file_given_by_an_existing_relative_path_can_be_downloaded(tmp_path, monkeypatch):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "名单.csv").write_bytes(ROSTER)
    monkeypatch.chdir(tmp_path)
    adapter, [message], _ = await read_script(":file data/名单.csv /roster\n")
    [attachment] = message.attachments
    assert message.text == "/roster"
    assert attachment.kind is AttachmentKind.DOCUMENT
    assert attachment.file_name == "名单.csv" and attachment.size == len(ROSTER)
    assert attachment.mime_type == "text/csv"
    assert attachment.file_ref == f"console-file:{(tmp_path / 'data' / '名单.csv').resolve()}"
    monkeypatch.chdir("/")  # the reference holds the absolute path
    assert await adapter.download(attachment, max_bytes=len(ROSTER)) == ROSTER
    with pytest.raises(FileUnavailable):
        await adapter.download(attachment, max_bytes=len(ROSTER) - 1)


async def test_an_absolute_path_works_too(tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(b"PK\x03\x04")
    adapter, [message], _ = await read_script(f":file {path}\n")
    [attachment] = message.attachments
    assert message.text == "" and attachment.file_name == "roster.xlsx"
    assert await adapter.download(attachment, max_bytes=1000) == b"PK\x03\x04"


async def test_a_name_that_is_no_file_here_is_only_simulated(tmp_path, monkeypatch):
    (tmp_path / "folder").mkdir()
    monkeypatch.chdir(tmp_path)
    adapter, messages, _ = await read_script(":file 反思.docx 本月反思\n:file folder\n:file sub/教案.pdf\n")
    names = [m.attachments[0].file_name for m in messages]
    assert names == ["反思.docx", "folder", "教案.pdf"]
    assert messages[0].text == "本月反思"
    for message in messages:
        with pytest.raises(FileUnavailable):
            await adapter.download(message.attachments[0], max_bytes=10_000)


async def test_a_file_removed_after_sending_is_unavailable(tmp_path):
    path = tmp_path / "名单.csv"
    path.write_bytes(ROSTER)
    adapter, [message], _ = await read_script(f":file {path}\n")
    path.unlink()
    with pytest.raises(FileUnavailable):
        await adapter.download(message.attachments[0], max_bytes=10_000)


async def test_photos_cannot_be_downloaded():
    adapter, [message], _ = await read_script(":photo 课堂照片\n")
    with pytest.raises(FileUnavailable):
        await adapter.download(message.attachments[0], max_bytes=10_000)


async def test_buttons_are_printed_after_the_text():
    out = io.StringIO()
    adapter = ConsoleAdapter(stdin=io.StringIO(""), stdout=out, interactive=False)
    buttons = (Button("确认导入", "/confirm"), Button("取消", "/cancel"))
    group = ChatRef("console", "group", ChatKind.GROUP, "校本研修群")
    await adapter.send(OutgoingMessage(group, "导入 2 人？发送 /confirm 或“确认”", buttons=buttons))
    await adapter.send(OutgoingMessage(group, "好的"))
    assert out.getvalue().splitlines() == [
        "🤖 [校本研修群] 导入 2 人？发送 /confirm 或“确认”",
        "   [确认导入 → /confirm] [取消 → /cancel]",
        "🤖 [校本研修群] 好的",
    ]

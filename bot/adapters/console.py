"""The local chat: type as any teacher or coordinator, in a group or a private chat.

Lines starting with `:` control the simulation (who speaks, in which chat, attach a photo or file);
everything else is a message to the bot. When stdin is not a terminal it reads a script, one
message a line, and echoes each line so the transcript reads like a chat.
"""

from __future__ import annotations

import asyncio
import mimetypes
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from bot.kernel.adapter import Adapter, Capabilities, FileUnavailable, MessageCallback
from bot.kernel.lanes import ChatLanes
from bot.kernel.messages import (
    Attachment,
    AttachmentKind,
    ChatKind,
    ChatRef,
    IncomingMessage,
    OutgoingMessage,
    Sender,
)

PLATFORM = "console"
FILE_REF_PREFIX = "console-file:"
COORDINATOR_ID = "coordinator"
GROUP_ID = "group"

HELP = """\
控制命令（以冒号开头，不会发给机器人）：
  :as <用户> [显示名]   换一个人说话，例如 :as teacher2 李明；:as coordinator 是项目管理员
  :group [群名]         回到模拟的学校群（默认“校本研修群”）
  :private              切换到与机器人的私聊
  :photo [说明文字]     发送一张图片（可带说明文字）
  :file <文件名> [说明]  发送一个文件，例如 :file 反思.docx 本月反思
                        （给出本机上存在的路径时，机器人能读到文件内容，例如 :file ./名单.csv）
  :who                  现在是谁在哪个聊天里说话
  行尾加 \\              接着输入下一行：几行合成一条消息（接龙、听课记录表）
  :quit                 退出
其他内容都会作为消息发给机器人，例如 /start、/join 王芳 紫阳县第二小学、签到、/me"""


@dataclass
class ConsoleState:
    user_id: str = "teacher1"
    display_name: str = "王芳"
    chat_kind: ChatKind = ChatKind.GROUP
    group_title: str = "校本研修群"
    counter: int = field(default=0)

    def chat(self) -> ChatRef:
        if self.chat_kind is ChatKind.PRIVATE:
            return ChatRef(PLATFORM, self.user_id, ChatKind.PRIVATE, self.display_name)
        return ChatRef(PLATFORM, GROUP_ID, ChatKind.GROUP, self.group_title)

    def prompt(self) -> str:
        where = "私聊" if self.chat_kind is ChatKind.PRIVATE else self.group_title
        return f"{self.display_name}@{where}> "


class ConsoleAdapter(Adapter):
    platform = PLATFORM
    capabilities = Capabilities(max_text_length=4096, reactions=True)
    implicit_admins = frozenset({(PLATFORM, COORDINATOR_ID)})

    def __init__(
        self,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        interactive: bool | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.interactive = self.stdin.isatty() if interactive is None else interactive
        self.state = ConsoleState()
        self._now = now or (lambda: datetime.now(UTC))
        self._stopped = False

    async def run(self, on_message: MessageCallback) -> None:
        """One person types, so each line waits for its answer before the next prompt (the lane
        keeps the shape every adapter shares)."""
        lanes: ChatLanes[IncomingMessage] = ChatLanes(on_message)
        if self.interactive:
            self._print("研修助手 · 本地控制台。输入 :help 查看控制命令，:quit 退出。")
        while not self._stopped:
            line = await self._read_line()
            if line is None:
                break
            line = line.rstrip("\r\n")
            if not self.interactive:
                self._print(f"{self.state.prompt()}{line}")
            line = await self._continued(line)
            if not line.strip():
                continue
            message = self._control(line) if line.startswith(":") else self._message(line)
            if message is not None:
                await lanes.submit(message.chat.chat_id, message)

    async def _continued(self, line: str) -> str:
        """A line ending in a backslash goes on with the next one: one message of several lines."""
        while line.endswith("\\"):
            more = await self._read_line()
            if more is None:
                break
            more = more.rstrip("\r\n")
            if not self.interactive:
                self._print(f"… {more}")
            line = line[:-1] + "\n" + more
        return line

    async def stop(self) -> None:
        self._stopped = True

    async def send(self, message: OutgoingMessage) -> str | None:
        if message.chat.kind is ChatKind.PRIVATE:
            where = f"私聊 {message.chat.chat_id}"
        else:
            where = message.chat.title or self.state.group_title
        mention = f"@{message.mention_user_id} " if message.mention_user_id else ""
        attached = f"\n   📎 {message.file.file_name}" if message.file else ""
        buttons = " ".join(f"[{button.label} → {button.command}]" for button in message.buttons)
        pressable = f"\n   {buttons}" if buttons else ""
        self._print(f"🤖 [{where}] {mention}{message.text}{attached}{pressable}")
        return None

    async def react(self, chat: ChatRef, message_id: str, emoji: str) -> None:
        where = "私聊" if chat.kind is ChatKind.PRIVATE else chat.title or self.state.group_title
        self._print(f"🤖 [{where}] {emoji}")

    async def download(self, attachment: Attachment, max_bytes: int) -> bytes:
        """Read the local file a `:file` line named; a name that was no existing path has no content."""
        if not attachment.file_ref.startswith(FILE_REF_PREFIX):
            raise FileUnavailable(f"{attachment.file_ref} is not a local file")
        path = Path(attachment.file_ref.removeprefix(FILE_REF_PREFIX))
        try:
            size = path.stat().st_size
            if not path.is_file():
                raise FileUnavailable(f"{path} is not a file")
            if size > max_bytes:
                raise FileUnavailable(f"{path} is {size} bytes, more than {max_bytes}")
            content = await asyncio.to_thread(path.read_bytes)
        except OSError as error:
            raise FileUnavailable(f"cannot read {path}: {error}") from error
        if len(content) > max_bytes:
            raise FileUnavailable(f"{path} is {len(content)} bytes, more than {max_bytes}")
        return content

    def _control(self, line: str) -> IncomingMessage | None:
        verb, _, rest = line[1:].partition(" ")
        rest = rest.strip()
        state = self.state
        if verb == "as" and rest:
            user_id, _, name = rest.partition(" ")
            state.user_id, state.display_name = user_id, name.strip() or user_id
        elif verb == "group":
            state.chat_kind = ChatKind.GROUP
            state.group_title = rest or state.group_title
        elif verb == "private":
            state.chat_kind = ChatKind.PRIVATE
        elif verb == "photo":
            return self._message(rest, Attachment(AttachmentKind.PHOTO, f"console-photo-{self._next_id()}"))
        elif verb == "file" and rest:
            name, _, caption = rest.partition(" ")
            return self._message(caption.strip(), self._file_attachment(name))
        elif verb == "who":
            self._print(f"（{state.prompt().rstrip('> ')}，用户 id：{state.user_id}）")
        elif verb in {"quit", "exit", "q"}:
            self._stopped = True
        else:
            self._print(HELP)
        return None

    def _file_attachment(self, name: str) -> Attachment:
        """A document; when `name` is an existing path (relative to the working directory) it can be downloaded."""
        file_name = Path(name).name or name
        try:
            path = Path(name).expanduser().resolve()
            if path.is_file():
                mime_type, _ = mimetypes.guess_type(file_name)
                return Attachment(
                    AttachmentKind.DOCUMENT, f"{FILE_REF_PREFIX}{path}", file_name, mime_type, path.stat().st_size
                )
        except OSError:
            pass
        return Attachment(AttachmentKind.DOCUMENT, f"console-file-{self._next_id()}", file_name)

    def _message(self, text: str, attachment: Attachment | None = None) -> IncomingMessage:
        return IncomingMessage(
            chat=self.state.chat(),
            sender=Sender(self.state.user_id, self.state.display_name),
            message_id=self._next_id(),
            text=text,
            sent_at=self._now(),
            attachments=(attachment,) if attachment else (),
        )

    def _next_id(self) -> str:
        """Unique across runs, so a new console session never looks like a redelivery."""
        self.state.counter += 1
        return f"{time.time_ns()}-{self.state.counter}"

    async def _read_line(self) -> str | None:
        if self.interactive:
            try:
                return await asyncio.to_thread(input, self.state.prompt())
            except EOFError:
                return None
        line = await asyncio.to_thread(self.stdin.readline)
        return line or None

    def _print(self, text: str) -> None:
        print(text, file=self.stdout, flush=True)

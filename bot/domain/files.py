"""What a received file really is, judged by its first bytes, and whether the program keeps it.

A platform's MIME type and the file's name are whatever the sender's phone said; the store keeps a
file only when its own bytes say it is one of the kinds the policy accepts.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.text import clean_text

KINDS = ("image", "pdf", "office", "text", "audio", "video", "archive")


@dataclass(frozen=True)
class Sniffed:
    kind: str
    """One of KINDS, or "unknown"."""
    mime_type: str
    extension: str


_SIGNATURES: tuple[tuple[bytes, int, Sniffed], ...] = (
    (b"\xff\xd8\xff", 0, Sniffed("image", "image/jpeg", "jpg")),
    (b"\x89PNG\r\n\x1a\n", 0, Sniffed("image", "image/png", "png")),
    (b"GIF87a", 0, Sniffed("image", "image/gif", "gif")),
    (b"GIF89a", 0, Sniffed("image", "image/gif", "gif")),
    (b"BM", 0, Sniffed("image", "image/bmp", "bmp")),
    (b"%PDF-", 0, Sniffed("pdf", "application/pdf", "pdf")),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 0, Sniffed("office", "application/x-ole-storage", "doc")),
    (b"#!AMR", 0, Sniffed("audio", "audio/amr", "amr")),
    (b"#!SILK", 1, Sniffed("audio", "audio/silk", "silk")),
    (b"ID3", 0, Sniffed("audio", "audio/mpeg", "mp3")),
    (b"OggS", 0, Sniffed("audio", "audio/ogg", "ogg")),
    (b"\x1f\x8b", 0, Sniffed("archive", "application/gzip", "gz")),
    (b"Rar!", 0, Sniffed("archive", "application/vnd.rar", "rar")),
    (b"7z\xbc\xaf\x27\x1c", 0, Sniffed("archive", "application/x-7z-compressed", "7z")),
)
_OOXML = {"word/": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
          "xl/": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
          "ppt/": ("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation")}
UNKNOWN = Sniffed("unknown", "application/octet-stream", "bin")


def sniff(content: bytes) -> Sniffed:
    """The kind of a file from its bytes alone."""
    head = content[:64]
    for signature, offset, found in _SIGNATURES:
        if head[offset:offset + len(signature)] == signature:
            return found
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Sniffed("image", "image/webp", "webp")
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return Sniffed("audio", "audio/wav", "wav")
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"msf1", b"avif"):
            return Sniffed("image", "image/heic", "heic")
        if brand.startswith(b"M4A"):
            return Sniffed("audio", "audio/mp4", "m4a")
        return Sniffed("video", "video/mp4", "mp4")
    if head[:4] == b"PK\x03\x04":
        return _zip_kind(content)
    if _is_text(content):
        return Sniffed("text", "text/plain", "txt")
    return UNKNOWN


def _zip_kind(content: bytes) -> Sniffed:
    """OOXML documents are ZIP files whose member names say which application wrote them."""
    window = content[:65536]
    for prefix, (extension, mime) in _OOXML.items():
        if prefix.encode() in window:
            return Sniffed("office", mime, extension)
    return Sniffed("archive", "application/zip", "zip")


def _is_text(content: bytes) -> bool:
    sample = content[:4096]
    if not sample or b"\x00" in sample:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            sample.decode(encoding)
            return True
        except UnicodeDecodeError as problem:
            if problem.start > len(sample) - 4:  # a character cut by the sample's end
                return True
    return False


def safe_file_name(name: str | None, sniffed: Sniffed, fallback: str = "附件") -> str:
    """A name to show and send back: cleaned, no path, at most 120 characters, an honest extension."""
    cleaned = clean_text(name or "").replace("\n", " ").replace("\t", " ")
    cleaned = cleaned.replace("\\", "/").rsplit("/", 1)[-1].strip(" .") or fallback
    stem, dot, extension = cleaned.rpartition(".")
    if not dot or not stem:
        stem, extension = cleaned, ""
    honest = extension.lower() == sniffed.extension or _same_family(extension, sniffed)
    if sniffed.kind == "unknown":
        extension = extension or sniffed.extension
    elif not honest:
        extension = sniffed.extension
    return f"{stem[:110]}.{extension[:8]}"


def _same_family(extension: str, sniffed: Sniffed) -> bool:
    """`jpeg` for a JPEG and `xls` for an OLE file are honest names too."""
    families = {"jpg": {"jpeg", "jpe"}, "doc": {"xls", "ppt", "wps", "et", "dps"}, "txt": {"csv", "md", "tsv"},
                "mp4": {"mov", "m4v"}, "heic": {"heif", "avif"}, "zip": set()}
    return extension.lower() in families.get(sniffed.extension, set())

"""Attachments: what a file may be, decided in one place, and how it is stored.

A file's type is read from its bytes (`filetype`), never from its name or the type its sender claims: both are
chosen by whoever sends it. What may be attached (ALLOWED): images (PNG, JPEG, GIF, WebP), PDF, plain text and CSV,
ZIP, and office documents (Word, Excel, PowerPoint, OpenDocument). Refused, each with a message that says why:
an empty file, a file over ATTACHMENT_MAX_BYTES, more than ATTACHMENT_MAX_FILES files or ATTACHMENT_MAX_TOTAL_BYTES
in one message, any other type (programs, HTML, SVG, scripts...), and a file whose name says another type than its
bytes (`photo.png` holding a web page, `invoice.exe` holding a PNG): renaming it is the sender's decision, not ours.
Only the images may ever be shown inline (`is_inline`); everything else is served as a download.

Every action that takes `attachments=` (inbox.actions, tickets.actions) checks them all with `check_files` before
it writes anything, so that one refused file refuses the whole message; then `store_files` writes the files just
before the action inserts their rows, in its transaction. The email parser passes IncomingFile values, the browser's
uploads become the same through `incoming_uploads`.
"""

import re
import unicodedata
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from helpdesk.errors import InvalidInput
from inbox.models import StoredAttachment, attachment_storage

FIELD = "attachments"  # the form field the messages are shown at


@dataclass(frozen=True, slots=True)
class IncomingFile:
    """A file as it arrives, from a browser or an email: its name and the type its sender claims (both only
    hints, never trusted), and its bytes."""

    name: str
    content_type: str
    content: bytes


@dataclass(frozen=True, slots=True)
class FileType:
    label: str  # for people: "a PNG image"
    extensions: tuple[str, ...]  # the first one is given to a name without any
    inline: bool = False


ALLOWED: dict[str, FileType] = {
    "image/png": FileType("a PNG image", ("png",), inline=True),
    "image/jpeg": FileType("a JPEG image", ("jpg", "jpeg", "jpe", "jfif"), inline=True),
    "image/gif": FileType("a GIF image", ("gif",), inline=True),
    "image/webp": FileType("a WebP image", ("webp",), inline=True),
    "application/pdf": FileType("a PDF document", ("pdf",)),
    "text/plain": FileType("a text file", ("txt", "text", "log", "md")),
    "text/csv": FileType("a CSV file", ("csv",)),
    "application/zip": FileType("a ZIP archive", ("zip",)),
    "application/msword": FileType("a Word document", ("doc",)),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": FileType("a Word document", ("docx",)),
    "application/vnd.ms-excel": FileType("an Excel spreadsheet", ("xls",)),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": FileType("an Excel spreadsheet", ("xlsx",)),
    "application/vnd.ms-powerpoint": FileType("a PowerPoint presentation", ("ppt",)),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": FileType(
        "a PowerPoint presentation", ("pptx",)
    ),
    "application/vnd.oasis.opendocument.text": FileType("an OpenDocument text", ("odt",)),
    "application/vnd.oasis.opendocument.spreadsheet": FileType("an OpenDocument spreadsheet", ("ods",)),
    "application/vnd.oasis.opendocument.presentation": FileType("an OpenDocument presentation", ("odp",)),
}
WHAT_MAY_BE_ATTACHED = (
    "You can attach images (PNG, JPEG, GIF, WebP), PDFs, text and CSV files, ZIP archives and office documents."
)
# Text that starts as markup, or holds a script or an SVG anywhere, is a web page whatever its name says.
MARKUP = re.compile(rb"\A\s*<|<\s*(script|svg|html|iframe|object|embed)\b", re.IGNORECASE)
# C0 control characters other than tab, line feed, form feed and carriage return: not text.
CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")
UNSAFE_IN_NAMES = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
NAME_STEM_MAX = 120


@dataclass(frozen=True, slots=True)
class CheckedFile:
    """A file `check_files` accepted: a safe name, its type as read from its bytes, the bytes."""

    name: str
    content_type: str
    content: bytes

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A file in the attachments storage (`file` is its storage name), ready to be a row of any attachment model.
    A cross-posted note's files are the same stored files, with rows of their own (tickets.handlers)."""

    file: str
    name: str
    content_type: str
    size: int

    @classmethod
    def of(cls, attachment: StoredAttachment) -> "StoredFile":
        return cls(attachment.file.name or "", attachment.name, attachment.content_type, attachment.size)

    def fields(self) -> dict[str, object]:
        return {"file": self.file, "name": self.name, "content_type": self.content_type, "size": self.size}


def refuse(message: str) -> InvalidInput:
    return InvalidInput(message, {FIELD: [message]})


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")


def check_count(count: int) -> None:
    if count > settings.ATTACHMENT_MAX_FILES:
        raise refuse(f"You can attach at most {settings.ATTACHMENT_MAX_FILES} files to one message ({count} chosen).")


def check_size(name: str, size: int) -> None:
    if size == 0:
        raise refuse(f"“{name}” is empty.")
    if size > settings.ATTACHMENT_MAX_BYTES:
        raise refuse(
            f"“{name}” is {megabytes(size)}; each file can be at most {megabytes(settings.ATTACHMENT_MAX_BYTES)}."
        )


def check_total(total: int) -> None:
    if total > settings.ATTACHMENT_MAX_TOTAL_BYTES:
        limit = megabytes(settings.ATTACHMENT_MAX_TOTAL_BYTES)
        raise refuse(f"These files add up to {megabytes(total)}; one message can carry at most {limit}.")


def incoming_uploads(uploads: Iterable[UploadedFile]) -> list[IncomingFile]:
    """A browser's uploads as IncomingFile values. Refuses too many or too large ones by their sizes, before any of
    them is read into memory (the rest is checked by `check_files`)."""
    uploads = list(uploads)
    check_count(len(uploads))
    for upload in uploads:
        check_size(upload.name or "file", upload.size or 0)
    check_total(sum(upload.size or 0 for upload in uploads))
    return [IncomingFile(upload.name or "", upload.content_type or "", upload.read()) for upload in uploads]


def check_files(files: Sequence[IncomingFile]) -> list[CheckedFile]:
    """Every file checked, or InvalidInput (with its message at the `attachments` field) for the first refused one,
    before anything is written. Writes nothing."""
    check_count(len(files))
    checked = [check_file(incoming) for incoming in files]
    check_total(sum(file.size for file in checked))
    return checked


def check_file(incoming: IncomingFile) -> CheckedFile:
    name = safe_name(incoming.name)
    check_size(name, len(incoming.content))
    # The claimed type is not read: browsers and mail programs claim one from the name (a CSV is `text/csv` here,
    # `application/vnd.ms-excel` there), so it says no more than the name, which is checked below.
    content_type = sniff(name, incoming.content)
    file_type = ALLOWED[content_type]
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem:
        return CheckedFile(f"{name}.{file_type.extensions[0]}", content_type, incoming.content)
    if extension.lower() not in file_type.extensions:
        raise refuse(
            f"“{name}” is {file_type.label}, but its name ends in .{extension}: rename it to end in "
            f".{file_type.extensions[0]} and attach it again."
        )
    return CheckedFile(name, content_type, incoming.content)


# Office documents are containers: a ZIP (Office Open XML, OpenDocument) or an OLE compound file (Word, Excel and
# PowerPoint before 2007). `filetype` tells them apart by what it finds inside, which some writers order otherwise
# (a .docx read as a plain ZIP, an .xls as a Word file): a container of the right kind named as one of its documents
# is that document. Either way it is only ever downloaded, never shown.
ZIP_DOCUMENTS = {"docx", "xlsx", "pptx", "odt", "ods", "odp"}
OLE_DOCUMENTS = {"doc", "xls", "ppt"}
OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
BY_EXTENSION = {extension: mime for mime, file_type in ALLOWED.items() for extension in file_type.extensions}


def sniff(name: str, content: bytes) -> str:
    """The file's type from its bytes, one of ALLOWED; InvalidInput for anything else."""
    kind = filetype.guess(content)
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    if extension in OLE_DOCUMENTS and content.startswith(OLE_HEADER):
        return BY_EXTENSION[extension]
    if extension in ZIP_DOCUMENTS and kind is not None and kind.mime in ("application/zip", BY_EXTENSION[extension]):
        return BY_EXTENSION[extension]
    if kind is not None:
        if kind.mime not in ALLOWED:
            raise refuse(
                f"“{name}” is a {kind.extension.upper()} file ({kind.mime}), which cannot be attached. "
                + WHAT_MAY_BE_ATTACHED
            )
        return kind.mime
    if CONTROL.search(content):
        raise refuse(f"“{name}” is not a type of file that can be attached. {WHAT_MAY_BE_ATTACHED}")
    if MARKUP.search(content[:65536]):
        raise refuse(
            f"“{name}” is a web page or an image made of markup (HTML, SVG, XML or script), which cannot be "
            f"attached. {WHAT_MAY_BE_ATTACHED}"
        )
    return "text/csv" if name.lower().endswith(".csv") else "text/plain"


def safe_name(name: str) -> str:
    """The name to show and to download as: its last path segment, without control or path characters, at most
    NAME_STEM_MAX characters before its extension; `file` when nothing is left."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = " ".join(UNSAFE_IN_NAMES.sub(" ", name).split()).strip(" .")
    stem, dot, extension = name.rpartition(".")
    if dot and stem and len(extension) <= 10:
        return f"{stem[:NAME_STEM_MAX].rstrip(' .')}.{extension}"
    return name[:NAME_STEM_MAX].rstrip(" .") or "file"


def is_inline(content_type: str) -> bool:
    """Whether a file of this (stored, sniffed) type may be shown in the page: the allowed images only."""
    file_type = ALLOWED.get(content_type)
    return bool(file_type and file_type.inline)


def store_files(files: Sequence[CheckedFile]) -> list[StoredFile]:
    """Write checked files to the attachments storage under random names (never the sender's). Called by an
    action inside its transaction, just before it inserts their rows: if the transaction then fails, a file may
    stay without a row, never a row without its file."""
    storage = attachment_storage()
    month = timezone.now().strftime("%Y/%m")
    return [
        StoredFile(
            storage.save(
                f"{month}/{uuid.uuid4().hex}.{ALLOWED[file.content_type].extensions[0]}", ContentFile(file.content)
            ),
            file.name,
            file.content_type,
            file.size,
        )
        for file in files
    ]

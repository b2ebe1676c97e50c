"""Files for the attachment tests: real (tiny) PNG and PDF bytes, and IncomingFile values of them."""

import struct
import zlib

from inbox.attachments import IncomingFile


def png_bytes(width: int = 2, height: int = 2, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A valid PNG of one colour, which a browser can draw."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def pdf_bytes(text: str = "Invoice") -> bytes:
    """Enough of a PDF for its type to be read from its bytes, with `text` in it."""
    return f"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% {text}\ntrailer << /Root 1 0 R >>\n%%EOF\n".encode()


def png(name: str = "photo.png", **kwargs) -> IncomingFile:
    return IncomingFile(name, "image/png", png_bytes(**kwargs))


def pdf(name: str = "invoice.pdf", text: str = "Invoice") -> IncomingFile:
    return IncomingFile(name, "application/pdf", pdf_bytes(text))


def text(name: str = "notes.txt", content: str = "Some notes.") -> IncomingFile:
    return IncomingFile(name, "text/plain", content.encode())

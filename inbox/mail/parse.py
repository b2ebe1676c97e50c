"""Reading one inbound message: who wrote, what they wrote (quoted history and signature trimmed), how it threads,
and whether it is noise (an auto-reply, a bounce). Pure functions of the raw bytes; nothing here touches the database.
"""

import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr

import nh3

from inbox.attachments import IncomingFile

MAX_BODY = 20_000  # characters of a part's text (inbox.actions.MAX_BODY_LENGTH may be lower: trimmed to it)
REPLY_TOKEN = re.compile(r"^reply\+([a-z0-9]{8,32})@", re.IGNORECASE)
MESSAGE_ID = re.compile(r"<[^<>\s]{1,900}>")


@dataclass(kw_only=True)
class ParsedEmail:
    sender: str  # the From address, lower-cased; "" when it has none
    sender_name: str
    subject: str
    message_id: str
    # Message-IDs this one answers (In-Reply-To, then References newest first), and reply tokens it was sent to.
    thread_ids: list[str] = field(default_factory=list)
    reply_tokens: list[str] = field(default_factory=list)
    text: str = ""
    html: str = ""  # sanitised (nh3)
    files: list[IncomingFile] = field(default_factory=list)
    noise: str = ""  # why it must open nothing: "auto-reply", "bounce"
    bounced_addresses: list[str] = field(default_factory=list)


def parse_email(raw: bytes, *, envelope_from: str = "", envelope_to: list[str] | None = None) -> ParsedEmail:
    """Read a raw message. Never raises on malformed MIME or unknown charsets: what cannot be decoded is replaced."""
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    name, sender = parseaddr(_header(message, "From"))
    recipients = [address for _, address in getaddresses(_headers(message, "To", "Cc", "Delivered-To"))]
    tokens = [
        match.group(1).lower()
        for address in [*(envelope_to or []), *recipients]
        if (match := REPLY_TOKEN.match(address))
    ]
    parsed = ParsedEmail(
        sender=sender.lower() if "@" in sender else "",
        sender_name=name.strip()[:200],
        subject=" ".join(_header(message, "Subject").split())[:200],
        message_id=next(iter(_message_ids(_header(message, "Message-ID"))), ""),
        thread_ids=_message_ids(_header(message, "In-Reply-To")) + _message_ids(_header(message, "References"))[::-1],
        reply_tokens=list(dict.fromkeys(tokens)),
    )
    parsed.noise = noise(message, envelope_from=envelope_from)
    if parsed.noise == "bounce":
        parsed.bounced_addresses = bounced_addresses(message)
        return parsed
    text, html = _bodies(message)
    parsed.html = nh3.clean(html) if html else ""
    parsed.text = trim_reply(text if text.strip() else html_to_text(html))[:MAX_BODY]
    parsed.files = _files(message)
    return parsed


def noise(message: Message, *, envelope_from: str = "") -> str:
    """Why a message must never open a conversation nor get an answer (RFC 3834 and the headers mailers really send),
    or "" for mail a person wrote."""
    content_type = message.get_content_type()
    report_type = str(message.get_param("report-type", "") or "").lower()
    if content_type == "multipart/report" and report_type == "delivery-status":
        return "bounce"
    sender = parseaddr(_header(message, "From"))[1].lower()
    if envelope_from == "<>" or sender.split("@")[0] in {"mailer-daemon", "postmaster"}:
        return "bounce"
    auto_submitted = _header(message, "Auto-Submitted").strip().lower()
    if auto_submitted and auto_submitted != "no":
        return "auto-reply"
    if (
        _header(message, "X-Autoreply")
        or _header(message, "X-Autorespond")
        or _header(message, "X-Auto-Response-Suppress")
    ):
        return "auto-reply"
    if _header(message, "Precedence").strip().lower() in {"bulk", "junk", "list", "auto_reply"}:
        return "auto-reply"
    if _header(message, "List-Id") or _header(message, "List-Unsubscribe"):
        return "auto-reply"
    return ""


def bounced_addresses(message: Message) -> list[str]:
    """The recipients a delivery-status report says failed (RFC 3464 Final-Recipient), else those of the returned
    message's To header."""
    found: list[str] = []
    for part in message.walk():
        if part.get_content_type() == "message/delivery-status":
            blocks = part.get_payload()
            for block in blocks if isinstance(blocks, list) else []:
                if not isinstance(block, Message):
                    continue
                recipient = str(block.get("Final-Recipient", "") or block.get("Original-Recipient", ""))
                action = str(block.get("Action", "failed")).strip().lower()
                if ";" in recipient and action == "failed":
                    found.append(recipient.split(";", 1)[1].strip().lower())
        elif part.get_content_type() in {"message/rfc822", "text/rfc822-headers"} and not found:
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if isinstance(inner, Message):
                found += [address.lower() for _, address in getaddresses(_headers(inner, "To"))]
    return [address for address in dict.fromkeys(found) if "@" in address]


QUOTE_HEADERS = re.compile(
    r"^(On .{1,300} wrote:|Le .{1,300} a écrit :|Am .{1,300} schrieb .{1,200}:|-{2,}\s*Original Message\s*-{2,}"
    r"|_{10,}|From: .+|De : .+|Von: .+)\s*$",
    re.IGNORECASE,
)
SIGNATURE = re.compile(r"^(-- ?|Sent from my .+|Get Outlook for .+)$")


def trim_reply(text: str) -> str:
    """The new text of a reply: cut at the first quoted-history header or signature delimiter, and drop the
    trailing quoted (`>`) lines."""
    kept: list[str] = []
    lines = text.replace("\r\n", "\n").split("\n")
    for index, line in enumerate(lines):
        stripped = line.strip()
        joined = " ".join(part.strip() for part in lines[index : index + 2])  # "On ... <x@y>\n wrote:"
        if kept and (QUOTE_HEADERS.match(stripped) or (stripped.startswith("On ") and QUOTE_HEADERS.match(joined))):
            break
        if SIGNATURE.match(line.rstrip()) and kept:
            break
        kept.append(line.rstrip())
    while kept and (not kept[-1].strip() or kept[-1].lstrip().startswith(">")):
        kept.pop()
    trimmed = "\n".join(kept).strip()
    return trimmed or text.strip()


BLOCK_END = re.compile(r"</(p|div|li|tr|h[1-6]|blockquote)>|<br\s*/?>", re.IGNORECASE)


def html_to_text(html: str) -> str:
    """The text of an HTML-only message: tags removed by nh3 (an allow-list of none), block ends as line breaks."""
    import html as html_module

    text = nh3.clean(BLOCK_END.sub("\n", html), tags=set())
    return re.sub(r"\n{3,}", "\n\n", html_module.unescape(text)).strip()


def _bodies(message: EmailMessage) -> tuple[str, str]:
    text = html = ""
    for part in message.walk():
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        content_type = part.get_content_type()
        if content_type == "text/plain" and not text:
            text = _decode(part)
        elif content_type == "text/html" and not html:
            html = _decode(part)
    return text, html


def _decode(part: Message) -> str:
    """A text part's content; an unknown or broken charset is read as UTF-8 with replacements."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:
        return payload.decode("utf-8", errors="replace")


def _files(message: EmailMessage) -> list[IncomingFile]:
    files: list[IncomingFile] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        disposition = part.get_content_disposition()
        if disposition != "attachment" and not (disposition == "inline" and part.get_filename()):
            continue
        content = part.get_payload(decode=True)
        if isinstance(content, bytes) and content:
            name = part.get_filename() or "attachment"
            files.append(IncomingFile(name=str(name)[:200], content_type=part.get_content_type(), content=content))
    return files


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name, "")
    except Exception:  # a header the policy cannot parse: read it raw
        value = message.get_all(name, failobj=[""])[0] if hasattr(message, "get_all") else ""
    return str(value or "")


def _headers(message: Message, *names: str) -> list[str]:
    values: list[str] = []
    for name in names:
        try:
            values += [str(value) for value in message.get_all(name, [])]
        except Exception:
            continue
    return values


def _message_ids(value: str) -> list[str]:
    return MESSAGE_ID.findall(value)[:50]

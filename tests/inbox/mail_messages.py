"""Raw inbound messages for the email tests, built as mail programs send them (CRLF line ends, as SMTP wants)."""

from email import policy
from email.message import EmailMessage
from email.utils import make_msgid


def raw_email(
    *,
    sender: str = "Ada Lovelace <ada@example.com>",
    to: str = "support@helpdesk.localhost",
    subject: str = "My parcel never arrived",
    body: str = "Hello, my parcel never arrived.",
    html: str | None = None,
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
    files: list[tuple[str, str, bytes]] = (),  # type: ignore[assignment]
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id or make_msgid(domain="example.com")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for name, content_type, content in files:
        maintype, subtype = content_type.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes(policy=policy.SMTP)


def html_only_email(*, sender: str = "ada@example.com", html: str) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, "support@helpdesk.localhost", "Formatted"
    message["Message-ID"] = make_msgid(domain="example.com")
    message.set_content(html, subtype="html")
    return message.as_bytes(policy=policy.SMTP)


def bounce_email(*, failed: str, to: str = "support@helpdesk.localhost") -> bytes:
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\r\n"
        f"To: {to}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <bounce-1@mx.example.com>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.com\r\n\r\n"
        f"Final-Recipient: rfc822; {failed}\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
        "--B--\r\n"
    ).encode()

"""Attachments on conversation parts: what may be attached (read from the bytes), the actions that take them, the
forms that refuse them with a 422 and write nothing, and who may download them."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from helpdesk.errors import InvalidInput
from inbox import actions
from inbox.attachments import IncomingFile, check_files, safe_name
from inbox.messenger import messenger_link
from inbox.models import Attachment, Part, PartKind
from tests.factories import ContactFactory, ConversationFactory, TeammateFactory
from tests.files import pdf, pdf_bytes, png, png_bytes, text
from tests.inbox.pages import HTMX, root_id

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
WINDOWS_PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48


def zip_bytes(member: str = "readme.txt") -> bytes:
    """A ZIP archive of one file (a .docx whose insides `filetype` does not recognise looks like this)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(member, "Hello")
    return buffer.getvalue()


def files_on_disk(folder) -> int:
    return sum(1 for path in folder.rglob("*") if path.is_file())


@pytest.fixture
def contact_client(client, contact):
    assert client.get(messenger_link(contact)).status_code == 302
    return client


@pytest.fixture
def small_limits(settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    settings.ATTACHMENT_MAX_TOTAL_BYTES = 1500
    settings.ATTACHMENT_MAX_FILES = 3


# --- What may be attached ---


@pytest.mark.parametrize(
    ("incoming", "content_type", "name"),
    [
        (png("photo.png"), "image/png", "photo.png"),
        (pdf("invoice.PDF"), "application/pdf", "invoice.PDF"),
        (text("notes.txt"), "text/plain", "notes.txt"),
        (IncomingFile("orders.csv", "application/vnd.ms-excel", b"id,total\n1,20\n"), "text/csv", "orders.csv"),
        (IncomingFile("scan", "application/octet-stream", png_bytes()), "image/png", "scan.png"),
        (IncomingFile("C:\\Users\\lena\\photo.png", "image/png", png_bytes()), "image/png", "photo.png"),
        (IncomingFile("report.docx", "", zip_bytes()), DOCX, "report.docx"),
        (IncomingFile("budget.xls", "", OLE + b"\x00" * 512), "application/vnd.ms-excel", "budget.xls"),
        (IncomingFile("archive.zip", "application/zip", zip_bytes()), "application/zip", "archive.zip"),
    ],
)
def test_check_files_reads_the_type_from_the_bytes_and_keeps_a_safe_name(incoming, content_type, name):
    [checked] = check_files([incoming])

    assert (checked.content_type, checked.name) == (content_type, name)


@pytest.mark.parametrize(
    ("incoming", "message"),
    [
        (IncomingFile("photo.png", "image/png", HTML), "“photo.png” is a web page"),
        (IncomingFile("page.html", "text/html", HTML), "“page.html” is a web page"),
        (IncomingFile("logo.svg", "image/svg+xml", b'<svg xmlns="http://www.w3.org/2000/svg"/>'), "is a web page"),
        (IncomingFile("invoice.exe", "application/x-msdownload", png_bytes()), "is a PNG image, but its name ends in"),
        (IncomingFile("report.pdf", "application/pdf", png_bytes()), "rename it to end in .png"),
        (IncomingFile("tool.exe", "application/octet-stream", WINDOWS_PROGRAM), "“tool.exe” is a EXE file"),
        (IncomingFile("data.bin", "application/octet-stream", b"\x00\x01\x02\x03"), "not a type of file that can"),
        (IncomingFile("empty.txt", "text/plain", b""), "“empty.txt” is empty."),
    ],
)
def test_check_files_refuses_with_a_message(incoming, message):
    with pytest.raises(InvalidInput) as refused:
        check_files([incoming])

    assert message in refused.value.message
    assert refused.value.errors == {"attachments": [refused.value.message]}


def test_check_files_refuses_a_file_over_the_limit(small_limits):
    with pytest.raises(InvalidInput, match="each file can be at most"):
        check_files([text("big.txt", "x" * 1001)])


def test_check_files_refuses_too_many_files(small_limits):
    with pytest.raises(InvalidInput, match="at most 3 files to one message"):
        check_files([text(f"{n}.txt") for n in range(4)])


def test_check_files_refuses_files_over_the_total(small_limits):
    with pytest.raises(InvalidInput, match="one message can carry at most"):
        check_files([text("a.txt", "x" * 800), text("b.txt", "y" * 800)])


def test_safe_name_drops_control_and_path_characters():
    assert safe_name('../../etc/pass\x00wd"<b>.txt') == "pass wd b.txt"
    assert safe_name("  ") == "file"


# --- The actions ---


def test_start_conversation_stores_files_with_the_message(contact, attachments_folder):
    conversation = actions.start_conversation(contact_id=contact.pk, body="See the photo", attachments=[png()])

    attachment = Attachment.objects.get(part__conversation=conversation)
    assert (attachment.name, attachment.content_type, attachment.size) == ("photo.png", "image/png", len(png_bytes()))
    assert attachment.file.read() == png_bytes()
    assert "photo" not in attachment.file.name  # stored under a random name, never the sender's


def test_a_message_may_be_files_alone(conversation):
    part = actions.record_customer_message(conversation_id=conversation.pk, body="", attachments=[pdf()])

    assert part.body == "" and part.attachments.count() == 1


def test_a_message_without_text_or_files_is_refused(conversation):
    with pytest.raises(InvalidInput, match="Write a message first"):
        actions.record_customer_message(conversation_id=conversation.pk, body=" ")


def test_one_refused_file_refuses_the_whole_message_and_writes_nothing(conversation, teammate, attachments_folder):
    before = (Part.objects.count(), Attachment.objects.count(), files_on_disk(attachments_folder))

    with pytest.raises(InvalidInput):
        actions.post_reply(
            actor=teammate,
            conversation_id=conversation.pk,
            body="Two files",
            attachments=[pdf(), IncomingFile("photo.png", "image/png", HTML)],
        )

    assert (Part.objects.count(), Attachment.objects.count(), files_on_disk(attachments_folder)) == before


# --- The forms: a 422 with the message, nothing written ---

REFUSED_UPLOADS = [
    ("oversize", lambda: SimpleUploadedFile("big.txt", b"x" * 1001, "text/plain"), "each file can be at most"),
    ("html as png", lambda: SimpleUploadedFile("photo.png", HTML, "image/png"), "is a web page"),
    ("png as exe", lambda: SimpleUploadedFile("invoice.exe", png_bytes(), "application/x-msdownload"), "ends in .exe"),
    ("disallowed", lambda: SimpleUploadedFile("tool.exe", WINDOWS_PROGRAM, "application/x-msdownload"), "EXE file"),
    ("empty", lambda: SimpleUploadedFile("empty.txt", b"", "text/plain"), "is empty"),
]


def uploads(kind: str, make) -> list[SimpleUploadedFile]:
    return [make()] if kind != "too many" else [SimpleUploadedFile(f"{n}.txt", b"hi", "text/plain") for n in range(4)]


ALL_REFUSALS = [*REFUSED_UPLOADS, ("too many", None, "at most 3 files")]


@pytest.mark.parametrize(("kind", "make", "message"), ALL_REFUSALS, ids=[row[0] for row in ALL_REFUSALS])
def test_messenger_new_conversation_refuses_a_bad_file_with_a_422(
    contact_client, small_limits, attachments_folder, kind, make, message
):
    before = (Part.objects.count(), Attachment.objects.count(), files_on_disk(attachments_folder))

    response = contact_client.post(
        reverse("messenger:start"), {"subject": "Hi", "body": "Hello", "attachments": uploads(kind, make)}
    )

    assert response.status_code == 422
    assert message in response.content.decode()
    assert (Part.objects.count(), Attachment.objects.count(), files_on_disk(attachments_folder)) == before


@pytest.mark.parametrize(("kind", "make", "message"), ALL_REFUSALS, ids=[row[0] for row in ALL_REFUSALS])
def test_messenger_reply_refuses_a_bad_file_with_a_422(
    contact_client, contact, small_limits, attachments_folder, kind, make, message
):
    conversation = ConversationFactory(contact=contact)
    before = (Part.objects.count(), Attachment.objects.count(), files_on_disk(attachments_folder))

    response = contact_client.post(
        reverse("messenger:write", args=[conversation.pk]), {"body": "Hello", "attachments": uploads(kind, make)}
    )

    assert response.status_code == 422
    assert message in response.content.decode()
    assert (Part.objects.count(), Attachment.objects.count(), files_on_disk(attachments_folder)) == before


@pytest.mark.parametrize(("kind", "make", "message"), ALL_REFUSALS, ids=[row[0] for row in ALL_REFUSALS])
@pytest.mark.parametrize("mode", ["reply", "note"])
def test_inbox_composer_refuses_a_bad_file_with_a_422(
    teammate_client, conversation, small_limits, attachments_folder, kind, make, message, mode
):
    before = (Part.objects.count(), Attachment.objects.count(), files_on_disk(attachments_folder))

    response = teammate_client.post(
        reverse("inbox:conversation-message", args=[conversation.pk]),
        {"kind": mode, "body": "Hello", "attachments": uploads(kind, make)},
        headers=HTMX,
    )

    assert response.status_code == 422
    assert root_id(response) == "conversation-pane"
    assert message in response.content.decode()
    assert (Part.objects.count(), Attachment.objects.count(), files_on_disk(attachments_folder)) == before


def test_messenger_reply_with_files_shows_them_in_the_thread(contact_client, contact):
    conversation = ConversationFactory(contact=contact)
    files = [SimpleUploadedFile("lamp.png", png_bytes(), "image/png"), SimpleUploadedFile("a.pdf", pdf_bytes())]

    response = contact_client.post(reverse("messenger:write", args=[conversation.pk]), {"attachments": files})
    page = contact_client.get(response["Location"]).content.decode()

    photo, document = Attachment.objects.order_by("pk")
    assert f'<img class="attachment-thumb" src="{reverse("messenger:attachment", args=[photo.pk])}"' in page
    assert f'href="{reverse("messenger:attachment", args=[document.pk])}" download' in page


def test_inbox_composer_posts_a_reply_with_files(teammate_client, conversation):
    upload = SimpleUploadedFile("invoice.pdf", pdf_bytes(), "application/pdf")

    response = teammate_client.post(
        reverse("inbox:conversation-message", args=[conversation.pk]),
        {"kind": "reply", "body": "Your invoice", "attachments": [upload]},
        headers=HTMX,
    )

    assert response.status_code == 200
    attachment = Attachment.objects.get(part__kind=PartKind.REPLY)
    assert reverse("inbox:attachment", args=[attachment.pk]) in response.content.decode()


# --- Who may download: the customer ---


@pytest.fixture
def thread(contact, teammate):
    """One of the contact's conversations with a file on each kind of part, and another contact's file."""
    conversation = actions.start_conversation(contact_id=contact.pk, body="Here", attachments=[png("mine.png")])
    actions.post_reply(actor=teammate, conversation_id=conversation.pk, body="Yours", attachments=[pdf("reply.pdf")])
    actions.post_note(
        actor=teammate, conversation_id=conversation.pk, body="Internal", attachments=[text("internal.txt", "SECRET")]
    )
    actions.deliver_ticket_update(
        conversation_id=conversation.pk,
        source_key="test-cross-post",
        kind=PartKind.CROSS_POST,
        body="From a ticket",
        ticket_id=1,
        ticket_assignee_id=None,
        author_id=teammate.pk,
        files=[],
    )
    cross_post = Part.objects.get(kind=PartKind.CROSS_POST)
    actions.attach_files(cross_post, check_files([text("cross-posted.txt", "SECRET-CROSS")]))
    other = actions.start_conversation(
        contact_id=ContactFactory().pk, body="Theirs", attachments=[text("theirs.txt", "SECRET-OTHER")]
    )
    files = {a.name: a for a in Attachment.objects.all()}
    return conversation, other, files


def customer_url(attachment_id: int) -> str:
    return reverse("messenger:attachment", args=[attachment_id])


@pytest.mark.parametrize(("name", "content"), [("mine.png", png_bytes()), ("reply.pdf", pdf_bytes("Invoice"))])
def test_customer_downloads_the_files_of_their_messages_and_replies(contact_client, thread, name, content):
    response = contact_client.get(customer_url(thread[2][name].pk))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content


@pytest.mark.parametrize("name", ["internal.txt", "cross-posted.txt", "theirs.txt", None])
def test_customer_gets_404_for_every_other_file(contact_client, thread, name):
    attachment_id = thread[2][name].pk if name else Attachment.objects.order_by("pk").last().pk + 1

    response = contact_client.get(customer_url(attachment_id))

    assert response.status_code == 404
    assert not response.streaming
    assert "SECRET" not in response.content.decode()
    assert ".txt" not in response.content.decode() and ".txt" not in str(response.headers)


def test_customer_pages_never_list_internal_files(contact_client, thread):
    page = contact_client.get(reverse("messenger:conversation", args=[thread[0].pk])).content.decode()

    assert "mine.png" in page and "reply.pdf" in page
    assert "internal.txt" not in page and "cross-posted.txt" not in page


def test_customer_attachment_needs_a_contact_session(client, thread):
    assert client.get(customer_url(thread[2]["mine.png"].pk)).status_code == 403


def test_an_image_is_served_inline_and_anything_else_as_a_download(contact_client, thread):
    image = contact_client.get(customer_url(thread[2]["mine.png"].pk))
    document = contact_client.get(customer_url(thread[2]["reply.pdf"].pk))

    assert image["Content-Type"] == "image/png"
    assert image["Content-Disposition"] == 'inline; filename="mine.png"'
    assert document["Content-Type"] == "application/pdf"
    assert document["Content-Disposition"] == 'attachment; filename="reply.pdf"'
    for response in (image, document):
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "private" in response["Cache-Control"]
        assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


# --- Who may download: teammates ---


def test_teammate_downloads_any_conversation_file(teammate_client, thread):
    response = teammate_client.get(reverse("inbox:attachment", args=[thread[2]["internal.txt"].pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"SECRET"
    assert response["Content-Disposition"] == 'attachment; filename="internal.txt"'


def test_teammate_attachment_sends_the_anonymous_to_sign_in(client, thread):
    response = client.get(reverse("inbox:attachment", args=[thread[2]["internal.txt"].pk]))

    assert response.status_code == 302 and "/login/" in response["Location"]


def test_teammate_attachment_refuses_a_contact_session(contact_client, thread):
    response = contact_client.get(reverse("inbox:attachment", args=[thread[2]["mine.png"].pk]))

    assert response.status_code == 302 and "/login/" in response["Location"]


def test_teammate_attachment_refuses_an_account_without_staff_status(client, thread):
    client.force_login(TeammateFactory(is_staff=False))

    assert client.get(reverse("inbox:attachment", args=[thread[2]["internal.txt"].pk])).status_code == 403


# --- Query budgets: the same with 1 or 5 parts carrying files ---

# session, teammate, the versions, the conversation, its parts, their attachments
TIMELINE_QUERIES = 6
# session, contact's session version, contact; the thread: conversation, parts, attachments; the tickets region
# (its version, tickets, forms)
MESSENGER_CONVERSATION_QUERIES = 9


@pytest.fixture(params=[1, 5], ids=["1 part", "5 parts"])
def filed_conversation(request, contact, teammate):
    conversation = ConversationFactory(contact=contact)
    for n in range(request.param):
        actions.record_customer_message(conversation_id=conversation.pk, body=f"{n}", attachments=[png(), pdf()])
        actions.post_reply(actor=teammate, conversation_id=conversation.pk, body=f"{n}", attachments=[pdf()])
    return conversation


def test_timeline_query_count_does_not_grow_with_files(
    teammate_client, filed_conversation, django_assert_max_num_queries
):
    url = reverse("inbox:conversation-timeline", args=[filed_conversation.pk]) + "?v=stale"

    with django_assert_max_num_queries(TIMELINE_QUERIES):
        response = teammate_client.get(url, headers=HTMX)

    assert response.content.decode().count('class="attachment"') == 3 * filed_conversation.parts.count() // 2


def test_messenger_conversation_query_count_does_not_grow_with_files(
    contact_client, filed_conversation, django_assert_max_num_queries
):
    with django_assert_max_num_queries(MESSENGER_CONVERSATION_QUERIES):
        response = contact_client.get(reverse("messenger:conversation", args=[filed_conversation.pk]))

    assert response.content.decode().count('class="attachment"') == 3 * filed_conversation.parts.count() // 2

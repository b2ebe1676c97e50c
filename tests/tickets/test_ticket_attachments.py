"""Attachments on ticket notes: stored with the note, cross-posted with it for teammates only, refused with a 422
by the note form, served to teammates only; and on a customer ticket's replies, which its customer downloads."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from helpdesk.errors import InvalidInput
from inbox.attachments import IncomingFile
from inbox.messenger import messenger_link
from inbox.models import Attachment, PartKind
from tests.factories import BackOfficeTicketFactory, CustomerTicketFactory
from tests.files import pdf, pdf_bytes, png, png_bytes, text
from tests.tickets.pages import HX, PANE_QUERIES, root_id
from tickets import actions
from tickets.models import TicketAttachment, TicketPart

pytestmark = pytest.mark.django_db


def files_on_disk(folder) -> int:
    return sum(1 for path in folder.rglob("*") if path.is_file())


def signed_in(contact) -> Client:
    client = Client()
    assert client.get(messenger_link(contact)).status_code == 302
    return client


def test_post_ticket_note_stores_its_files(teammate):
    ticket = BackOfficeTicketFactory()

    note = actions.post_ticket_note(actor=teammate, ticket_id=ticket.pk, body="Logs", attachments=[text("log.txt")])

    [attachment] = note.attachments.all()
    assert (attachment.name, attachment.content_type) == ("log.txt", "text/plain")
    assert attachment.file.read() == b"Some notes."


def test_post_ticket_note_refuses_a_bad_file_and_writes_nothing(teammate, attachments_folder):
    ticket = BackOfficeTicketFactory()
    before = (TicketPart.objects.count(), TicketAttachment.objects.count(), files_on_disk(attachments_folder))

    with pytest.raises(InvalidInput, match="is a web page"):
        actions.post_ticket_note(
            actor=teammate, ticket_id=ticket.pk, body="x", attachments=[pdf(), IncomingFile("a.png", "", b"<html>")]
        )

    assert (TicketPart.objects.count(), TicketAttachment.objects.count(), files_on_disk(attachments_folder)) == before


def test_cross_posted_note_brings_its_files_to_teammates_and_never_to_the_customer(
    teammate, teammate_client, apply_outbox
):
    ticket = BackOfficeTicketFactory()
    actions.post_ticket_note(
        actor=teammate, ticket_id=ticket.pk, body="See", cross_post=True, attachments=[text("internal.txt", "SECRET")]
    )
    apply_outbox()

    copy = Attachment.objects.get(part__kind=PartKind.CROSS_POST)
    assert copy.part.conversation_id == ticket.linked_conversation_id
    assert copy.file.name == TicketAttachment.objects.get().file.name  # the same stored file
    served = teammate_client.get(reverse("inbox:attachment", args=[copy.pk]))
    assert b"".join(served.streaming_content) == b"SECRET"
    customer = signed_in(ticket.linked_conversation.contact)
    assert customer.get(reverse("messenger:attachment", args=[copy.pk])).status_code == 404
    page = customer.get(reverse("messenger:conversation", args=[ticket.linked_conversation_id])).content.decode()
    assert "internal.txt" not in page


def test_customer_downloads_the_file_of_a_reply_on_their_customer_ticket(teammate):
    ticket = CustomerTicketFactory()

    part = actions.post_ticket_reply(actor=teammate, ticket_id=ticket.pk, body="Receipt", attachments=[pdf()])

    response = signed_in(ticket.thread.contact).get(reverse("messenger:attachment", args=[part.attachments.get().pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes()


# --- The note form ---


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (lambda: SimpleUploadedFile("photo.png", b"<html><script></script>", "image/png"), "is a web page"),
        (lambda: SimpleUploadedFile("invoice.exe", png_bytes(), "application/x-msdownload"), "ends in .exe"),
        (lambda: SimpleUploadedFile("empty.txt", b"", "text/plain"), "is empty"),
    ],
)
def test_note_form_refuses_a_bad_file_with_a_422(teammate_client, attachments_folder, upload, message):
    ticket = BackOfficeTicketFactory()
    before = (TicketPart.objects.count(), TicketAttachment.objects.count(), files_on_disk(attachments_folder))

    response = teammate_client.post(
        reverse("tickets:note", args=[ticket.pk]), {"body": "Look", "attachments": [upload()]}, headers=HX
    )

    assert response.status_code == 422
    assert root_id(response) == "ticket-note-form"
    assert message in response.content.decode()
    assert (TicketPart.objects.count(), TicketAttachment.objects.count(), files_on_disk(attachments_folder)) == before


def test_note_form_posts_a_note_with_files_and_the_pane_lists_them(teammate_client):
    ticket = BackOfficeTicketFactory()
    upload = SimpleUploadedFile("screen.png", png_bytes(), "image/png")

    response = teammate_client.post(
        reverse("tickets:note", args=[ticket.pk]), {"body": "", "attachments": [upload]}, headers=HX
    )
    pane = teammate_client.get(reverse("tickets:pane", args=[ticket.pk]), headers=HX).content.decode()

    assert response.status_code == 200
    attachment = TicketAttachment.objects.get()
    assert f'<img class="attachment-thumb" src="{reverse("tickets:attachment", args=[attachment.pk])}"' in pane


def test_ticket_attachment_is_for_teammates_only(client, teammate):
    ticket = BackOfficeTicketFactory()
    note = actions.post_ticket_note(actor=teammate, ticket_id=ticket.pk, body="x", attachments=[text()])
    url = reverse("tickets:attachment", args=[note.attachments.get().pk])

    anonymous = client.get(url)
    contact = signed_in(ticket.linked_conversation.contact).get(url)

    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert contact.status_code == 302 and "/login/" in contact["Location"]


def test_ticket_attachment_of_no_file_is_404(teammate_client):
    assert teammate_client.get(reverse("tickets:attachment", args=[999_999])).status_code == 404


@pytest.mark.parametrize("n_notes", [1, 5])
def test_pane_query_count_does_not_grow_with_files(teammate_client, teammate, django_assert_max_num_queries, n_notes):
    ticket = BackOfficeTicketFactory()
    for n in range(n_notes):
        actions.post_ticket_note(actor=teammate, ticket_id=ticket.pk, body=f"{n}", attachments=[png(), pdf()])

    with django_assert_max_num_queries(PANE_QUERIES):
        response = teammate_client.get(reverse("tickets:pane", args=[ticket.pk]), headers=HX)

    assert response.content.decode().count('class="attachment"') == 2 * n_notes

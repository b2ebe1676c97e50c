"""Search (helpdesk/search.py): each ticket's document (title, description, attribute values) and each note's.
PostgreSQL only (helpdesk/search_schema.py)."""

from django.db import migrations

from helpdesk.search_schema import DocumentSpec, keep_document, text_vector

TICKETS = DocumentSpec(
    table="tickets_ticket",
    column="search_document",
    column_type="tsvector",
    expression=f"{text_vector('NEW.title', 'A')} || {text_vector('NEW.description', 'B')} || "
    "setweight(jsonb_to_tsvector('helpdesk', coalesce(NEW.attributes, '{}'), '[\"string\", \"numeric\"]'), 'B')",
    watched=("title", "description", "attributes"),
)
NOTES = DocumentSpec(
    table="tickets_ticketpart",
    column="search_document",
    column_type="tsvector",
    expression=f"CASE WHEN NEW.kind = 'note' THEN {text_vector('NEW.body')} END",
    watched=("kind", "body"),
)


class Migration(migrations.Migration):
    dependencies = [
        ("inbox", "0011_search"),
        ("tickets", "0009_ticket_attachments"),
    ]

    operations = [keep_document(TICKETS), keep_document(NOTES)]

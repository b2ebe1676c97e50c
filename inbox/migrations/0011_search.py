"""Search (helpdesk/search.py): the text search configuration, each part's document, the subject's index, and
each contact's text for trigram matching. PostgreSQL only (helpdesk/search_schema.py)."""

from django.db import migrations

from helpdesk.search_schema import SETUP, TEARDOWN, DocumentSpec, PostgreSQLOnly, keep_document, text_vector

PARTS = DocumentSpec(
    table="inbox_part",
    column="search_document",
    column_type="tsvector",
    # Events (assigned, snoozed, ...) are not text anyone searches for.
    expression=f"CASE WHEN NEW.kind <> 'event' THEN {text_vector('NEW.body')} END",
    watched=("kind", "body"),
)
CONTACTS = DocumentSpec(
    table="inbox_contact",
    column="search_text",
    column_type="text",
    expression="lower(unaccent(concat_ws(' ', NEW.name, NEW.email, NEW.external_id, "
    "CASE jsonb_typeof(NEW.attributes) WHEN 'object' THEN "
    "(SELECT string_agg(value, ' ') FROM jsonb_each_text(NEW.attributes)) END)))",
    watched=("name", "email", "external_id", "attributes"),
    opclass="gin_trgm_ops",
)
SUBJECT_INDEX = "conversation_subject_search_idx"


class Migration(migrations.Migration):
    dependencies = [
        ("inbox", "0010_team_email_name"),
    ]

    operations = [
        PostgreSQLOnly(SETUP, TEARDOWN, "Create the helpdesk text search configuration"),
        keep_document(PARTS),
        keep_document(CONTACTS),
        PostgreSQLOnly(
            [
                f"CREATE INDEX {SUBJECT_INDEX} ON inbox_conversation "
                "USING gin (to_tsvector('helpdesk'::regconfig, subject))"
            ],
            [f"DROP INDEX {SUBJECT_INDEX}"],
            "Index the conversations' subjects for search",
        ),
    ]

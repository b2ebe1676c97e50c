"""The search documents' schema (helpdesk/search.py reads them): a column no model declares, set by a BEFORE trigger
from the row's own fields on every insert and on every update of those fields, and its index. PostgreSQL only; on
any other database the migrations that use these operations do nothing (the embedded default searches with LIKE).
"""

from dataclasses import dataclass

from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ProjectState

# A longer text is indexed by its beginning: a tsvector holds at most 1 MB, and a write must never fail for it.
INDEXED_CHARACTERS = 100_000

SETUP = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE TEXT SEARCH CONFIGURATION helpdesk (COPY = english)",
    "ALTER TEXT SEARCH CONFIGURATION helpdesk ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem",
]
TEARDOWN = ["DROP TEXT SEARCH CONFIGURATION helpdesk"]


def text_vector(field: str, weight: str = "D") -> str:
    """The tsvector of a text column of the row (`NEW.body`), its beginning only."""
    return f"setweight(to_tsvector('helpdesk', left(coalesce({field}, ''), {INDEXED_CHARACTERS})), '{weight}')"


@dataclass(frozen=True)
class DocumentSpec:
    table: str
    column: str  # the document column, added to `table`
    column_type: str  # tsvector, or text (for a trigram index)
    expression: str  # the document, over the row's fields as NEW.<field>
    watched: tuple[str, ...]  # the fields the document is made of
    opclass: str = ""  # the GIN operator class, when not the column type's default

    @property
    def name(self) -> str:
        return f"{self.table}_{self.column}"

    def create_sql(self) -> list[str]:
        return [
            f"ALTER TABLE {self.table} ADD COLUMN {self.column} {self.column_type}",
            f"""CREATE FUNCTION {self.name}_keep() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                NEW.{self.column} := {self.expression};
                RETURN NEW;
            END $$""",
            f"CREATE TRIGGER {self.name}_keep BEFORE INSERT OR UPDATE OF {', '.join(self.watched)} ON {self.table} "
            f"FOR EACH ROW EXECUTE FUNCTION {self.name}_keep()",
            self.fill_sql(),
            self.index_sql(),
        ]

    def fill_sql(self) -> str:
        """Compute the document of the rows already there (set-based: bench/seed.py loads with the trigger off)."""
        return f"UPDATE {self.table} SET {self.column} = {self.expression.replace('NEW.', f'{self.table}.')}"

    def index_sql(self) -> str:
        return (
            f"CREATE INDEX IF NOT EXISTS {self.name}_idx ON {self.table} USING gin ({self.column} {self.opclass}) "
            f"WHERE {self.column} IS NOT NULL"
        )

    def drop_sql(self) -> list[str]:
        return [
            f"DROP TRIGGER {self.name}_keep ON {self.table}",
            f"DROP FUNCTION {self.name}_keep()",
            f"ALTER TABLE {self.table} DROP COLUMN {self.column}",
        ]


class PostgreSQLOnly(Operation):
    """Migration operation: run `forwards` (and `backwards`) SQL on PostgreSQL; nothing on any other database."""

    reversible = True

    def __init__(self, forwards: list[str], backwards: list[str], description: str) -> None:
        self.forwards, self.backwards, self.description = forwards, backwards, description

    def state_forwards(self, app_label: str, state: ProjectState) -> None:
        pass

    def _run(self, schema_editor: BaseDatabaseSchemaEditor, statements: list[str]) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql, params=None)

    def database_forwards(
        self, app_label: str, schema_editor: BaseDatabaseSchemaEditor, from_state: ProjectState, to_state: ProjectState
    ) -> None:
        self._run(schema_editor, self.forwards)

    def database_backwards(
        self, app_label: str, schema_editor: BaseDatabaseSchemaEditor, from_state: ProjectState, to_state: ProjectState
    ) -> None:
        self._run(schema_editor, self.backwards)

    def describe(self) -> str:
        return self.description


def keep_document(spec: DocumentSpec) -> PostgreSQLOnly:
    return PostgreSQLOnly(spec.create_sql(), spec.drop_sql(), f"Keep {spec.name} by a trigger, with its index")

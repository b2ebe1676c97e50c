"""Counts kept by the database, for the nav: a counter table of totals per owner (a team, a teammate) and
state, which triggers on the counted table change in the same transaction as each row, so a nav reads a
few dozen rows instead of counting a million, and nothing can bypass it (actions, factories, the admin's
SET NULL when a team is deleted, bulk loads).

A change adds -1 under the row's old keys and +1 under its new ones in one INSERT ... ON CONFLICT,
summed and in key order first, so two opposite moves lock the same counter rows in the same order.
Each owner's total is spread over SLOTS rows by the counted row's id, so concurrent writers to one team
rarely wait for one another; a reader sums the slots. NULL owners (no team, unassigned) count as owner 0.
"""

from dataclasses import dataclass

from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ProjectState

SLOTS = 8


@dataclass(frozen=True)
class CounterSpec:
    table: str  # the counted table
    counter: str  # its counter table: owner_kind, owner_id, *keys, slot, total; unique on all but total
    owners: dict[str, str]  # owner_kind -> the counted table's (nullable) owner column
    keys: tuple[str, ...]  # the counted table's columns the totals are split by

    @property
    def _columns(self) -> str:
        return ", ".join(["owner_kind", "owner_id", *self.keys, "slot"])

    def _row_selects(self, row: str, delta: str, *, from_table: bool = False) -> list[str]:
        prefix = "" if from_table else f"{row}."
        keys = "".join(f", {prefix}{key} AS {key}" for key in self.keys)
        return [
            f"SELECT '{kind}' AS owner_kind, coalesce({prefix}{column}, 0) AS owner_id{keys}, "
            f"{prefix}id % {SLOTS} AS slot, {delta} AS delta" + (f" FROM {self.table}" if from_table else "")
            for kind, column in self.owners.items()
        ]

    def _upsert(self, changes: list[str]) -> str:
        columns = self._columns
        return (
            f"INSERT INTO {self.counter} ({columns}, total) "
            f"SELECT {columns}, sum(delta) FROM ({' UNION ALL '.join(changes)}) AS change "
            f"WHERE true GROUP BY {columns} HAVING sum(delta) <> 0 ORDER BY {columns} "
            f"ON CONFLICT ({columns}) DO UPDATE SET total = {self.counter}.total + excluded.total"
        )

    def _watched(self) -> list[str]:
        return [*self.owners.values(), *self.keys]

    def fill_sql(self) -> str:
        """Count the rows already there (the migration that adds the triggers runs it once)."""
        return self._upsert(self._row_selects(self.table, "1", from_table=True))

    def create_sql(self, vendor: str) -> list[str]:
        added, removed = self._row_selects("NEW", "1"), self._row_selects("OLD", "-1")
        watched = ", ".join(self._watched())
        if vendor == "postgresql":
            changed = " OR ".join(f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column in self._watched())
            return [
                f"""CREATE FUNCTION {self.counter}_keep() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'INSERT' THEN {self._upsert(added)};
                    ELSIF TG_OP = 'DELETE' THEN {self._upsert(removed)};
                    ELSE {self._upsert(removed + added)};
                    END IF;
                    RETURN NULL;
                END $$""",
                f"CREATE TRIGGER {self.counter}_insert_delete AFTER INSERT OR DELETE ON {self.table} "
                f"FOR EACH ROW EXECUTE FUNCTION {self.counter}_keep()",
                f"CREATE TRIGGER {self.counter}_update AFTER UPDATE OF {watched} ON {self.table} "
                f"FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION {self.counter}_keep()",
            ]
        if vendor == "sqlite":
            changed = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in self._watched())
            return [
                f"CREATE TRIGGER {self.counter}_insert AFTER INSERT ON {self.table} BEGIN {self._upsert(added)}; END",
                f"CREATE TRIGGER {self.counter}_delete AFTER DELETE ON {self.table} BEGIN {self._upsert(removed)}; END",
                f"CREATE TRIGGER {self.counter}_update AFTER UPDATE OF {watched} ON {self.table} "
                f"WHEN {changed} BEGIN {self._upsert(removed + added)}; END",
            ]
        raise NotImplementedError(f"No counter triggers for the {vendor} database.")

    def drop_sql(self, vendor: str) -> list[str]:
        if vendor == "postgresql":
            return [
                f"DROP TRIGGER {self.counter}_insert_delete ON {self.table}",
                f"DROP TRIGGER {self.counter}_update ON {self.table}",
                f"DROP FUNCTION {self.counter}_keep()",
            ]
        return [f"DROP TRIGGER {self.counter}_{op}" for op in ("insert", "delete", "update")]


class KeepCounter(Operation):
    """Migration operation: add the triggers that keep `spec.counter` and count the rows already there."""

    reversible = True

    def __init__(self, spec: CounterSpec) -> None:
        self.spec = spec

    def state_forwards(self, app_label: str, state: ProjectState) -> None:
        pass

    def database_forwards(
        self, app_label: str, schema_editor: BaseDatabaseSchemaEditor, from_state: ProjectState, to_state: ProjectState
    ) -> None:
        for sql in self.spec.create_sql(schema_editor.connection.vendor) + [self.spec.fill_sql()]:
            schema_editor.execute(sql, params=None)

    def database_backwards(
        self, app_label: str, schema_editor: BaseDatabaseSchemaEditor, from_state: ProjectState, to_state: ProjectState
    ) -> None:
        schema_editor.execute(f"DELETE FROM {self.spec.counter}", params=None)
        for sql in self.spec.drop_sql(schema_editor.connection.vendor):
            schema_editor.execute(sql, params=None)

    def describe(self) -> str:
        return f"Keep {self.spec.counter} by triggers on {self.spec.table}"


class RestoreCounterTriggers(KeepCounter):
    """Migration operation: on SQLite, create `spec`'s triggers again after an operation that copied the counted
    table (adding a check constraint does), which drops them. The counts stay right: the copy fires no trigger.
    Nothing to do on PostgreSQL, which alters tables in place. The same both ways."""

    def database_forwards(
        self, app_label: str, schema_editor: BaseDatabaseSchemaEditor, from_state: ProjectState, to_state: ProjectState
    ) -> None:
        if schema_editor.connection.vendor != "sqlite":
            return
        for sql in self.spec.drop_sql("sqlite"):
            schema_editor.execute(sql.replace("DROP TRIGGER", "DROP TRIGGER IF EXISTS"), params=None)
        for sql in self.spec.create_sql("sqlite"):
            schema_editor.execute(sql, params=None)

    database_backwards = database_forwards

    def describe(self) -> str:
        return f"Restore the triggers of {self.spec.counter} on SQLite"

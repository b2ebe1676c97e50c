"""The search documents during bench/seed.py's load (helpdesk/search_schema.py): computed in the INSERTs by their
triggers' own expressions while the triggers are off, their GIN indexes dropped for the load and built at the end.
Import after Django is set up (the specs are the migrations')."""

import importlib
import sys
import time

# The search documents (helpdesk/search_schema.py), by table, as the migrations that added their triggers define them.
SEARCH_SPECS = {
    spec.table: spec
    for module, names in (
        ("inbox.migrations.0011_search", ("PARTS", "CONTACTS")),
        ("tickets.migrations.0010_search", ("TICKETS", "NOTES")),
    )
    for spec in (getattr(importlib.import_module(module), name) for name in names)
}


def with_document(spec, columns: str, select: str) -> str:
    """An INSERT of `select`'s rows (named as `columns`) that computes each row's search document as its trigger
    would, with the very expression of the trigger, in the INSERT itself (the trigger is off during the load)."""
    expression = spec.expression.replace("NEW.", "x.").replace("%", "%%")
    return f"INSERT INTO {spec.table} ({columns}, {spec.column}) SELECT x.*, {expression} FROM ({select}) x"


def search_off(cursor) -> None:
    """Before the load: the search triggers off (the INSERTs compute the documents) and the documents' GIN
    indexes dropped (built once at the end, far faster than 10M inserts into them)."""
    for spec in SEARCH_SPECS.values():
        cursor.execute(f"ALTER TABLE {spec.table} DISABLE TRIGGER {spec.name}_keep")
        cursor.execute(f"DROP INDEX IF EXISTS {spec.name}_idx")


def search_on(cursor) -> dict:
    """After the load: the documents' indexes built again (as the migrations build them) and the triggers on."""
    timings = {}
    cursor.execute("SET maintenance_work_mem = '2GB'")
    for spec in SEARCH_SPECS.values():
        t0 = time.monotonic()
        sys.stderr.write(f"  index {spec.name} ...")
        cursor.execute(spec.index_sql())
        timings[f"index_{spec.table}_s"] = time.monotonic() - t0
        sys.stderr.write(f" {timings[f'index_{spec.table}_s']:.1f} s\n")
        cursor.execute(f"ALTER TABLE {spec.table} ENABLE TRIGGER {spec.name}_keep")
    cursor.execute("RESET maintenance_work_mem")
    return timings

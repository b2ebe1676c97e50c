"""A conversation that refuses a ticket's update, for real: a PostgreSQL trigger fails the insert of a part holding
`body`, so the handler that posts it fails inside the worker's transaction, as a database fault would."""

from contextlib import contextmanager

import pytest
from django.db import connection

from inbox.models import Part

REFUSAL = "the conversation <b>refuses</b> it"  # markup: the status shows the error escaped


@contextmanager
def refusing(body: str):
    if connection.vendor != "postgresql":
        pytest.skip("The fault is a PostgreSQL trigger.")
    table, quoted = Part._meta.db_table, body.replace("'", "''")
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            CREATE FUNCTION test_refuse_part() RETURNS trigger AS $$
            BEGIN
                IF NEW.body = '{quoted}' THEN RAISE EXCEPTION '{REFUSAL}'; END IF;
                RETURN NEW;
            END $$ LANGUAGE plpgsql
            """
        )
        cursor.execute(
            f"CREATE TRIGGER test_refuse_part BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION test_refuse_part()"
        )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                f"DROP TRIGGER IF EXISTS test_refuse_part ON {table}; DROP FUNCTION IF EXISTS test_refuse_part()"
            )

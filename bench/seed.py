"""Seed the bench's own database (bench/owned.py: `<DB_NAME>_bench[_<scale>]`) at BENCH_SCALE, fast: set-based
INSERT ... SELECT generate_series in chunks, run by PostgreSQL itself (no row crosses the wire), with a progress bar.

Sizes at scale 1.0: 1,000,000 conversations, 10,000,000 timeline parts, 200,000 tickets (100,000
back-office, 100,000 customer tickets), 200,000 contacts, 50 teams, 500 teammates. Every row respects
the models' constraints: a snoozed conversation has a deadline, each back-office ticket is linked to
exactly one conversation (distinct ones, so at most one shared per conversation), each customer ticket
owns its own thread.

Reuses the database when it was already seeded at this scale (table bench_meta); reseeds otherwise. Seeds and
truncates only a database the bench created (its marker); refuses any other before writing anything.
Usage: BENCH_SCALE=0.01 .venv/bin/python bench/seed.py  [--force]
"""

import importlib
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor

# Client-side parameters for the load: its SQL passes untyped ones (generate_series(%s, %s)) that PostgreSQL
# cannot resolve as server-side parameters, and a bulk load has nothing to gain from prepared statements.
os.environ.setdefault("DATABASE_PREPARED_STATEMENTS", "0")

import corpus
import owned
from common import BENCH, SCALE, SEED_VERSION, TEAMMATES, TEAMS, Progress, setup_django, sizes

setup_django()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from seed_documents import SEARCH_SPECS, search_off, search_on, with_document  # noqa: E402

# The counter tables too: TRUNCATE fires no row triggers (helpdesk/counters.py).
TABLES = [
    "inbox_conversationcount",
    "tickets_ticketcount",
    "inbox_part",
    "tickets_ticketpart",
    "tickets_ticketformrequest",
    "tickets_trackerreplydelivery",
    "tickets_trackerreply",
    "tickets_trackerlink",
    "tickets_ticket",
    "tickets_ticketattribute",
    "tickets_tickettype_states",
    "tickets_tickettype",
    "inbox_conversation",
    "inbox_contact",
    "inbox_teammate_teams",
    "inbox_teammate_groups",
    "inbox_teammate_user_permissions",
    "django_admin_log",
    "inbox_teammate",
    "inbox_team",
    "helpdesk_outboxevent",
    "django_session",
    "workflows_workflowrun",
    "workflows_workflowaction",
    "workflows_workflowcondition",
    "workflows_workflow",
]

PASSWORD = "bench"
# Connections that load the parts at once (their text and search documents cost PostgreSQL CPU): one per core.
JOBS = int(os.environ.get("BENCH_SEED_JOBS", str(os.cpu_count() or 1)))
# The counted tables and their counters, as the migrations that added the triggers define them.
COUNTER_SPECS = [
    importlib.import_module(module).COUNTS
    for module in ("inbox.migrations.0004_conversationcount", "tickets.migrations.0005_ticketcount")
]


def seeded() -> tuple[float, int] | None:
    """The scale and SEED_VERSION the database was seeded at, None if it was not (or not to the end)."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_meta (scale double precision, seeded_at timestamptz)")
        cursor.execute("ALTER TABLE bench_meta ADD COLUMN IF NOT EXISTS version integer")
        cursor.execute("ALTER TABLE bench_meta ADD COLUMN IF NOT EXISTS timings jsonb")
        cursor.execute("SELECT scale, coalesce(version, 1) FROM bench_meta")
        row = cursor.fetchone()
    return (row[0], row[1]) if row else None


def default_new_columns(cursor) -> list[tuple[str, str]]:
    """Give the NOT NULL columns with a Python default (which Django does not put in the schema) that default in
    the database for the load, so that a field added to a model since the INSERTs below were written does not
    break them; returns the columns for `drop_defaults`, which leaves the schema as the migrations made it."""
    from psycopg import sql

    from inbox.models import Contact, Conversation, Part, Team, Teammate
    from tickets.models import Ticket, TicketPart

    connection.ensure_connection()
    defaulted = []
    for model in (Team, Teammate, Contact, Conversation, Part, Ticket, TicketPart):
        table = model._meta.db_table
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = %s AND is_nullable = 'NO' AND column_default IS NULL",
            [table],
        )
        bare = {row[0] for row in cursor.fetchall()}
        for field in model._meta.concrete_fields:
            if field.column in bare and field.has_default():
                value = field.get_db_prep_save(field.get_default(), connection)
                literal = sql.Literal(value).as_string(connection.connection)
                cursor.execute(f'ALTER TABLE {table} ALTER COLUMN "{field.column}" SET DEFAULT {literal}')
                defaulted.append((table, field.column))
    return defaulted


def drop_defaults(cursor, defaulted: list[tuple[str, str]]) -> None:
    for table, column in defaulted:
        cursor.execute(f'ALTER TABLE {table} ALTER COLUMN "{column}" DROP DEFAULT')


def chunked(cursor, label: str, total: int, step: int, sql: str, params: dict, *, jobs: int = 1) -> float:
    """Run `sql` over the ranges [a, b] of 1..total, `step` at a time; on `jobs` connections of their own at once
    when jobs > 1 (a load PostgreSQL spends its time computing, such as the parts' text and documents)."""
    progress = Progress(label, total)
    chunks = [(start, min(total, start + step - 1)) for start in range(1, total + 1, step)]

    def run(chunk: tuple[int, int], on=None) -> None:
        (on or connection.cursor()).execute(sql, {**params, "a": chunk[0], "b": chunk[1]})
        progress.add(chunk[1] - chunk[0] + 1)

    if jobs == 1:
        for chunk in chunks:
            run(chunk, cursor)
    else:

        def in_thread(chunk: tuple[int, int]) -> None:
            try:
                run(chunk)
            finally:
                connection.close()  # this thread's own connection

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            list(pool.map(in_thread, chunks))
    return progress.close()


def seed(size: dict) -> dict:
    from tickets.models import SharingPolicy, TicketCategory, TicketState, TicketType

    timings = {}
    now = timezone.now()
    n, contacts, tickets, bo = size["conversations"], size["contacts"], size["tickets"], size["back_office"]
    with connection.cursor() as cursor:
        # setup_django() refused a database without the bench's marker; checked again on this very connection.
        owned.require_marked(cursor, BENCH.database_url)
        cursor.execute("TRUNCATE " + ", ".join(TABLES) + " RESTART IDENTITY CASCADE")
        cursor.execute("DELETE FROM bench_meta")
        # Dropped again after the load (and set again by the next seed if a failed one left them).
        defaulted = default_new_columns(cursor)
        # The nav's counter triggers cost ~0.2 ms a row (230 s for the conversations alone): off during the
        # load, then one INSERT ... SELECT counts everything, as the migration that added them does.
        for spec in COUNTER_SPECS:
            cursor.execute(f"ALTER TABLE {spec.table} DISABLE TRIGGER USER")
        search_off(cursor)
        cursor.execute(
            "INSERT INTO inbox_team (id, name, created_at) SELECT t, 'Team ' || lpad(t::text, 2, '0'), now() "
            "FROM generate_series(1, %s) t",
            [TEAMS],
        )
        cursor.execute(
            """INSERT INTO inbox_teammate (id, password, is_superuser, username, first_name, last_name, email,
                   is_staff, is_active, date_joined)
               SELECT t, %s, t = 1, 'tm' || lpad(t::text, 3, '0'), 'Teammate', lpad(t::text, 3, '0'),
                   'tm' || t || '@example.com', true, true, now()
               FROM generate_series(1, %s) t""",
            [make_password(PASSWORD), TEAMMATES],
        )
        cursor.execute(
            "INSERT INTO inbox_teammate_teams (teammate_id, team_id) SELECT t, (t - 1) %% %s + 1 "
            "FROM generate_series(1, %s) t",
            [TEAMS, TEAMMATES],
        )
        timings["contacts_s"] = chunked(
            cursor,
            "contacts",
            contacts,
            100_000,
            with_document(
                SEARCH_SPECS["inbox_contact"],
                "id, name, email, external_id, attributes, created_at",
                """SELECT c AS id, 'Contact ' || c AS name, 'contact' || c || '@example.com' AS email,
                       'c-' || c AS external_id, '{}'::jsonb AS attributes, now() AS created_at
                   FROM generate_series(%(a)s, %(b)s) c""",
            ),
            {},
        )
        # 30 % open, 10 % snoozed (with a deadline), 60 % closed; 1 in 5 unassigned; every one in a team
        # (by c / 10, so that each team has its share of each state).
        timings["conversations_s"] = chunked(
            cursor,
            "conversations",
            n,
            100_000,
            """INSERT INTO inbox_conversation (id, subject, state, snoozed_until, waiting_since, created_at,
                   updated_at, assignee_id, contact_id, team_id)
               SELECT c, 'Conversation ' || c,
                   CASE WHEN c %% 10 < 3 THEN 'open' WHEN c %% 10 = 3 THEN 'snoozed' ELSE 'closed' END,
                   CASE WHEN c %% 10 = 3 THEN %(now)s + (c %% 100 + 1) * interval '1 hour' END,
                   CASE WHEN c %% 10 < 3 AND c %% 2 = 0 THEN %(now)s - (%(n)s - c) * interval '30 seconds' END,
                   %(now)s - (%(n)s - c) * interval '30 seconds',
                   %(now)s - (%(n)s - c) * interval '30 seconds' + interval '10 minutes',
                   CASE WHEN c %% 5 = 0 THEN NULL ELSE c %% 499 + 1 END,
                   (c - 1) %% %(contacts)s + 1,
                   (c / 10) %% 50 + 1
               FROM generate_series(%(a)s, %(b)s) c""",
            {"now": now, "n": n, "contacts": contacts},
        )
        # Ten parts per conversation, one minute apart; their searchable text: bench/corpus.py.
        body = corpus.body_sql(c="c", k="k", p="((c - 1) * 10 + k + 1)", conversations=n, contacts=contacts)
        body = body.replace("%", "%%")
        timings["parts_s"] = chunked(
            cursor,
            "parts (x10)",
            n,
            20_000,
            with_document(
                SEARCH_SPECS["inbox_part"],
                "id, kind, body, event_type, data, source_key, created_at, author_id, conversation_id",
                f"""SELECT (c - 1) * 10 + k + 1 AS id, kind,
                       CASE WHEN kind = 'event' THEN 'Assigned to a teammate' ELSE {body} END AS body,
                       CASE WHEN kind = 'event' THEN 'assigned' ELSE '' END AS event_type,
                       '{{}}'::jsonb AS data, NULL AS source_key,
                       %(now)s - (%(n)s - c) * interval '30 seconds' + k * interval '1 minute' AS created_at,
                       CASE WHEN kind IN ('reply', 'note', 'event') THEN c %% 499 + 1 END AS author_id,
                       c AS conversation_id
                   FROM generate_series(%(a)s, %(b)s) c
                   CROSS JOIN generate_series(0, 9) k
                   CROSS JOIN LATERAL (SELECT (ARRAY['customer_message', 'reply', 'customer_message', 'note',
                       'event', 'reply', 'customer_message', 'reply', 'note', 'reply'])[k + 1] AS kind) kinds""",
            ),
            {"now": now, "n": n},
            jobs=JOBS,
        )

    bo_optional = TicketType.objects.create(
        name="Bench billing",
        icon="credit-card",
        category=TicketCategory.BACK_OFFICE,
        sharing_policy=SharingPolicy.OPTIONAL,
        default_team_id=1,
    )
    bo_never = TicketType.objects.create(
        name="Bench fraud",
        icon="shield-alert",
        category=TicketCategory.BACK_OFFICE,
        sharing_policy=SharingPolicy.NEVER,
        default_team_id=2,
    )
    customer = TicketType.objects.create(
        name="Bench request", icon="mail", category=TicketCategory.CUSTOMER, sharing_policy=SharingPolicy.ALWAYS
    )
    states = list(TicketState.objects.order_by("pk").values_list("pk", flat=True))
    for ticket_type in (bo_optional, bo_never, customer):
        ticket_type.states.set(states)

    with connection.cursor() as cursor:
        # Back-office tickets 1..bo, each linked to its own conversation (10 * j - 9); every tenth shared
        # (optional type). Customer tickets bo+1..tickets, each owning conversation 10 * j - 8 as thread.
        timings["tickets_s"] = chunked(
            cursor,
            "tickets",
            tickets,
            50_000,
            with_document(
                SEARCH_SPECS["tickets_ticket"],
                "id, category, sharing_policy, title, description, attributes, is_shared, created_at, updated_at, "
                "assignee_id, created_by_id, linked_conversation_id, linked_ticket_id, team_id, thread_id, state_id, "
                "ticket_type_id",
                # Titled by the order number its conversation speaks of (bench/corpus.py).
                f"""SELECT j AS id,
                       CASE WHEN bo THEN 'back_office' ELSE 'customer' END AS category,
                       CASE WHEN NOT bo THEN 'always' WHEN j %% 2 = 0 THEN 'optional' ELSE 'never' END
                           AS sharing_policy,
                       'Refund for order ' || {corpus.order_number_sql("conversation").replace("%", "%%")} AS title,
                       'Bench ticket.' AS description, '{{}}'::jsonb AS attributes,
                       bo AND j %% 10 = 0 AS is_shared,
                       %(now)s - (%(t)s - j) * interval '2 minutes' AS created_at,
                       %(now)s - (%(t)s - j) * interval '2 minutes' + interval '5 minutes' AS updated_at,
                       CASE WHEN j %% 3 = 0 THEN NULL ELSE j %% 499 + 1 END AS assignee_id,
                       j %% 499 + 1 AS created_by_id,
                       CASE WHEN bo THEN conversation END AS linked_conversation_id,
                       NULL::bigint AS linked_ticket_id,
                       j %% 50 + 1 AS team_id,
                       CASE WHEN NOT bo THEN conversation END AS thread_id,
                       (%(states)s::bigint[])[j %% 4 + 1] AS state_id,
                       CASE WHEN NOT bo THEN %(customer)s WHEN j %% 2 = 0 THEN %(optional)s ELSE %(never)s END
                           AS ticket_type_id
                   FROM generate_series(%(a)s, %(b)s) j
                   CROSS JOIN LATERAL (SELECT j <= %(bo)s AS bo) y
                   CROSS JOIN LATERAL (SELECT CASE WHEN bo THEN 10 * j - 9 ELSE 10 * (j - %(bo)s) - 8 END
                       AS conversation) z""",
            ),
            {
                "now": now,
                "t": tickets,
                "bo": bo,
                "states": states,
                "customer": customer.pk,
                "optional": bo_optional.pk,
                "never": bo_never.pk,
            },
        )
        timings["ticket_parts_s"] = chunked(
            cursor,
            "ticket parts (x4)",
            tickets,
            50_000,
            with_document(
                SEARCH_SPECS["tickets_ticketpart"],
                "id, kind, event_type, body, cross_posted, data, created_at, author_id, ticket_id",
                f"""SELECT (j - 1) * 4 + k + 1 AS id,
                       CASE WHEN k = 0 THEN 'event' ELSE 'note' END AS kind,
                       CASE WHEN k = 0 THEN 'created' ELSE '' END AS event_type,
                       CASE WHEN k = 0 THEN 'Ticket created'
                           ELSE {corpus.words_sql("((j - 1) * 4 + k + 1)").replace("%", "%%")} END AS body,
                       false AS cross_posted, '{{}}'::jsonb AS data,
                       %(now)s - (%(t)s - j) * interval '2 minutes' + k * interval '1 minute' AS created_at,
                       j %% 499 + 1 AS author_id, j AS ticket_id
                   FROM generate_series(%(a)s, %(b)s) j CROSS JOIN generate_series(0, 3) k""",
            ),
            {"now": now, "t": tickets},
        )
        for table in (
            "inbox_team",
            "inbox_teammate",
            "inbox_contact",
            "inbox_conversation",
            "inbox_part",
            "tickets_ticket",
            "tickets_ticketpart",
        ):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        drop_defaults(cursor, defaulted)
        timings |= search_on(cursor)
        t0 = time.monotonic()
        for spec in COUNTER_SPECS:
            cursor.execute(f"ALTER TABLE {spec.table} ENABLE TRIGGER USER")
            cursor.execute(spec.fill_sql())
        timings["counters_s"] = time.monotonic() - t0
    t0 = time.monotonic()
    sys.stderr.write("  VACUUM ANALYZE ...")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    timings["vacuum_analyze_s"] = time.monotonic() - t0
    sys.stderr.write(f" {timings['vacuum_analyze_s']:.1f} s\n")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_meta (scale, version, timings, seeded_at) VALUES (%s, %s, %s, now())",
            [SCALE, SEED_VERSION, json.dumps({k: round(v, 1) for k, v in timings.items()})],
        )
    return timings


def main() -> None:
    call_command("migrate", verbosity=0)
    size = sizes()
    if seeded() == (SCALE, SEED_VERSION) and "--force" not in sys.argv:
        print(f"{BENCH.database} already seeded at scale {SCALE} (version {SEED_VERSION}): reusing it", file=sys.stderr)
        return
    print(f"seeding {BENCH.database} at scale {SCALE}: {size}", file=sys.stderr)
    t0 = time.monotonic()
    try:
        timings = seed(size)
    except owned.NotOwned as error:
        sys.exit(f"bench: {error}")
    total = time.monotonic() - t0
    print(f"seeded in {total:.1f} s: " + ", ".join(f"{k} {v:.1f}" for k, v in timings.items()), file=sys.stderr)


if __name__ == "__main__":
    main()

"""schemathesis against the API's own OpenAPI description, on a running server: generated requests (valid and not)
to every operation get no 5xx, and no response that breaks the description (status, content type, schema)."""

import subprocess
import sys
from pathlib import Path

import pytest

from helpdesk.models import ApiScope
from helpdesk.tokens import create_api_token
from tests.factories import (
    BackOfficeTicketFactory,
    ContactFactory,
    ConversationFactory,
    CustomerTicketFactory,
    TeammateFactory,
    TrackerTicketFactory,
)

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
EXAMPLES = 10  # per operation and phase: about 1,000 requests in all, under a minute
SEED = 15  # the same requests on every run, so that a failure here is one anybody can replay


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_api_answers_generated_requests_as_its_openapi_description_says(live_server, tmp_path):
    teammate = TeammateFactory()
    for _ in range(3):  # rows for the low ids a generator tries first
        conversation = ConversationFactory(contact=ContactFactory())
        BackOfficeTicketFactory(conversation=conversation)
        CustomerTicketFactory()
        TrackerTicketFactory()
    key = create_api_token(
        actor=None, teammate_id=teammate.pk, name="schemathesis", scopes=list(ApiScope.values), rate_limit=1_000_000
    ).key
    run = subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            f"{live_server.url}/api/v1/openapi.json",
            f"--header=Authorization: Bearer {key}",
            f"--checks={CHECKS}",
            f"--max-examples={EXAMPLES}",
            f"--seed={SEED}",
            "--workers=2",
            "--generation-database=none",
            "--suppress-health-check=all",
            "--no-color",
            "--request-timeout=10",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stdout[-6000:]  # schemathesis exits non-zero on any failed check

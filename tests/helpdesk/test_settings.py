"""Settings read from the environment, checked in a fresh interpreter: settings are read once, at import."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def setting(name: str, **environ: str) -> str:
    """The value of one setting in a new process started with `environ` (and none of ours that would change it)."""
    env = {key: value for key, value in os.environ.items() if key not in {"PORT", "SITE_URL"}} | environ
    code = f"from django.conf import settings; print(settings.{name})"
    env["DJANGO_SETTINGS_MODULE"] = "helpdesk.settings"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"DEBUG": "1"}, "http://127.0.0.1:8000"),  # `make run` with nothing set
        ({"DEBUG": "1", "PORT": "8101"}, "http://127.0.0.1:8101"),  # `PORT=8101 make run`
        ({"DEBUG": "1", "PORT": "8101", "SITE_URL": "https://help.example.com/"}, "https://help.example.com"),
    ],
    ids=["default", "port", "configured"],
)
def test_site_url_is_the_address_make_run_serves_on_unless_configured(environ, expected):
    assert setting("SITE_URL", **environ) == expected

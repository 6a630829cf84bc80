"""The demo answers like production (issue 10, finding 5): the portal's French 404 and 500 pages, never Django's
debug pages (which list every URL pattern, settings and tracebacks), and the production security headers.

The demo's settings module is loaded in a child process, as `make run` does: no DATABASE_URL nor REDIS_URL.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json
from unittest import mock

import django

django.setup()
from django.test import Client

from portal.views import public

client = Client(raise_request_exception=False, HTTP_HOST="127.0.0.1")
answers = {"missing": client.get("/n-existe-pas/"), "static": client.get("/static/css/portal.css")}
with mock.patch.object(public, "render", side_effect=RuntimeError("secret internal detail")):
    answers["error"] = client.get("/regles-d-usage/")
print(json.dumps({
    name: {"status": r.status_code, "headers": dict(r.headers), "body": b"".join(r).decode(errors="replace")}
    for name, r in answers.items()
}))
"""


def demo_answers() -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "DJANGO_DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings.dev"
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def assert_production_headers(headers: dict) -> None:
    policy = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy and "unsafe-inline" not in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"


def test_the_demo_answers_like_production():
    answers = demo_answers()
    missing = answers["missing"]
    assert missing["status"] == 404
    assert "URLconf" not in missing["body"] and "gestion-des-habilitations" not in missing["body"]
    assert "<h1>PAGE INTROUVABLE</h1>" in missing["body"]
    assert_production_headers(missing["headers"])

    error = answers["error"]
    assert error["status"] == 500
    assert "ERREUR TECHNIQUE" in error["body"]
    assert "secret internal detail" not in error["body"] and "Traceback" not in error["body"]
    assert_production_headers(error["headers"])

    # DEBUG off: the static files are still served (WhiteNoise, from the source folders).
    assert answers["static"]["status"] == 200

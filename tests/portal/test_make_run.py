"""`make run PORT=8010` serves the demo on that port and its e-mails' links follow it (issue 12, item 10)."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def dry_run(*args: str) -> str:
    return subprocess.run(["make", "-n", "run", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout


def test_make_run_port_sets_the_server_and_the_links():
    commands = dry_run("PORT=8010")
    assert "runserver 127.0.0.1:8010" in commands
    assert "PORTAL_BASE_URL=http://127.0.0.1:8010" in commands


def test_make_run_defaults_to_8000():
    commands = dry_run()
    assert "runserver 127.0.0.1:8000" in commands and "PORTAL_BASE_URL=http://127.0.0.1:8000" in commands

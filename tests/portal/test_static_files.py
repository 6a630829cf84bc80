"""Static files as production builds them: `collectstatic` with the production storage (hashed names, compressed)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_collectstatic_with_the_production_storage(tmp_path):
    """The manifest storage rewrites every reference it finds (CSS url(), JS sourceMappingURL): a vendored file
    that points to a file we do not ship makes the deployment's collectstatic fail."""
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},  # set by the browser tests
        "DJANGO_SETTINGS_MODULE": "portal.settings.prod",
        "DJANGO_SECRET_KEY": "x9!" * 20 + "production-like-secret-key-0123456789",
        "DJANGO_ALLOWED_HOSTS": "moncomptepartenaire.example",
        "STATIC_ROOT": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "staticfiles.json").exists()

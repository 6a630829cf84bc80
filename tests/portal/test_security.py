import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from habilitations.access.decorators import ADMIN, AUTHENTICATED, MANAGER, PUBLIC, SERVICE, SETUP_STEP

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_security_headers_on_every_page(client):
    response = client.get("/connexion/")
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    nonce = re.search(r"script-src 'self' 'nonce-([^']+)'", csp).group(1)
    assert f'nonce="{nonce}"' in response.content.decode()
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_no_inline_script_or_style_without_nonce(client, login, user):
    login(user)
    for url in ["/", "/connexion/", "/accueil/", "/mon-profil/", "/mot-de-passe-oublie/", "/ma-caf/"]:
        html = client.get(url).content.decode()
        for tag in re.findall(r"<(?:script|style)\b[^>]*>", html):
            assert "nonce=" in tag, (url, tag)
        assert not re.search(r"\son[a-z]+=", html), url  # no inline event handlers
        assert " style=" not in html, url


def test_authenticated_pages_are_never_stored(client, login, user):
    login(user)
    for url in ["/accueil/", "/mon-profil/"]:
        cache_control = client.get(url)["Cache-Control"]
        assert "no-store" in cache_control and "private" in cache_control


def test_every_url_needs_a_login_unless_declared_public(client):
    """Deny by default: walk every URL pattern of the project; each view declares a rule; only public views
    answer an anonymous visitor."""
    declared = {}

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name == "admin":
                    continue  # the admin site guards itself (staff + second factor), tested in test_otp
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                declared[prefix + str(pattern.pattern)] = getattr(pattern.callback, "access_rule", None)

    walk(get_resolver().url_patterns)
    missing = [
        route
        for route, rule in declared.items()
        if rule not in (PUBLIC, AUTHENTICATED, SETUP_STEP, SERVICE, MANAGER, ADMIN)
    ]
    assert not missing, f"views without an access rule: {missing}"
    for route, rule in declared.items():
        if "<" in route or "(?P" in route or rule == PUBLIC:
            continue
        response = Client().get("/" + route)
        assert response.status_code == 302 and response["Location"].startswith("/connexion/"), route


def test_csrf_forged_token_is_refused_with_a_french_page(user):
    client = Client(enforce_csrf_checks=True)
    client.get("/connexion/")
    response = client.post(
        "/connexion/", {"username": user.identifiant, "password": "x", "csrfmiddlewaretoken": "forged" * 10}
    )
    assert response.status_code == 403
    assert "FORMULAIRE EXPIRÉ" in response.content.decode()


def test_french_404_page(client):
    response = client.get("/n-existe-pas/")
    assert response.status_code == 404
    assert "PAGE INTROUVABLE" in response.content.decode()


def test_500_shows_an_incident_number_and_no_trace(client, monkeypatch, caplog):
    from portal.views import public

    def boom(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(public, "render", boom)
    client.raise_request_exception = False
    response = client.get("/regles-d-usage/")
    assert response.status_code == 500
    content = response.content.decode()
    incident = re.search(r'id="incident">([0-9A-F]{12})<', content).group(1)
    assert "secret internal detail" not in content and "Traceback" not in content
    assert "ERREUR TECHNIQUE" in content
    assert any(incident in record.getMessage() for record in caplog.records)


def test_check_deploy_passes_with_production_settings():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},  # set by the browser tests
        "DJANGO_SETTINGS_MODULE": "portal.settings.prod",
        "DJANGO_SECRET_KEY": "x9!" * 20 + "production-like-secret-key-0123456789",
        "DJANGO_ALLOWED_HOSTS": "moncomptepartenaire.example",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/mcp",
        "REDIS_URL": "redis://127.0.0.1:6379/15",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_refusals_and_missing_pages_are_not_logged_as_incidents(client, caplog):
    client.get("/n-existe-pas/")
    client.get("/captcha/refresh/")  # raises Http404 inside the view
    assert not [r for r in caplog.records if r.name == "portal.incident"]

"""What the access tests share: the project's URL patterns as the resolver holds them, and a client logged in
through the real forms (second factor included)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import TEST_PASSWORD


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name" as reverse() takes it; the Django admin's under "admin:"
    pattern: str  # the full pattern, for messages
    arguments: tuple[str, ...]  # the captured arguments, in order
    view: Callable


def routes(*, admin: bool = False) -> list[Route]:
    """Every named URL pattern; the Django admin's too when `admin` (it guards itself: staff, second factor and
    per-Caf querysets). Unnamed patterns (the admin's redirects to a change page) cannot be reversed: skipped."""
    found = []

    def walk(patterns, namespace="", prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name == "admin" and not admin:
                    continue
                label = "admin" if pattern.app_name == "admin" else pattern.namespace
                inner = f"{namespace}{label}:" if label else namespace
                walk(pattern.url_patterns, inner, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and pattern.name:
                arguments = tuple(pattern.pattern.regex.groupindex)
                route = Route(namespace + pattern.name, prefix + str(pattern.pattern), arguments, pattern.callback)
                found.append(route)

    walk(get_resolver().url_patterns)
    return found


def all_url_names() -> set[str]:
    return {route.name for route in routes()}


def verified_client(user) -> Client:
    """Log in through the real form and, when required, enrol and verify the second factor."""
    client = Client()
    response = client.post("/connexion/", {"username": user.identifiant, "password": TEST_PASSWORD})
    assert response.status_code == 302, user
    if user.requires_otp:
        client.get("/double-authentification/enrolement/")
        device = TOTPDevice.objects.get(user=user)
        token = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
        client.post("/double-authentification/enrolement/", {"token": token})
    return client

"""Object access, discovered: every URL of the project that takes an object id or reference (the Django admin's
included) is filled with an object of organism A (Caf 061) and fetched, GET and POST, by people who must not reach
it: a partner of each role in organism B (same Caf) and in organism C (Caf 831), the agent of the Caf 831, an
anonymous visitor. The answer is 404, or a redirect to the login page (the admin's "does not exist" redirect for
its objects); a 403 or 405 is accepted only when it shows nothing of A; never a 200; nothing is written.

A new URL with an argument must say how to build A's object for it (tests/security/world.py: OBJECT_URLS, or
ADMIN_OBJECTS for a model of the admin) or why it is not an object (EXCEPTIONS below).
"""

import pytest
from django.urls import reverse

from tests.security.world import (
    ADMIN_OBJECTS,
    MARKER,
    OBJECT_URLS,
    Snapshot,
    World,
    admin_model_of,
    known,
    kwargs_for,
)
from tests.support.access import routes

pytestmark = pytest.mark.django_db

# URL name (or admin model label) → why it is not one of somebody's objects.
EXCEPTIONS = {
    "portal:guide_pdf": "the user guides are public documents, the same for everyone: the slug names a guide",
    "portal:profile_email_confirm": "a signed token naming its account, not an object id: another account's token "
    "changes nothing (tests/portal/test_profile.py)",
    "captcha-image": "a captcha challenge's random key, shown to anyone on « Mot de passe oublié ? »",
    "captcha-image-2x": "a captcha challenge's random key, shown to anyone on « Mot de passe oublié ? »",
    "captcha-audio": "a captcha challenge's random key, shown to anyone on « Mot de passe oublié ? »",
    "admin:app_list": "the admin's page of one application (its label), not an object",
    "habilitations.caf": "national reference data (the 101 Caf), read-only, the same for every agent",
    "habilitations.service": "national reference data (the services), read-only, the same for every agent",
    "habilitations.profile": "national reference data (the profiles), read-only, the same for every agent",
    "habilitations.partnertype": "national reference data (the partner types), read-only, the same for every agent",
    "portal:document_pdf": "the blank conventionnement documents are public, the same for everyone: the Caf's code "
    "and the document's slug name no partner's object (tests/portal/test_documents.py)",
    "cdap:aide_rubrique": "a rubric's help page: the slug names a rubric, not an object; who may read which rubric's "
    "help is tested in tests/cdap/test_help.py",
    "portal.faqentry": "the portal's public Questions / Réponses, national content, the same for every agent",
}

# Who tries: a partner of each role of another organism of the same Caf, and of another Caf; the other Caf's agent.
VIEWERS = {
    "anonyme": lambda w: None,
    "administrateur_autre_organisme": lambda w: w.b.administrator,
    "responsable_autre_organisme": lambda w: w.b.responsable,
    "utilisateur_cdap_autre_organisme": lambda w: w.b.cdap_user,
    "superviseur_autre_organisme": lambda w: w.b.supervisor,
    "administrateur_autre_caf": lambda w: w.c.administrator,
    "responsable_autre_caf": lambda w: w.c.responsable,
    "utilisateur_cdap_autre_caf": lambda w: w.c.cdap_user,
    "agent_autre_caf": lambda w: w.other_agent,
}


def excepted(route) -> bool:
    return route.name in EXCEPTIONS or admin_model_of(route.name) in EXCEPTIONS


def object_routes():
    return [route for route in routes(admin=True) if route.arguments and not excepted(route)]


def test_every_url_with_an_argument_is_covered_or_excepted():
    uncovered = [f"{route.name} ({route.pattern})" for route in object_routes() if not known(route)]
    assert not uncovered, (
        "URLs taking an argument that the object-access suite does not know: "
        f"{uncovered}. Add how to build organism A's object for each to OBJECT_URLS (or, for a model of the admin, "
        "ADMIN_OBJECTS) in tests/security/world.py, or, if it names no object of anybody's, to EXCEPTIONS in "
        "tests/security/test_object_access.py with the reason."
    )
    names = {route.name for route in routes(admin=True)}
    labels = {admin_model_of(name) for name in names}
    stale = [name for name in [*OBJECT_URLS, *EXCEPTIONS] if name not in names and name not in labels]
    stale += [label for label in ADMIN_OBJECTS if label not in labels]
    assert not stale, f"Entries of the registry that no longer name a URL: {stale}"


@pytest.fixture
def world():
    return World()


def body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode(errors="replace")


def problem(response, route) -> str:
    """What is wrong with this answer to a stranger ("" when nothing)."""
    if MARKER.lower() in body(response).lower():
        return f"{response.status_code} showing organism A's object"
    if response.status_code in (404, 403, 405):
        return ""
    if response.status_code in (301, 302):
        location = response["Location"]
        if location.startswith((reverse("portal:login"), reverse("admin:login"))):
            return ""
        if route.name.startswith("admin:") and location == reverse("admin:index"):
            return ""  # the admin's "… with ID … doesn't exist" (a message on the index, the object not named)
        return f"redirected to {location}"
    return f"answered {response.status_code}"


@pytest.mark.parametrize("viewer", VIEWERS)
def test_a_stranger_never_reaches_an_object_of_organism_a(world, viewer):
    user = VIEWERS[viewer](world)
    client = world.client(user)
    targets = [(route, reverse(route.name, kwargs=kwargs_for(world, route))) for route in object_routes()]
    before = Snapshot.take()
    wrong = []
    for route, url in targets:
        for method in (client.get, client.post):
            found = problem(method(url), route)
            if found:
                wrong.append(f"{method.__name__.upper()} {url} ({route.name}): {found}")
    assert not wrong, f"{viewer}:\n" + "\n".join(wrong)
    assert not before.changes(), before.changes()

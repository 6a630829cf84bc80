"""An unknown profile code opens nothing (habilitations.access.rubrics.rubrics_for: deny by default): no rubric, no
tab, no identity block, no attestation — in the mask itself, the view-model, the HTML pages and the PDF.

Through the pages, the user holds a Consulter Dossier grant whose profile code the mask table does not know (a
profile of the grants missing from the CSV-loaded matrix): the access context is the real one plus that grant, so
the views, the selector and the mask run unchanged."""

import dataclasses

import pytest
from django.urls import reverse

from cdap import selectors
from cdap.models import Consultation, PostalRequest
from habilitations.access import middleware
from habilitations.access.context import Grant
from habilitations.access.rubrics import RUBRIC_LABELS, TAB_ORDER, may_see, rubrics_for, tabs_for
from habilitations.journal import Event, JournalEntry
from tests.cdap.dossiers import SENTINELS, make_dossier
from tests.factories import GroupFactory, UserFactory, caf, member

pytestmark = pytest.mark.django_db

UNKNOWN = "T99-INCONNU"
IDENTITY = ["LEFÈVRE", "12 rue des Lilas", "TOULON"]  # the synthèse's identity block (make_dossier)


@pytest.mark.parametrize("code", [UNKNOWN, "", "t1-ass", "AFAS-DECLARER"], ids=["inconnu", "vide", "casse", "afas"])
def test_the_mask_of_an_unknown_code_is_empty(code):
    """Not a CDAP profile (unknown, empty, another case, another service's profile): nothing is open."""
    assert rubrics_for(code) == frozenset()
    assert tabs_for(code) == []
    assert not any(may_see(code, rubric) for rubric in RUBRIC_LABELS)


@pytest.fixture
def consultation(client, login, monkeypatch):
    """A consultation of a sentinel dossier with the profile UNKNOWN, held by its logged-in user."""
    group = GroupFactory(code="INCONNU")
    user = UserFactory(organism=group.convention.organism)
    member(user, group)
    unknown_grant = Grant(
        service="CDAP",
        profile=UNKNOWN,
        profile_libelle="Profil absent de la matrice",
        service_libelle="Consulter Dossier",
        group_id=group.pk,
        group_code=group.code,
        group_libelle=group.libelle,
        convention_id=group.convention_id,
        organism_id=group.convention.organism_id,
        until=None,
    )
    real = middleware.access_context_for

    def with_unknown_grant(who, day=None):
        access = real(who, day)
        return dataclasses.replace(access, grants=(*access.grants, unknown_grant)) if who.pk == user.pk else access

    monkeypatch.setattr(middleware, "access_context_for", with_unknown_grant)
    login(user)
    return Consultation.objects.create(
        user=user, dossier=make_dossier(caf("061")), profile_code=UNKNOWN, organism=group.convention.organism
    )


def rubric_url(consultation, rubric: str) -> str:
    if rubric == "synthese":
        return reverse("cdap:synthese", args=[consultation.reference])
    return reverse("cdap:rubric", args=[consultation.reference, rubric])


def assert_shows_nothing_of_the_dossier(html: str, consultation) -> None:
    """No rubric's data, no identity, no link to a rubric (the synthèse may be linked as "Annuler")."""
    assert not any(sentinel in html for sentinel in SENTINELS.values())
    assert not any(value in html for value in IDENTITY)
    for rubric in (r for r in TAB_ORDER if r != "synthese"):
        assert f'href="{rubric_url(consultation, rubric)}"' not in html, rubric


def test_the_synthese_and_every_rubric_are_refused_and_journaled(client, consultation):
    for rubric in TAB_ORDER:
        response = client.get(rubric_url(consultation, rubric))
        assert response.status_code == 403, rubric
        assert_shows_nothing_of_the_dossier(response.content.decode(), consultation)
    refused = JournalEntry.objects.filter(event=Event.CDAP_RUBRIC_REFUSED, user=consultation.user)
    assert sorted(entry.data["rubric"] for entry in refused) == sorted(TAB_ORDER)
    assert all(entry.data["profile"] == UNKNOWN for entry in refused)
    assert not JournalEntry.objects.filter(event=Event.CDAP_RUBRIC, user=consultation.user).exists()


def test_the_pages_that_show_the_tabs_show_none(client, consultation):
    """The Dialogue page of the consultation carries the dossier's header: no tab, no identity, no attestation."""
    response = client.get(reverse("cdap:dialogue", args=[consultation.reference]))
    assert response.status_code == 200
    html = response.content.decode()
    tabs = html[html.index('<nav class="cdap-tabs"') : html.index("</nav>", html.index('<nav class="cdap-tabs"'))]
    assert "<li>" not in tabs and "href=" not in tabs  # the header is there, its tabs empty
    assert_shows_nothing_of_the_dossier(html, consultation)
    assert reverse("cdap:attestation", args=[consultation.reference]) not in html


def test_no_attestation_page_nor_pdf(client, consultation):
    url = reverse("cdap:attestation", args=[consultation.reference])
    assert client.get(url).status_code == 403
    response = client.post(url, {"mode": "telecharger"})
    assert response.status_code == 403 and response["Content-Type"] != "application/pdf"
    assert not response.content.startswith(b"%PDF")
    assert client.post(url, {"mode": "courrier"}).status_code == 403
    assert not PostalRequest.objects.filter(consultation=consultation).exists()
    assert not JournalEntry.objects.filter(event=Event.CDAP_ATTESTATION).exists()


def test_the_view_model_and_the_attestation_data_are_never_built(consultation):
    """The selectors the pages and the Caf agents' printing use refuse too (a PermissionError, never data)."""
    header = selectors.dossier_view(consultation, rubric=None)
    assert header["tabs"] == [] and header["identity"] == {} and header["attestation"] is False
    for rubric in TAB_ORDER:
        with pytest.raises(PermissionError):
            selectors.dossier_view(consultation, rubric=rubric)
    with pytest.raises(PermissionError):
        selectors.attestation_data(consultation)

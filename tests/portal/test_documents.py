"""The conventionnement documents (webinar 004:126–128, issue 21.14): blank PDFs to fill in and sign — convention
d'accès, contrat de service, a bulletin d'adhésion per service, the bulletin d'éligibilité — downloadable from « Ma
Caf », each with the address of the Caf to send it back to; rendered once, then served from the cache until the
template or the Caf's address changes."""

import html

import pytest
from django.core.cache import cache

from habilitations.models import Caf
from portal.views import documents
from tests.portal.test_guides import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def caf061():
    cache.clear()
    caf = Caf.objects.get(code="061")
    Caf.objects.filter(pk=caf.pk).update(
        adresse_postale="Service Partenaires\n48 route de Grenoble\n06200 Nice", email="partenaires@caf06.example"
    )
    caf.refresh_from_db()
    yield caf
    cache.clear()


def download(client, caf_code, slug):
    return client.get(f"/documents/{caf_code}/{slug}.pdf")


EXPECTED = {
    "convention-d-acces": ["Convention d'accès à « Mon Compte Partenaire »", "Article 3 — Engagements du partenaire"],
    "contrat-de-service": ["Contrat de service", "Assistance"],
    "bulletin-adhesion-cdap": ["Bulletin d'adhésion au service Consulter Dossier (CDAP)", "Profil(s) d'accès demandé"],
    "bulletin-adhesion-afas": ["Bulletin d'adhésion au service Aide financière d'action sociale (Afas)", "Suppléant"],
    "bulletin-adhesion-adonis": ["Bulletin d'adhésion au service Adonis", "Principal"],
    "bulletin-adhesion-dgfip": ["Bulletin d'adhésion au service Offre DGFIP", "Principal"],
    "bulletin-eligibilite": ["Bulletin d'éligibilité", "Départements concernés"],
}


def test_every_document_is_listed(caf061):
    assert set(documents.DOCUMENTS) == set(EXPECTED)


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_each_document_is_a_pdf_in_french_with_blanks_signatures_and_the_return_address(client, caf061, slug):
    response = download(client, "061", slug)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="mcp-{slug}.pdf"'
    text = pdf_text(response.content)
    for expected in EXPECTED[slug]:
        assert expected in text, expected
    assert "Document à compléter, signer et retourner à : Caf des Alpes-Maritimes" in text
    assert "Service Partenaires 48 route de Grenoble 06200 Nice" in text
    assert "partenaires@caf06.example" in text
    for blank in ["Raison sociale", "Numéro SIRET", "Pour l'organisme partenaire", "Signature et cachet"]:
        assert blank in text, blank
    assert "Pour la Caf des Alpes-Maritimes" in text


def test_cached_then_rendered_again_when_the_caf_address_changes(client, caf061, monkeypatch):
    calls = []
    real = documents.pdf.render_pdf
    monkeypatch.setattr(documents.pdf, "render_pdf", lambda *a, **k: calls.append(a) or real(*a, **k))
    first = download(client, "061", "convention-d-acces").content
    assert download(client, "061", "convention-d-acces").content == first and len(calls) == 1
    Caf.objects.filter(pk=caf061.pk).update(adresse_postale="1 avenue Nouvelle\n06000 Nice")
    text = pdf_text(download(client, "061", "convention-d-acces").content)
    assert len(calls) == 2 and "1 avenue Nouvelle 06000 Nice" in text and "48 route de Grenoble" not in text
    # Another Caf: its own document, with its own name.
    var = pdf_text(download(client, "831", "convention-d-acces").content)
    assert "retourner à : Caf du Var" in var and len(calls) == 3


@pytest.mark.parametrize("caf_code, slug", [("999", "convention-d-acces"), ("061", "inconnu"), ("06", "contrat")])
def test_an_unknown_caf_or_document_answers_404(client, caf061, caf_code, slug):
    assert download(client, caf_code, slug).status_code == 404


def test_ma_caf_lists_the_documents_with_the_address_to_return_them_to(client, caf061):
    page = html.unescape(client.post("/ma-caf/", {"code_postal": "06000"}).content.decode())
    assert "Documents de conventionnement" in page
    assert "retournez-les à la Caf des Alpes-Maritimes :" in page
    assert "48 route de Grenoble<br>06200 Nice" in page
    for slug in EXPECTED:
        assert f'href="/documents/061/{slug}.pdf"' in page
    assert "Bulletin d'adhésion au service Offre DGFIP (PDF)" in page

"""The user guides: public PDF downloads from the Accueil page, rendered once and then served from the cache."""

import io
import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.urls import reverse
from pypdf import PdfReader

from core import pdf
from habilitations.models import Caf
from portal.views import documents, guides

pytestmark = pytest.mark.django_db

EXPECTED = {
    "administrateur": (
        "mcp-guide-administrateur.pdf",
        "Guide de l'administrateur",
        [
            "Sommaire",
            "Créer un groupe",
            "Donner des habilitations au groupe",
            "Créer un utilisateur",
            "Identifiants et mots de passe provisoires",
            "Fermer un compte : clôturer un utilisateur",
            "La double authentification",
        ],
    ),
    "consulter-dossier": (
        "mcp-guide-consulter-dossier.pdf",
        "Guide de l'utilisateur — Consulter Dossier",
        [
            "Sommaire",
            "Rechercher un dossier : nom et numéro allocataire",
            "Les rubriques selon votre profil",
            "L'attestation de paiement",
            "Dialogue : échanger avec la Caf",
            "Imprimer",
        ],
    ),
    "premiere-connexion": (
        "mcp-guide-premiere-connexion.pdf",
        "Première connexion et mot de passe",
        [
            "Sommaire",
            "Votre identifiant",
            "Le mot de passe provisoire (24 heures)",
            "Les règles du mot de passe",
            "Mot de passe oublié",
            "Compte verrouillé après 5 essais",
            "Problème de connexion",
        ],
    ),
}


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text).replace("’", "'")


@pytest.fixture
def render_calls(monkeypatch):
    """Counts the renderings (our own render_pdf, still called for real)."""
    calls = []
    real = pdf.render_pdf

    def counting(template, context, **kwargs):
        calls.append(template)
        return real(template, context, **kwargs)

    monkeypatch.setattr(pdf, "render_pdf", counting)
    return calls


def test_the_guides_listed_are_the_expected_ones():
    assert set(guides.GUIDES) == set(EXPECTED)


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_each_guide_downloads_anonymously_as_a_pdf(client, slug):
    filename, title, headings = EXPECTED[slug]
    response = client.get(f"/guides/{slug}.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) >= 2
    assert reader.metadata.title.startswith(title)
    text = pdf_text(response.content)
    assert title in text
    for heading in headings:
        assert heading in text, heading
    # Every guide closes with the same pointers to help.
    assert "Problème de connexion" in text


def test_key_rules_are_in_the_guides(client):
    first = pdf_text(client.get("/guides/premiere-connexion.pdf").content)
    for fact in ("24 heures", "8 à 32 caractères", "15 minutes", "Mot de passe oublié ?"):
        assert fact in first, fact
    cdap = pdf_text(client.get("/guides/consulter-dossier.pdf").content)
    for fact in ("numéro allocataire", "Nom allocataire", "Télécharger", "Envoyer par courrier"):
        assert fact in cdap, fact


def test_the_table_of_contents_gives_page_numbers(client):
    text = pdf_text(client.get("/guides/administrateur.pdf").content)
    # "Créer un utilisateur ....... 2": the leader and the target page counter are rendered.
    assert re.search(r"Créer un utilisateur ?\.{3,} ?\d+", text), text[:1500]


def test_unknown_guide_is_a_french_404(client):
    response = client.get("/guides/inconnu.pdf")
    assert response.status_code == 404
    assert "text/html" in response["Content-Type"]
    assert "introuvable" in response.content.decode().lower()


def test_a_guide_only_answers_get_and_head(client):
    assert client.head("/guides/administrateur.pdf").status_code == 200
    assert client.post("/guides/administrateur.pdf").status_code == 405


def test_second_download_is_served_from_the_cache(client, render_calls):
    guide = guides.GUIDES["consulter-dossier"]
    key = guides.cache_key(guide)
    assert cache.get(key) is None
    first = client.get("/guides/consulter-dossier.pdf")
    assert render_calls == ["guides/consulter-dossier.html"]
    assert cache.get(key) == first.content
    second = client.get("/guides/consulter-dossier.pdf")
    assert second.status_code == 200
    assert second.content == first.content
    assert render_calls == ["guides/consulter-dossier.html"], "the second download must not render again"
    # Another guide has its own entry.
    client.get("/guides/administrateur.pdf")
    assert render_calls == ["guides/consulter-dossier.html", "guides/administrateur.html"]


def test_the_cache_key_follows_the_template(monkeypatch):
    guide = guides.GUIDES["administrateur"]
    key = guides.cache_key(guide)
    assert key.startswith("guide-pdf:administrateur:")
    guides.template_version.cache_clear()
    monkeypatch.setattr(guides, "GUIDE_BASE_TEMPLATE", "guides/premiere-connexion.html")
    try:
        assert guides.cache_key(guide) != key
    finally:
        guides.template_version.cache_clear()


@pytest.mark.parametrize("base", ["guide", "document"])
def test_the_cache_key_follows_the_shared_pdf_parent(monkeypatch, base):
    """The guides' and the documents' bases extend pdf/_base.html (the cover, the page): a change there is a new
    key for both."""

    def key():
        if base == "guide":
            return guides.cache_key(guides.GUIDES["administrateur"])
        return documents.cache_key(documents.DOCUMENTS["contrat-de-service"], Caf(code="061", nom="Caf"))

    guides.template_version.cache_clear()
    before = key()
    guides.template_version.cache_clear()
    monkeypatch.setattr(guides, "PDF_BASE_TEMPLATE", "guides/premiere-connexion.html")
    try:
        assert key() != before
    finally:
        guides.template_version.cache_clear()


@pytest.mark.parametrize("change", ["renderer", "weasyprint"])
def test_the_cache_key_follows_the_renderer(monkeypatch, tmp_path, change):
    """A deployment that changes how PDFs are made (core/pdf.py, WeasyPrint's version) does not serve the guides
    made by the previous code."""
    guide = guides.GUIDES["administrateur"]
    key = guides.cache_key(guide)
    guides.template_version.cache_clear()
    if change == "renderer":
        changed = tmp_path / "pdf.py"
        changed.write_bytes(Path(guides.pdf.__file__).read_bytes() + b"\n# changed\n")
        monkeypatch.setattr(guides.pdf, "__file__", str(changed))
    else:
        monkeypatch.setattr(guides.weasyprint, "__version__", "0.0")
    try:
        assert guides.cache_key(guide) != key
    finally:
        guides.template_version.cache_clear()


def test_a_cache_outage_still_serves_the_guide(client, monkeypatch):
    class BrokenCache:
        def get(self, *args, **kwargs):
            raise ConnectionError("redis down")

        set = get

    monkeypatch.setattr(guides, "cache", BrokenCache())
    response = client.get("/guides/premiere-connexion.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")


def test_accueil_links_to_every_guide(client):
    response = client.get(reverse("portal:accueil"))
    html = response.content.decode()
    assert "Guides à télécharger" in html
    for slug, (_filename, title, _headings) in EXPECTED.items():
        url = reverse("portal:guide_pdf", kwargs={"slug": slug})
        assert url == f"/guides/{slug}.pdf"
        assert f'href="{url}"' in html
        assert f"{title} (PDF)".replace("'", "&#x27;") in html

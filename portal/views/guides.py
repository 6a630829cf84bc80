"""The user guides of Mon Compte Partenaire, downloadable as PDF from the Accueil page (public).

Each guide is an HTML template of templates/guides/ rendered by WeasyPrint (core.pdf.render_pdf, static-only
fetcher). The PDF is the same for everyone: its bytes are kept in Django's cache under a key made of the slug and
a hash of the templates' source and of the renderer, so a second download is not rendered again and a changed
template or renderer is.
"""

import hashlib
import logging
from dataclasses import dataclass
from functools import cache as memoize
from pathlib import Path

import weasyprint
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.template.loader import get_template
from django.views.decorators.http import require_safe

from core import pdf
from habilitations.access.decorators import public

logger = logging.getLogger(__name__)

GUIDE_BASE_TEMPLATE = "guides/_base.html"
PDF_BASE_TEMPLATE = "pdf/_base.html"  # the parent of the guides' and the documents' bases: its cover and page
CACHE_TIMEOUT = 7 * 24 * 3600  # the key changes with the template: the timeout only bounds memory use


@dataclass(frozen=True)
class Guide:
    slug: str
    title: str
    description: str

    @property
    def template(self) -> str:
        return f"guides/{self.slug}.html"

    @property
    def filename(self) -> str:
        return f"mcp-guide-{self.slug}.pdf"


GUIDES = {
    guide.slug: guide
    for guide in (
        Guide(
            "premiere-connexion",
            "Première connexion et mot de passe",
            "Votre identifiant, le mot de passe provisoire, les règles du mot de passe, « Mot de passe oublié ? » "
            "et que faire si votre compte est verrouillé.",
        ),
        Guide(
            "consulter-dossier",
            "Guide de l'utilisateur — Consulter Dossier",
            "Rechercher un dossier avec le nom et le numéro allocataire, lire les rubriques ouvertes à votre profil, "
            "l'attestation de paiement et le Dialogue avec la Caf.",
        ),
        Guide(
            "administrateur",
            "Guide de l'administrateur",
            "Créer les utilisateurs et les groupes de votre organisme, leur donner des habilitations, clôturer un "
            "compte, la double authentification.",
        ),
    )
}


@memoize
def template_version(template_name: str, base: str | None = None) -> str:
    """A short hash of what makes the guide's bytes: its template, its base and their shared parent (pdf/_base.html),
    the renderer (core.pdf's source: its options, e.g. the tagging) and WeasyPrint's version — a deployment that
    changes any of them gets new cache keys, never a PDF made by the previous code."""
    digest = hashlib.sha256()
    for name in (PDF_BASE_TEMPLATE, base or GUIDE_BASE_TEMPLATE, template_name):
        digest.update(get_template(name).template.source.encode())
    digest.update(Path(pdf.__file__).read_bytes())
    digest.update(weasyprint.__version__.encode())
    return digest.hexdigest()[:16]


def cache_key(guide: Guide) -> str:
    return f"guide-pdf:{guide.slug}:{template_version(guide.template)}"


def cached_pdf(key: str, render) -> bytes:
    """The PDF stored under `key`, or `render()` then stored. A cache outage only costs a rendering."""
    try:
        data = cache.get(key)
    except Exception:  # noqa: BLE001 — Redis down: serve the document anyway
        logger.warning("cache indisponible pour le PDF %s", key, exc_info=True)
        data = None
    if data is None:
        data = render()
        try:
            cache.set(key, data, CACHE_TIMEOUT)
        except Exception:  # noqa: BLE001
            logger.warning("cache indisponible pour le PDF %s", key, exc_info=True)
    return data


def guide_pdf_bytes(guide: Guide) -> bytes:
    """The PDF from the cache, or rendered and cached."""
    return cached_pdf(cache_key(guide), lambda: pdf.render_pdf(guide.template, {"guide": guide}))


@public
@require_safe
def guide_pdf(request, slug):
    guide = GUIDES.get(slug)
    if guide is None:
        raise Http404("Guide inconnu")
    response = HttpResponse(guide_pdf_bytes(guide), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{guide.filename}"'
    return response

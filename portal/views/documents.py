"""The conventionnement documents (webinar 004: « 1 convention unique d'accès … 1 contrat de service, 1 bulletin
d'adhésion par service, 1 bulletin d'éligibilité (multi-départementaux) pour CDAP et AFAS »), blank, to fill in, sign
and send back to one's Caf: public, downloadable from « Ma Caf » once the partner's Caf is known, since each carries
the address of the Caf to return it to.

Rendered like the guides (core.pdf, cached by portal.views.guides.cached_pdf); the key holds the template's version
and the Caf's coordinates printed on it, so an agent's change of the address gives a new document at once.
"""

import hashlib
from dataclasses import dataclass

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_safe

from core import pdf
from habilitations.access.decorators import public
from habilitations.models import Caf
from portal.views.guides import cached_pdf, template_version

DOCUMENT_BASE_TEMPLATE = "documents/_base.html"


@dataclass(frozen=True)
class Document:
    slug: str
    title: str
    template: str
    service: str = ""  # the service of a bulletin d'adhésion

    @property
    def filename(self) -> str:
        return f"mcp-{self.slug}.pdf"


ADHESION_SERVICES = [
    ("cdap", "Consulter Dossier (CDAP)"),
    ("afas", "Aide financière d'action sociale (Afas)"),
    ("adonis", "Adonis"),
    ("dgfip", "Offre DGFIP"),
]

DOCUMENTS = {
    document.slug: document
    for document in (
        Document("convention-d-acces", "Convention d'accès à « Mon Compte Partenaire »", "documents/convention.html"),
        Document("contrat-de-service", "Contrat de service", "documents/contrat.html"),
        *(
            Document(
                f"bulletin-adhesion-{code}",
                f"Bulletin d'adhésion au service {label}",
                "documents/adhesion.html",
                label,
            )
            for code, label in ADHESION_SERVICES
        ),
        Document(
            "bulletin-eligibilite",
            "Bulletin d'éligibilité (partenaires multi-départementaux) — Consulter Dossier et Afas",
            "documents/eligibilite.html",
        ),
    )
}

CAF_PRINTED = ("code", "nom", "adresse_postale", "email", "telephone")


def cache_key(document: Document, caf: Caf) -> str:
    printed = hashlib.sha256("\x1f".join(str(getattr(caf, name)) for name in CAF_PRINTED).encode()).hexdigest()
    version = template_version(document.template, DOCUMENT_BASE_TEMPLATE)
    return f"document-pdf:{document.slug}:{caf.code}:{version}:{printed[:16]}"


def document_pdf_bytes(document: Document, caf: Caf) -> bytes:
    return cached_pdf(
        cache_key(document, caf), lambda: pdf.render_pdf(document.template, {"document": document, "caf": caf})
    )


@public
@require_safe
def document_pdf(request, caf_code, slug):
    """A blank document with the address of the Caf `caf_code` to send it back to."""
    document = DOCUMENTS.get(slug)
    caf = Caf.objects.filter(code=caf_code).first()
    if document is None or caf is None:
        raise Http404("Document inconnu")
    response = HttpResponse(document_pdf_bytes(document, caf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    return response

"""The portal's PDFs are tagged (RGAA for downloadable documents): a structure tree that assistive technologies read
in order, the document's language, its title shown by the reader. Checked on the attestation de paiement and on
every guide of Accueil."""

import io

import pytest
from pypdf import PdfReader

from core import pdf
from portal.views.guides import GUIDES
from tests.portal.test_pdf_perf import attestation_context


def structure_tags(node, seen=None) -> set[str]:
    """The standard structure types (/P, /H1, /L ...) of a PDF structure tree."""
    seen = set() if seen is None else seen
    node = node.get_object()
    if "/S" in node:
        seen.add(str(node["/S"]))
    kids = node.get("/K")
    if kids is None:
        return seen
    for kid in kids if isinstance(kids, list) else [kids]:
        kid = kid.get_object() if hasattr(kid, "get_object") else kid
        if isinstance(kid, dict) and ("/S" in kid or "/K" in kid):
            structure_tags(kid, seen)
    return seen


def assert_tagged(content: bytes, title: str) -> set[str]:
    reader = PdfReader(io.BytesIO(content))
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"].value is True
    assert root["/Lang"] == "fr"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert reader.metadata.title == title
    return structure_tags(root["/StructTreeRoot"])


def test_attestation_is_a_tagged_pdf_read_in_order():
    tags = assert_tagged(pdf.render_pdf("pdf/attestation.html", attestation_context()), "Attestation de paiement")
    assert {"/H1", "/P"} <= tags, tags


@pytest.mark.parametrize("slug", sorted(GUIDES))
def test_every_guide_is_a_tagged_pdf(slug):
    guide = GUIDES[slug]
    tags = assert_tagged(pdf.render_pdf(guide.template, {"guide": guide}), f"{guide.title} — Mon Compte Partenaire")
    assert {"/H1", "/P"} <= tags, tags

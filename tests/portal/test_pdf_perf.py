"""PDF rendering cost (issue 4): WeasyPrint's font configuration is kept across documents (one per thread), and the
attestation de paiement names one font family, so its PDF embeds that family only and
keeps every text of the Caf's document."""

import datetime
import io
import re
import threading
from decimal import Decimal
from types import SimpleNamespace

from pypdf import PdfReader

from core import pdf


def attestation_context() -> dict:
    adults = [
        SimpleNamespace(civilite="Mme", nom="Lefèvre", prenom="Jeanne"),
        SimpleNamespace(civilite="M.", nom="Martin", prenom="Paul"),
    ]
    lines = [("Allocations familiales", Decimal("140.20")), ("Aide personnalisée au logement", Decimal("172.20"))]
    return {
        "caf": SimpleNamespace(nom="Caf des Alpes-Maritimes", telephone="3230", email="contact@caf06.fr"),
        "identity": {
            "numero": "1234567",
            "adultes": adults,
            "adresse": "12 rue des Lilas",
            "code_postal": "06000",
            "commune": "Nice",
            "quotient_familial": 654,
        },
        "lignes": lines,
        "total": sum(amount for _, amount in lines),
        "payments": [
            SimpleNamespace(
                type_traitement="Mensuel",
                date_emission=datetime.date(2025, 3, 5),
                montant_paye=Decimal("312.40"),
                destinataire="Allocataire",
            )
        ],
        "periode": datetime.date(2025, 2, 1),
        "today": datetime.date(2025, 3, 10),
    }


def test_font_configuration_kept_per_thread():
    first = pdf.font_config()
    assert pdf.font_config() is first
    other = []
    thread = threading.Thread(target=lambda: other.append(pdf.font_config()))
    thread.start()
    thread.join()
    assert other[0] is not first


def test_render_pdf_creates_no_font_configuration_per_document(monkeypatch):
    import weasyprint.document

    monkeypatch.delattr(pdf._thread, "font_config", raising=False)
    created = []

    class Counting(pdf.FontConfiguration):
        def __init__(self):
            created.append(self)
            super().__init__()

    monkeypatch.setattr(pdf, "FontConfiguration", Counting)
    monkeypatch.setattr(weasyprint.document, "FontConfiguration", Counting)
    for _ in range(3):
        assert pdf.render_pdf("pdf/attestation.html", attestation_context()).startswith(b"%PDF")
    assert len(created) == 1


def test_attestation_one_font_family_and_all_texts():
    reader = PdfReader(io.BytesIO(pdf.render_pdf("pdf/attestation.html", attestation_context())))
    fonts = {font.get_object()["/BaseFont"] for page in reader.pages for font in page["/Resources"]["/Font"].values()}
    families = {re.sub(r"^/[A-Z]{6}\+|-(Bold|Regular)$", "", name) for name in fonts}
    assert len(families) == 1, fonts  # regular and bold of one family: no generic fallback
    flat = " ".join("\n".join(page.extract_text() for page in reader.pages).split())
    for text in (
        "Caf des Alpes-Maritimes",
        "Nous contacter : 3230 – contact@caf06.fr",
        "Tous nos contacts sur caf.fr",
        "N° allocataire : 1234567",
        "Le 10/03/2025",
        "Mme LEFÈVRE Jeanne",
        "12 rue des Lilas",
        "06000 Nice",
        "ATTESTATION DE PAIEMENT",
        "Le directeur de la Caf des Alpes-Maritimes certifie que Mme LEFÈVRE Jeanne et M. MARTIN Paul",
        "ont perçu les prestations suivantes pour le mois de février 2025",
        "PRESTATIONS MONTANT",
        "Allocations familiales 140,20 €",
        "Soit au total 312,40 €",
        "Paiement du 05/03/2025 (Mensuel) : 312,40 € versés à : Allocataire.",
        "QUOTIENT FAMILIAL février 2025 : 654 €",
        "Les prestations familiales sont insaisissables",
        "signaler immédiatement à sa Caf tout changement de situation",
        "L114-9",
        "Attestation délivrée à la demande d'un partenaire habilité",
    ):
        assert text in flat, text


def test_attestation_stylesheet_parsed_once_per_thread_and_applied(monkeypatch):
    """static/pdf/attestation.css is applied (the family it names, not fontconfig's default sans-serif, DejaVu) and
    parsed only once."""
    monkeypatch.delattr(pdf._thread, "stylesheets", raising=False)
    parsed = []

    class Counting(pdf.CSS):
        def __init__(self, *args, **kwargs):
            parsed.append(self)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(pdf, "CSS", Counting)
    for _ in range(3):
        reader = PdfReader(io.BytesIO(pdf.render_pdf("pdf/attestation.html", attestation_context())))
    assert len(parsed) == 1
    fonts = {font.get_object()["/BaseFont"] for font in reader.pages[0]["/Resources"]["/Font"].values()}
    assert fonts and all("Liberation-Sans" in name for name in fonts), fonts


def test_attestation_amounts_padded_to_one_column_width():
    """The amounts start at one tab stop and are padded with figure spaces (a digit's width) to the same length, so
    they end at the same place; a longer amount is never cut."""
    from cdap.templatetags.attestation import FIGURE_SPACE, montant_colonne

    padded = [montant_colonne(Decimal(value)) for value in ("5", "140.2", "1049.52", "99999.99")]
    assert padded == [
        FIGURE_SPACE * 5 + "5,00",
        FIGURE_SPACE * 3 + "140,20",
        FIGURE_SPACE * 2 + "1049,52",
        FIGURE_SPACE + "99999,99",
    ]
    assert montant_colonne(Decimal("123456789.5")) == "123456789,50"


def test_attestation_long_prestation_labels_keep_every_text():
    """A label as long as the model allows (60 characters, capitals, or without a space) wraps inside the page: every
    label and every amount is in the PDF text, in reading order (label, then its amount), on one page."""
    context = attestation_context()
    long_labels = ["AIDE PERSONNALISEE AU LOGEMENT MAJORATION POUR LA VIE AUTONOM", "W" * 60]
    context["lignes"] = [(label, Decimal("12.34")) for label in long_labels] + context["lignes"]
    context["lignes"].append(("Prime\td'activité\n  majorée", Decimal("56.78")))  # imported data: one line, one amount
    reader = PdfReader(io.BytesIO(pdf.render_pdf("pdf/attestation.html", context)))
    assert len(reader.pages) == 1
    flat = "".join(reader.pages[0].extract_text().split())
    for label in long_labels:
        assert label.replace(" ", "") + "12,34€" in flat, label
    assert "Allocationsfamiliales140,20€" in flat and "Soitautotal312,40€" in flat
    lines = [" ".join(line.split()) for line in reader.pages[0].extract_text().splitlines()]
    assert "Prime d'activité majorée 56,78 €" in lines, lines


def test_attestation_month_with_its_french_preposition():
    """ "pour le mois de décembre 2021" as in the guide, "d'octobre", "d'avril", "d'août" before a vowel."""
    from cdap.templatetags.attestation import mois_precede_de

    expected = {1: "de janvier", 4: "d'avril", 8: "d'août", 10: "d'octobre", 12: "de décembre"}
    for month, text in expected.items():
        assert mois_precede_de(datetime.date(2021, month, 1)) == f"{text} 2021"
    context = {**attestation_context(), "periode": datetime.date(2025, 10, 1)}
    flat = " ".join(
        PdfReader(io.BytesIO(pdf.render_pdf("pdf/attestation.html", context))).pages[0].extract_text().split()
    )
    assert "ont perçu les prestations suivantes pour le mois d'octobre 2025 :" in flat

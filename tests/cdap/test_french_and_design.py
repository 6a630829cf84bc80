"""Issue 12.3 and 12.4 on Consulter Dossier: one primary action per screen (Consulter, Confirmer, Envoyer), one
accent colour (the supervision chart, the attestation PDF), accented capitals, agreement from the known civility
("Salariée", "a perçu"), and the admin's « Mois de l'attestation : novembre 2026 »."""

import datetime
import html
import io
import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from pypdf import PdfReader

from cdap.models import Consultation, Payment, Person, PostalRequest
from cdap.wording import activity_for
from core.charts import Chart, Series
from tests.cdap.dossiers import make_dossier
from tests.factories import UserFactory, caf, habilitated_user
from tests.portal.test_otp import enrol

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)


PRIMARY = re.compile(r'<(?:button|a)[^>]*class="[^"]*\bbutton-primary\b[^"]*"[^>]*>(.*?)</(?:button|a)>')
UNACCENTED = r"(^|[^A-Za-z_.])(Emis|Echanger|Etat|Etats)([^A-Za-z_.]|$)"


def primaries(page: str) -> list[str]:
    """The text of every element styled as the primary action."""
    return [re.sub(r"<[^>]+>", "", inner).strip() for inner in PRIMARY.findall(page)]


@pytest.fixture
def consultation(client, login):
    user, group = habilitated_user("T1-ASS")
    login(user)
    return Consultation.objects.create(
        user=user, dossier=make_dossier(caf("061")), profile_code="T1-ASS", organism=group.convention.organism
    )


def test_the_search_has_one_primary_action_consulter(client, login):
    user, _ = habilitated_user("T1-ASS")
    login(user)
    assert primaries(client.get("/consulter-dossier/").content.decode()) == ["Consulter"]


@pytest.mark.parametrize(("page", "action"), [("attestation", "Confirmer"), ("dialogue", "Envoyer")])
def test_the_attestation_and_the_dialogue_have_one_primary_action(client, consultation, page, action):
    content = client.get(f"/consulter-dossier/{consultation.reference}/{page}/").content.decode()
    assert primaries(content) == [action]


def portal_accent() -> str:
    css = (ROOT / "static/css/portal.css").read_text()
    return re.search(r"--green:\s*(#[0-9a-fA-F]{6})", css)[1].lower()


def test_a_chart_is_drawn_in_the_portals_accent():
    chart = Chart(id="c", title="t", labels=["01/2026"], series=[Series("Consultations", [3])])
    assert chart.colours[0].lower() == portal_accent()


def test_the_attestation_pdf_uses_the_portals_accent_and_no_blue_of_its_own():
    css = (ROOT / "static/pdf/attestation.css").read_text().lower()
    colours = set(re.findall(r"#[0-9a-f]{6}\b", css)) - {"#000000"}
    assert colours == {portal_accent()}


def test_no_unaccented_capital_left_in_templates_and_labels():
    """« Émis », « Échanger », « État »: the words the guides' screens capitalise, never "Emis", "Echanger", "Etat"."""
    out = subprocess.run(
        ["git", "grep", "-n", "-E", UNACCENTED, "--", "templates", "*.py", ":!tests"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout
    # Python identifiers (Convention.Etat, class Etat) are code, not text.
    text_hits = [line for line in out.splitlines() if not re.search(r"\bclass Etat\b|\.Etat\b|Etat\.", line)]
    assert text_hits == []


def test_the_activity_agrees_with_the_known_civility():
    assert activity_for("Salarié", "Mme") == "Salariée"
    assert activity_for("Demandeur d'emploi", "Mme") == "Demandeuse d'emploi"
    assert activity_for("Salarié", "M.") == "Salarié"
    assert activity_for("Salarié", "") == "Salarié"  # unknown civility: as the Caf wrote it
    assert activity_for("Sans activité", "Mme") == "Sans activité"


def test_the_famille_rubric_says_salariee_and_nee_for_madame(client, consultation):
    Person.objects.filter(dossier=consultation.dossier, role=Person.Role.RESPONSABLE).update(activite="Salarié")
    page = html.unescape(client.get(f"/consulter-dossier/{consultation.reference}/famille/").content.decode())
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "Salariée" in text and "Née le :" in text and "Né(e)" not in text and "né(e)" not in text


def pdf_text(content: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split())


def test_the_attestation_agrees_with_one_or_two_adults(client, consultation):
    url = f"/consulter-dossier/{consultation.reference}/attestation/"
    assert " ont perçu les prestations" in pdf_text(client.post(url, {"mode": "telecharger"}).content)
    Person.objects.filter(dossier=consultation.dossier, role=Person.Role.CONJOINT).delete()
    text = pdf_text(client.post(url, {"mode": "telecharger"}).content)
    assert " a perçu les prestations" in text and " ont perçu" not in text


def test_the_admin_names_the_month_of_the_attestation_not_its_first_day(client, login, consultation):
    payment = Payment.objects.filter(dossier=consultation.dossier).first()
    payment.periode = datetime.date(2026, 11, 1)
    payment.save(update_fields=["periode"])
    postal = PostalRequest.objects.create(consultation=consultation, periode=payment.periode)
    client.logout()
    enrol(client, login, UserFactory(agent=True, nom="Agent", prenom="Local"))
    listing = html.unescape(client.get("/admin/cdap/postalrequest/").content.decode())
    assert "novembre 2026" in listing and "1 novembre 2026" not in listing
    assert "Mois de l'attestation" in listing or "Mois de l’attestation" in listing
    detail = html.unescape(client.get(f"/admin/cdap/postalrequest/{postal.pk}/change/").content.decode())
    assert "novembre 2026" in detail and "1 novembre 2026" not in detail

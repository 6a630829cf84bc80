"""A quotient familial the Caf does not know reads "Donnée indisponible" — on the dossier's header and on the
attestation de paiement — never "0 €" (webinar 004:437); an import without it stores it empty."""

import io
import json

import pytest
from pypdf import PdfReader

from cdap import generator as g
from cdap.models import Consultation, Dossier
from tests.cdap.dossiers import make_dossier
from tests.cdap.test_import_dossiers import run, write_jsonl
from tests.factories import caf, habilitated_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def consult(client, login):
    def _consult(code, **dossier_kwargs):
        user, group = habilitated_user(code)
        login(user)
        dossier = make_dossier(caf("061"), **dossier_kwargs)
        return Consultation.objects.create(
            user=user, dossier=dossier, profile_code=code, organism=group.convention.organism
        )

    return _consult


def pdf_text(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


@pytest.mark.parametrize("code", ["T1-ASS", "T2"])
def test_unknown_qf_reads_donnee_indisponible_on_the_dossier(client, consult, code):
    consultation = consult(code)
    Dossier.objects.filter(pk=consultation.dossier_id).update(quotient_familial=None)
    html = " ".join(client.get(f"/consulter-dossier/{consultation.reference}/").content.decode().split())
    assert "QF CNAF : Donnée indisponible" in html
    assert "QF CNAF : 0" not in html and "QF CNAF : None" not in html


def test_known_qf_in_french_format(client, consult):
    consultation = consult("T1-ASS")
    Dossier.objects.filter(pk=consultation.dossier_id).update(quotient_familial=1057)
    html = client.get(f"/consulter-dossier/{consultation.reference}/").content.decode()
    assert "QF CNAF : 1\u00a0057\u00a0€" in html and "Donnée indisponible" not in html


def test_unknown_qf_reads_donnee_indisponible_on_the_attestation(client, consult):
    consultation = consult("T1-ASS")
    Dossier.objects.filter(pk=consultation.dossier_id).update(quotient_familial=None)
    response = client.post(f"/consulter-dossier/{consultation.reference}/attestation/", {"mode": "telecharger"})
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "QUOTIENT FAMILIAL" in text and "Donnée indisponible" in text
    qf_line = text.split("QUOTIENT FAMILIAL", 1)[1][:60]
    assert "0 €" not in qf_line and "None" not in qf_line


def test_an_import_without_qf_stores_it_empty_and_a_csv_empty_cell_too(db, tmp_path):
    record = {
        "caf": "061",
        "numero": "2345670",
        "persons": [{"role": "RESPONSABLE", "nom": "Durand", "prenom": "Paul"}],
    }
    caf("061")
    run(write_jsonl(tmp_path / "d.jsonl", [record, {**record, "numero": "2345671", "quotient_familial": 0}]))
    assert Dossier.objects.get(numero="2345670").quotient_familial is None
    assert Dossier.objects.get(numero="2345671").quotient_familial == 0  # a QF of 0 € is a known value
    path = tmp_path / "d.csv"
    path.write_text("caf;numero;quotient_familial;responsable_nom;responsable_prenom\n061;2345672;;Durand;Paul\n")
    run(path)
    assert Dossier.objects.get(numero="2345672").quotient_familial is None


def test_the_generator_leaves_some_qf_unknown_and_the_demo_has_one():
    import datetime

    today = datetime.date(2026, 12, 7)
    qfs = [g.synthetic_record("06", "061", i, today=today)["quotient_familial"] for i in range(500)]
    assert 0 < qfs.count(None) < 60 and all(q is None or q >= 0 for q in qfs)
    demo = {r["numero"]: r for r in g.demo_records(today)}
    assert demo[g.DEMO_TUTELLE_PAST]["quotient_familial"] is None
    json.dumps(demo[g.DEMO_TUTELLE_PAST], default=str)

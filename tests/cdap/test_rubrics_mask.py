"""THE mask matrix: for each CDAP profile and each rubric, the rubric's sentinel reaches the synthèse, the tabs and
the rubric page if and only if the profile opens the rubric; a closed rubric's URL answers 403 and is journaled.

Read from the repository's copy of the spec's matrix, habilitations/data/cdap_profiles.csv, directly (not through the
code under test), so a wrong mask in the database or in the selector fails here."""

import csv
import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from cdap.models import Consultation
from cdap.selectors import dossier_view
from habilitations.journal import Event, JournalEntry
from tests.cdap.dossiers import BLOCK_SENTINELS, SENTINELS, make_dossier
from tests.factories import caf, grant, habilitated_user

pytestmark = pytest.mark.django_db


# Inside the repository: a clone anywhere has it (the spec's copy next to the checkout may not exist).
CSV_PATH = Path(settings.BASE_DIR) / "habilitations" / "data" / "cdap_profiles.csv"


def _matrix() -> dict[str, set[str]]:
    with CSV_PATH.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    skip = {"code", "libelle", "controle_supplementaire"}
    return {row["code"]: {k for k, v in row.items() if k not in skip and v.strip().lower() == "x"} for row in rows}


MATRIX = _matrix()
PROFILES = sorted(MATRIX)
RUBRICS = sorted(SENTINELS)
assert len(PROFILES) == 17


@pytest.fixture
def consult(client, login):
    """Log in a user holding `code` and open a consultation of a sentinel dossier with that profile."""

    def _consult(code):
        user, group = habilitated_user(code)
        login(user)
        dossier = make_dossier(caf("061"))
        return Consultation.objects.create(
            user=user, dossier=dossier, profile_code=code, organism=group.convention.organism
        )

    return _consult


@pytest.mark.parametrize("code", PROFILES)
def test_mask_matrix(client, consult, code):
    consultation = consult(code)
    base = f"/consulter-dossier/{consultation.reference}/"
    open_rubrics = MATRIX[code]
    synthese = client.get(base)
    assert synthese.status_code == 200
    synthese_html = synthese.content.decode()
    for rubric in RUBRICS:
        sentinel = SENTINELS[rubric]
        response = client.get(f"{base}{rubric}/")
        if rubric in open_rubrics:
            assert response.status_code == 200, (code, rubric)
            html = response.content.decode()
            assert sentinel in html, (code, rubric)
            assert sentinel in synthese_html, (code, rubric, "synthèse")
            assert f'href="{base}{rubric}/"' in synthese_html, (code, rubric, "onglet")
            # no other closed rubric's data on this page
            for other in RUBRICS:
                if other not in open_rubrics:
                    assert SENTINELS[other] not in html, (code, rubric, other)
        else:
            assert response.status_code == 403, (code, rubric)
            assert sentinel not in response.content.decode()
            assert sentinel not in synthese_html, (code, rubric, "synthèse")
            assert f'href="{base}{rubric}/"' not in synthese_html, (code, rubric, "onglet")
    # The blocks added inside rubrics (issue 21): on their rubric's page when it is open; nowhere when it is closed.
    pages = {rubric: client.get(f"{base}{rubric}/").content.decode() for rubric in RUBRICS if rubric in open_rubrics}
    for rubric, sentinels in BLOCK_SENTINELS.items():
        for sentinel in sentinels:
            if rubric in open_rubrics:
                assert sentinel in pages[rubric], (code, rubric, sentinel)
            else:
                assert sentinel not in synthese_html, (code, rubric, sentinel, "synthèse")
                for other, html in pages.items():
                    assert sentinel not in html, (code, rubric, sentinel, other)
    refused = JournalEntry.objects.filter(event=Event.CDAP_RUBRIC_REFUSED, user=consultation.user)
    closed = set(RUBRICS) - open_rubrics
    assert sorted(e.data["rubric"] for e in refused) == sorted(closed)
    opened = JournalEntry.objects.filter(event=Event.CDAP_RUBRIC, user=consultation.user)
    assert {e.data["rubric"] for e in opened} == (open_rubrics & set(RUBRICS)) | {"synthese"}
    entry = opened.first()
    assert entry.data["profile"] == code and entry.data["caf"] == "061" and entry.data["dossier"] == "1234567"
    # attestation action only for its profiles
    attestation = client.get(f"{base}attestation/")
    assert attestation.status_code == (200 if "attestation_paiement" in open_rubrics else 403)


@pytest.mark.parametrize("code", PROFILES)
def test_view_model_holds_only_open_rubrics(consult, code):
    consultation = consult(code)
    view = dossier_view(consultation)
    assert {c for c, _ in view["tabs"]} == MATRIX[code] - {"attestation_paiement"}
    assert {c for c, _, _ in view["summaries"]} <= MATRIX[code]
    with pytest.raises(PermissionError):
        closed = next(r for r in RUBRICS if r not in MATRIX[code]) if set(RUBRICS) - MATRIX[code] else "inconnue"
        dossier_view(consultation, rubric=closed)


@pytest.mark.parametrize("code", ["T2", "T10", "T14", "T15"])
def test_synthese_only_identity_address_composition_qf(client, consult, code):
    consultation = consult(code)
    html = client.get(f"/consulter-dossier/{consultation.reference}/").content.decode()
    assert "LEFÈVRE" in html and "12 rue des Lilas" in html and "654" in html and "Composition" in html
    assert "Accéder à la rubrique" not in html
    assert not any(s in html for s in SENTINELS.values())


def test_the_mask_is_the_consultations_profile_not_a_union(client, login):
    user, group = habilitated_user("T2")
    grant(group, "T1-ASS")
    login(user)
    dossier = make_dossier(caf("061"))
    consultation = Consultation.objects.create(
        user=user, dossier=dossier, profile_code="T2", organism=group.convention.organism
    )
    html = client.get(f"/consulter-dossier/{consultation.reference}/").content.decode()
    assert not any(s in html for s in SENTINELS.values())
    assert client.get(f"/consulter-dossier/{consultation.reference}/paiements/").status_code == 403


def test_other_users_unknown_expired_or_tampered_reference_is_404(client, login, consult):
    consultation = consult("T1-ASS")
    other_user, _ = habilitated_user("T1-ASS")
    mine = f"/consulter-dossier/{consultation.reference}/"
    assert client.get(mine).status_code == 200
    client.logout()
    login(other_user)
    for rubric in ["", "paiements/", "attestation/", "dialogue/"]:
        response = client.get(mine + rubric)
        assert response.status_code == 404
        assert SENTINELS["paiements"] not in response.content.decode()
    login(consultation.user)
    assert client.get("/consulter-dossier/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get(mine[:-5] + "ffff/").status_code == 404
    assert client.get("/consulter-dossier/pas-une-reference/").status_code == 404
    assert client.get(mine + "inconnue/").status_code == 404
    Consultation.objects.filter(pk=consultation.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=31))
    assert client.get(mine).status_code == 404


def test_profile_lost_since_the_search_is_404(client, consult):
    """The user still consults CDAP with another profile, not the one the search was made with: 404, journaled."""
    from habilitations.models import GroupGrant

    consultation = consult("T1-ASS")
    group = consultation.user.memberships.get().group
    grant(group, "T1-CESF")
    url = f"/consulter-dossier/{consultation.reference}/"
    assert client.get(url).status_code == 200
    GroupGrant.objects.filter(group=group, convention_profile__profile__code="T1-ASS").update(
        date_cloture=timezone.localdate()
    )
    for rubric in ["", "paiements/"]:
        response = client.get(url + rubric)
        assert response.status_code == 404
        assert SENTINELS["paiements"] not in response.content.decode()
    refusals = JournalEntry.objects.filter(event=Event.CDAP_RUBRIC_REFUSED, user=consultation.user)
    assert refusals.filter(data__reason="reference_inconnue").count() == 2


def test_cdap_lost_since_the_search_is_403(client, consult):
    """No CDAP profile left at all: the service itself is refused (the access matrix's 403), nothing shown."""
    from habilitations.models import Membership

    consultation = consult("T1-ASS")
    Membership.objects.filter(user=consultation.user).update(date_cloture=timezone.localdate())
    response = client.get(f"/consulter-dossier/{consultation.reference}/")
    assert response.status_code == 403
    assert SENTINELS["dossier"] not in response.content.decode()


@pytest.mark.parametrize("payments", [10, 1000])
def test_payments_and_synthese_constant_queries(client, consult, django_assert_num_queries, payments):
    consultation = consult("T1-ASS")
    dossier = consultation.dossier
    from cdap.models import Payment, PaymentLine

    Payment.objects.filter(dossier=dossier).delete()
    month = timezone.localdate().replace(day=1)
    created = Payment.objects.bulk_create(
        Payment(
            dossier=dossier,
            periode=month,
            date_emission=month,
            type_traitement="Mensuel émis",
            montant_total=10,
            montant_paye=10,
        )
        for _ in range(payments)
    )
    PaymentLine.objects.bulk_create(PaymentLine(payment=p, prestation="AF", montant=10) for p in created)
    base = f"/consulter-dossier/{consultation.reference}/"
    client.get(base)  # warm the session / mask cache
    with django_assert_num_queries(QUERIES["synthese"]):
        assert client.get(base).status_code == 200
    with django_assert_num_queries(QUERIES["paiements"]):
        response = client.get(base + "paiements/?vue=periode&page=2")
        assert response.status_code == 200
    if payments > 12:
        assert "Page 2 sur" in response.content.decode()
    with django_assert_num_queries(QUERIES["paiements"]):
        response = client.get(base + "paiements/?page=2")
    assert f"Paiement 2 sur {payments}" in response.content.decode()


QUERIES = {"synthese": 10, "paiements": 9}


def test_reference_refusals_are_journaled_without_the_dossier(client, login, consult):
    consultation = consult("T1-ASS")
    other_user, _ = habilitated_user("T1-ASS")
    client.logout()
    login(other_user)
    assert client.get(f"/consulter-dossier/{consultation.reference}/paiements/").status_code == 404
    entry = JournalEntry.objects.get(event=Event.CDAP_RUBRIC_REFUSED, user=other_user)
    assert entry.data == {"rubric": "paiements", "outcome": "refused", "reason": "reference_inconnue"}


def test_print_header_and_button(client, consult):
    consultation = consult("T1-ASS")
    page = client.get(f"/consulter-dossier/{consultation.reference}/courriers/").content.decode()
    assert 'class="print-only print-header"' in page
    assert consultation.organism.nom in page and consultation.user.nom.upper() in page
    assert "Imprimer la page" in page and "js/cdap.js" in page


def test_a_childs_resource_does_not_name_the_child_on_the_resources_page(client, consult):
    from cdap.models import Person, Resource

    consultation = consult("T1-ASS")
    child = Person.objects.get(dossier=consultation.dossier, role=Person.Role.ENFANT)
    Resource.objects.filter(dossier=consultation.dossier).update(person=child)
    page = client.get(f"/consulter-dossier/{consultation.reference}/ressources/").content.decode()
    assert "Autre personne du foyer" in page and SENTINELS["famille"] not in page.split("<h2")[-1]

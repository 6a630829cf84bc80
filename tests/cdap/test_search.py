"""Consulter Dossier: the search page, its controls at their boundaries, bad input, the journal."""

import datetime
import html as html_lib

import pytest
from django.utils import timezone

from cdap.models import Consultation, Dossier, Housing, ProtectionMeasure
from cdap.selectors import REFUSAL_MESSAGE
from habilitations.journal import Event, JournalEntry
from tests.cdap.dossiers import INSTRUCTEUR, make_dossier, months_ago
from tests.factories import OrganismFactory, caf, grant, habilitated_user

pytestmark = pytest.mark.django_db
URL = "/consulter-dossier/"


@pytest.fixture
def as_user(client, login):
    def _as(code="T1-ASS"):
        user, group = habilitated_user(code)
        login(user)
        return user, group

    return _as


def search(client, **data):
    payload = {"nom": "Lefèvre", "numero": "1234567"}
    payload.update(data)
    return client.post(URL, payload)


def last_search():
    return JournalEntry.objects.filter(event=Event.CDAP_SEARCH).order_by("-id").first()


def assert_refused(response, reason=None):
    assert response.status_code == 200
    assert REFUSAL_MESSAGE in html_lib.unescape(response.content.decode())
    assert not Consultation.objects.exists()
    entry = last_search()
    assert entry.data["outcome"] == "refused"
    if reason:
        assert entry.data["reason"] == reason


def assert_found(response):
    consultation = Consultation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/consulter-dossier/{consultation.reference}/"
    entry = last_search()
    assert entry.data["outcome"] == "found"
    assert entry.data["dossier"] == consultation.dossier.numero
    return consultation


def test_search_page_shows_fixed_caf_and_fields(client, as_user):
    as_user()
    html = client.get(URL).content.decode()
    assert "CAF sélectionnée" in html and "Caf des Alpes-Maritimes" in html or "caf-selectionnee" in html
    assert "Nom allocataire" in html and "Numéro allocataire" in html
    assert "Numéro d'instructeur" not in html and "Numéro de bailleur" not in html


def test_found_accent_and_case_insensitive_on_responsable_or_conjoint(client, as_user):
    user, group = as_user()
    make_dossier(caf("061"))
    consultation = assert_found(search(client, nom="  lefevre "))
    assert consultation.user == user and consultation.profile_code == "T1-ASS"
    assert consultation.organism_id == group.convention.organism_id
    Consultation.objects.all().delete()
    assert_found(search(client, nom="MARTIN"))


@pytest.mark.parametrize(
    "data",
    [{"nom": "Dupont"}, {"numero": "7654321"}],
    ids=["autre_nom", "autre_numero"],
)
def test_wrong_name_or_number_refused(client, as_user, data):
    as_user()
    make_dossier(caf("061"))
    assert_refused(search(client, **data))


def test_other_caf_dossier_refused(client, as_user):
    as_user()
    make_dossier(caf("831"))
    assert_refused(search(client), "dossier_inconnu")


def test_child_name_does_not_open_the_dossier(client, as_user):
    as_user()
    make_dossier(caf("061"))
    assert_refused(search(client, nom="SENTINELLE-FAMILLE"), "nom_different")


@pytest.mark.parametrize(
    "data",
    [
        {"numero": "12A4567"},
        {"numero": "12345678"},
        {"numero": ""},
        {"nom": ""},
        {"nom": "x" * 500},
        {"numero": "1234567\x00"},
    ],
    ids=["lettres", "8_chiffres", "numero_vide", "nom_vide", "nom_500", "nul"],
)
def test_bad_input_french_message_nothing_consulted(client, as_user, data):
    as_user()
    make_dossier(caf("061"))
    response = search(client, **data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Le formulaire contient" in html
    assert not Consultation.objects.exists()
    assert last_search().data["reason"] == "saisie_invalide"


def test_get_does_not_search(client, as_user):
    as_user()
    make_dossier(caf("061"))
    client.get(URL, {"nom": "Lefèvre", "numero": "1234567"})
    assert not Consultation.objects.exists()


# ---- T4: numéro d'instructeur ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "numero",
    [
        "83C1230100000",  # 13 characters
        "08XC12301" + "00000",  # department not 3 digits
        "083c12301" + "00000",  # lower-case type letter
        "0831123010" + "0000",  # type not a letter
        "083C1A301" + "00000",  # commune not digits
        "083C123X1" + "00000",  # rang not digits
        "083C12301" + "00010",  # non-zero tail
    ],
)
def test_t4_malformed_instructeur_explains_the_format(client, as_user, numero):
    as_user("T4")
    make_dossier(caf("061"))
    html = html_lib.unescape(search(client, numero_instructeur=numero).content.decode())
    assert "14 caractères" in html and "00000" in html
    assert not Consultation.objects.exists()


def test_t4_valid_coherent_instructeur_found(client, as_user):
    as_user("T4")
    make_dossier(caf("061"))
    assert_found(search(client, numero_instructeur=INSTRUCTEUR))


def test_t4_valid_but_incoherent_instructeur_refused(client, as_user):
    as_user("T4")
    make_dossier(caf("061"))
    assert_refused(search(client, numero_instructeur="083C12302" + "00000"), "instructeur_incoherent")


def test_t4_instructeur_required(client, as_user):
    as_user("T4")
    make_dossier(caf("061"))
    assert "obligatoire pour votre profil" in search(client).content.decode()
    assert not Consultation.objects.exists()


# ---- T9: protection measure --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("measure", "found"),
    [("current", True), ("past", True), ("never", False), ("other_organism", False)],
)
def test_t9_tutelle(client, as_user, measure, found):
    _, group = as_user("T9")
    dossier = make_dossier(caf("061"))
    today = timezone.localdate()
    organism = group.convention.organism if measure != "other_organism" else OrganismFactory()
    if measure != "never":
        ProtectionMeasure.objects.create(
            dossier=dossier,
            organism=organism,
            date_debut=today - datetime.timedelta(days=900),
            date_fin=today - datetime.timedelta(days=30) if measure == "past" else None,
        )
    response = search(client)
    if found:
        assert_found(response)
    else:
        assert_refused(response, "sans_mesure_de_protection")


# ---- T10: landlord -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("numero_bailleur", "own", "found"),
    [("B0042", True, True), ("B0043", True, False), ("B0042", False, False)],
    ids=["match", "autre_numero", "autre_organisme"],
)
def test_t10_bailleur(client, as_user, numero_bailleur, own, found):
    _, group = as_user("T10")
    dossier = make_dossier(caf("061"))
    Housing.objects.filter(dossier=dossier).update(
        numero_bailleur="B0042",
        bailleur_organism=group.convention.organism if own else OrganismFactory(),
    )
    response = search(client, numero_bailleur=numero_bailleur)
    if found:
        assert_found(response)
    else:
        assert_refused(response, "bailleur_incoherent")


# ---- T18 / T19: RSA now or within two years ----------------------------------------------------------------------


@pytest.mark.parametrize("code", ["T18", "T19"])
@pytest.mark.parametrize(
    ("ended", "found"),
    [(None, True), (23, True), (25, False), ("never", False)],
    ids=["en_cours", "23", "25", "jamais"],
)
def test_rsa_two_years(client, as_user, code, ended, found):
    as_user(code)
    if ended == "never":
        make_dossier(caf("061"), rsa=False)
    else:
        make_dossier(caf("061"), rsa_end=months_ago(ended) if ended else None)
    response = search(client)
    if found:
        assert_found(response)
    else:
        assert_refused(response, "sans_rsa_2_ans")


# ---- several profiles: an explicit choice --------------------------------------------------------------------------


def test_several_profiles_must_choose(client, login):
    user, group = habilitated_user("T1-ASS")
    grant(group, "T2")
    login(user)
    make_dossier(caf("061"))
    html = client.get(URL).content.decode()
    assert "Profil utilisé pour cette consultation" in html
    assert "Choisissez le profil" in search(client).content.decode()
    assert not Consultation.objects.exists()
    assert_found(search(client, profile="T2"))
    assert Consultation.objects.get().profile_code == "T2"


def test_profile_not_held_is_refused(client, login):
    user, group = habilitated_user("T1-ASS")
    grant(group, "T2")
    login(user)
    make_dossier(caf("061"))
    search(client, profile="T9")
    assert not Consultation.objects.exists()


def test_search_query_count_constant(client, as_user, django_assert_max_num_queries):
    as_user()
    make_dossier(caf("061"), payments=30)
    with django_assert_max_num_queries(14):
        assert_found(search(client))


def test_multi_department_partner_chooses_the_caf(client, login):
    user, group = habilitated_user("T1-ASS")
    organism = group.convention.organism
    organism.multi_departement = True
    organism.save(update_fields=["multi_departement"])
    login(user)
    make_dossier(caf("831"))
    assert "Choisissez une Caf" in client.get(URL).content.decode()
    assert_found(search(client, caf=str(caf("831").pk)))


# ---- the generator's demo dossiers, end to end ----------------------------------------------------------------------


def test_demo_family_every_rubric_renders_for_t1(client, as_user):
    from cdap import generator
    from habilitations.access.rubrics import tabs_for

    OrganismFactory(siret=generator.DEMO_TUTELAIRE_SIRET)
    OrganismFactory(siret=generator.DEMO_LANDLORD_SIRET)
    generator.demo_dossiers_upsert()
    generator.synthetic_dossiers_add(5)
    as_user()
    consultation = assert_found(search(client, nom="dupre-lefevre", numero=generator.DEMO_FAMILY))
    base = f"/consulter-dossier/{consultation.reference}/"
    for rubric in tabs_for("T1-ASS"):
        for query in ("", "?vue=periode", "?page=99"):
            response = client.get(base + ("" if rubric == "synthese" else f"{rubric}/") + query)
            assert response.status_code == 200, (rubric, query)
    pdf = client.post(base + "attestation/", {"mode": "telecharger"})
    assert pdf["Content-Type"] == "application/pdf"
    for numero in [generator.numero_for(i) for i in range(5)]:
        dossier = Dossier.objects.get(caf__code="061", numero=numero)
        other = Consultation.objects.create(
            user=consultation.user, dossier=dossier, profile_code="T1-ASS", organism=consultation.organism
        )
        for rubric in tabs_for("T1-ASS"):
            url = f"/consulter-dossier/{other.reference}/" + ("" if rubric == "synthese" else f"{rubric}/")
            assert client.get(url).status_code == 200, (numero, rubric)

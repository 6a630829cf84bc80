"""A forgiving name in the search (issue 12.7): what a partner types for "DUPRÉ-LEFÈVRE" — a space for the hyphen,
no accents, double spaces, a curly apostrophe for a straight one — finds the dossier, both sides being compared in
cdap.text's one normal form; a different name, or a name of separators only, is still refused."""

import pytest

from cdap.models import Consultation, Person
from cdap.text import normalize_name
from tests.cdap.dossiers import make_dossier
from tests.cdap.test_search import assert_found, assert_refused, search
from tests.factories import caf, habilitated_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client, login):
    def _as(code="T1-ASS"):
        user, _ = habilitated_user(code)
        login(user)
        return user

    return _as


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("DUPRÉ-LEFÈVRE", "dupre lefevre"),
        ("DUPRÉ-LEFÈVRE", "DUPRÉ-LEFÈVRE"),
        ("DUPRÉ-LEFÈVRE", "  Dupré   Lefèvre  "),
        ("DUPRÉ-LEFÈVRE", "dupré - lefèvre"),
        ("DUPRÉ-LEFÈVRE", "dupre–lefevre"),  # an en dash typed by a word processor
        ("DUPRÉ-LEFÈVRE", "dupre\u00a0lefevre"),  # a no-break space pasted from a document
        ("D'ARTAGNAN", "d’artagnan"),  # curly apostrophe for the stored straight one
        ("D’ARTAGNAN", "d'artagnan"),  # and the other way round
        ("D'ARTAGNAN", "d artagnan"),
        ("LŒUILLET", "loeuillet"),
        ("LE  GOFF", "le goff"),
    ],
)
def test_the_name_as_a_partner_types_it_finds_the_dossier(client, as_user, stored, typed):
    as_user()
    make_dossier(caf("061"), nom=stored)
    consultation = assert_found(search(client, nom=typed))
    assert consultation.dossier.numero == "1234567"


@pytest.mark.parametrize(
    "typed",
    ["dupre lefevr", "duprelefevre", "dupre lefevre x", "lefevre dupre", "-", "’ '", "  "],
    ids=["shorter", "no_separator", "longer", "reversed", "hyphen_only", "apostrophes_only", "blanks_only"],
)
def test_another_name_is_still_refused(client, as_user, typed):
    as_user()
    make_dossier(caf("061"), nom="DUPRÉ-LEFÈVRE")
    response = search(client, nom=typed)
    assert not Consultation.objects.exists()
    assert response.status_code == 200


def test_a_name_of_separators_only_never_matches_an_empty_normal_form(client, as_user):
    """A stored name that normalises to nothing (bad imported data) is not found by typing punctuation."""
    as_user()
    dossier = make_dossier(caf("061"))
    Person.objects.filter(dossier=dossier, role=Person.Role.RESPONSABLE).update(nom="-", nom_recherche="")
    assert_refused(search(client, nom="'-'"), "nom_different")


def test_the_normal_form():
    assert normalize_name("  Dupré-Lefèvre ") == "DUPRE LEFEVRE"
    assert normalize_name("d’Artagnan") == normalize_name("D'ARTAGNAN") == "D ARTAGNAN"
    assert normalize_name("Lœuillet") == "LOEUILLET"
    assert normalize_name("") == normalize_name(None) == ""
    assert normalize_name("Œ" * 100) == "OE" * 50  # cut at the column's 100 characters, as stored


def test_the_migration_rewrites_the_stored_forms():
    """cdap 0005 recomputes an old-form `nom_recherche` ("DUPRE-LEFEVRE") and leaves plain ones alone."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("cdap.migrations.0005_nom_recherche_separators")
    dossier = make_dossier(caf("061"), nom="DUPRÉ-LEFÈVRE")
    Person.objects.filter(dossier=dossier, role=Person.Role.RESPONSABLE).update(nom_recherche="DUPRE-LEFEVRE")
    migration.recompute(apps, None)
    assert sorted(Person.objects.filter(dossier=dossier).values_list("nom_recherche", flat=True)) == [
        "DUPRE LEFEVRE",
        "DUPRE LEFEVRE",
        "MARTIN",
    ]


def test_the_page_says_what_is_required_and_the_numero_format_before_typing(client, as_user):
    """Every required field is marked "*" (the page's sentence explains it), the 7 digits are said next to the field,
    and a T4 user's numéro d'instructeur, required for their only profile, is marked too."""
    as_user()
    page = client.get("/consulter-dossier/").content.decode()
    assert "Les champs marqués d'un * sont obligatoires." in page
    assert 'for="id_nom">Nom allocataire : *</label>' in page
    assert 'for="id_numero">Numéro allocataire : *</label>' in page
    assert "7 chiffres, par exemple 0123456." in page and 'aria-describedby="id_numero_helptext"' in page
    assert 'inputmode="numeric"' in page
    client.logout()
    as_user("T4")
    page = client.get("/consulter-dossier/").content.decode()
    assert 'for="id_numero_instructeur">Numéro d&#x27;instructeur : *</label>' in page
    response = client.post("/consulter-dossier/", {"nom": "Lefèvre", "numero": "1234567"})
    assert "Le numéro d&#x27;instructeur est obligatoire pour votre profil." in response.content.decode()

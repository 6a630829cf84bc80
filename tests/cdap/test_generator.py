"""The synthetic generator, the documented demo dossiers and `seed_demo --dossiers`."""

import datetime
import re

import pytest
from dateutil.relativedelta import relativedelta
from django.core.management import call_command
from django.utils import timezone

from cdap import generator as g
from cdap.models import Dossier, Housing, Payment, PaymentLine, Person, ProtectionMeasure, Right, RsaPeriod
from cdap.text import normalize_name
from tests.cdap.factories import DossierFactory, complete_dossier, months_ago
from tests.factories import OrganismFactory

TODAY = datetime.date(2026, 3, 15)
INSTRUCTEUR_RE = re.compile(r"^\d{3}[A-Z]\d{3}\d{2}00000$")


def test_same_seed_same_dossier_and_another_index_another_one():
    first = g.synthetic_record("06", "061", 42, seed=7, today=TODAY)
    assert first == g.synthetic_record("06", "061", 42, seed=7, today=TODAY)
    assert first != g.synthetic_record("06", "061", 42, seed=8, today=TODAY)
    assert g.synthetic_record("06", "061", 43, seed=7, today=TODAY)["numero"] != first["numero"]


def test_numbers_are_seven_digits_and_never_collide_nor_meet_the_demo_numbers():
    numbers = [g.numero_for(i) for i in range(200_000)]
    assert all(len(n) == 7 and n.isdigit() for n in numbers)
    assert len(set(numbers)) == len(numbers)
    demo = {r["numero"] for r in g.demo_records(TODAY)}
    assert all(n.startswith("0") for n in demo) and not demo & set(numbers)


def test_generated_families_are_plausible():
    records = [g.synthetic_record("06", "061", i, today=TODAY) for i in range(1500)]
    months_24 = TODAY.replace(day=1) - relativedelta(months=24)
    couples = children = 0
    for record in records:
        roles = [p["role"] for p in record["persons"]]
        assert roles.count("RESPONSABLE") == 1 and roles.count("CONJOINT") <= 1 and roles.count("ENFANT") <= 4
        couples += "CONJOINT" in roles
        children += roles.count("ENFANT")
        assert record["code_postal"].startswith("06")
        for payment in record["payments"]:
            assert months_24 <= payment["periode"] < TODAY.replace(day=1)
            assert sum(float(line["montant"]) for line in payment["lines"]) == pytest.approx(
                float(payment["montant_paye"])
            )
        for period in record["rsa_periods"]:
            assert INSTRUCTEUR_RE.match(period["numero_instructeur"]), period["numero_instructeur"]
    assert 300 < couples < 1000 and children > 1000
    ended = {
        (TODAY.year - p["date_fin"].year) * 12 + TODAY.month - p["date_fin"].month
        for r in records
        for p in r["rsa_periods"]
        if p["date_fin"]
    }
    assert {23, 25} <= ended
    assert any(p["numero_instructeur"] == g.DEMO_INSTRUCTEUR for r in records for p in r["rsa_periods"])
    assert any(h.get("bailleur_siret") == g.DEMO_LANDLORD_SIRET for r in records for h in r["housings"])
    measures = [m for r in records for m in r.get("protection_measures", ())]
    assert any(m["date_fin"] is None for m in measures) and any(m["date_fin"] for m in measures)
    prestations = {right["prestation"] for r in records for right in r["rights"]}
    assert {"AF", "AL", "APL", "RSA", "PA", "PAJE", "ASF", "AAH"} <= prestations


def test_demo_instructeur_has_the_documented_fourteen_character_format():
    assert len(g.DEMO_INSTRUCTEUR) == 14 and INSTRUCTEUR_RE.match(g.DEMO_INSTRUCTEUR)


@pytest.fixture
def demo_world(db):
    call_command("seed_demo", dossiers=120, stdout=open("/dev/null", "w"), stderr=open("/dev/null", "w"))


def test_seed_demo_writes_the_documented_dossiers_with_their_situations(demo_world):
    today = timezone.localdate()
    dossier = lambda numero, caf="061": Dossier.objects.get(caf__code=caf, numero=numero)  # noqa: E731
    family = dossier(g.DEMO_FAMILY)
    for related in ("payments", "rights", "resources", "rsa_periods", "housings", "debts", "letters"):
        assert getattr(family, related).exists(), related
    assert family.health_coverages.count() == 4 and family.complementary_data.exists()
    assert family.persons.filter(role="CONJOINT").exists() and family.persons.filter(role="ENFANT").count() == 3
    assert PaymentLine.objects.filter(payment__dossier=family).exists()

    assert dossier(g.DEMO_RSA_T4).rsa_periods.get().numero_instructeur == g.DEMO_INSTRUCTEUR

    tutelaire = "Association tutélaire Azur Protection"
    current = dossier(g.DEMO_TUTELLE_CURRENT).protection_measures.get()
    assert current.organism.nom == tutelaire and current.date_fin is None
    past = dossier(g.DEMO_TUTELLE_PAST).protection_measures.get()
    assert past.organism.nom == tutelaire and past.date_fin < today
    assert not dossier(g.DEMO_TUTELLE_NEVER).protection_measures.exists()

    housing = dossier(g.DEMO_TENANT).housings.get()
    assert housing.numero_bailleur == g.DEMO_LANDLORD_NUMBER and housing.bailleur_organism.nom == "Côte d'Azur Habitat"

    two_years_ago = today - relativedelta(years=2)
    ended_23 = dossier(g.DEMO_RSA_ENDED_23).rsa_periods.get().date_fin
    ended_25 = dossier(g.DEMO_RSA_ENDED_25).rsa_periods.get().date_fin
    assert ended_23 == today - relativedelta(months=23) and ended_23 >= two_years_ago
    assert ended_25 == today - relativedelta(months=25) and ended_25 < two_years_ago

    other = dossier(g.DEMO_OTHER_CAF, "831")
    assert not Dossier.objects.filter(caf__code="061", numero=g.DEMO_OTHER_CAF).exists()
    assert other.persons.get().nom_recherche == family.persons.get(role="RESPONSABLE").nom_recherche == "DUPRE LEFEVRE"


def test_seed_demo_is_idempotent_and_tops_up(demo_world):
    counts = lambda: [model.objects.count() for model in (Dossier, Person, Payment, Right, RsaPeriod, Housing)]  # noqa: E731
    before = counts()
    first_ids = set(Person.objects.values_list("pk", flat=True))
    assert Dossier.objects.filter(caf__code="061").count() == 120 + 8
    call_command("seed_demo", dossiers=120, stdout=open("/dev/null", "w"), stderr=open("/dev/null", "w"))
    assert counts() == before and set(Person.objects.values_list("pk", flat=True)) == first_ids
    call_command("seed_demo", dossiers=150, stdout=open("/dev/null", "w"), stderr=open("/dev/null", "w"))
    assert Dossier.objects.filter(caf__code="061").count() == 150 + 8


def test_synthetic_dossiers_are_stored_with_normalised_names_and_unique_numbers(demo_world):
    numbers = list(Dossier.objects.filter(caf__code="061").values_list("numero", flat=True))
    assert len(numbers) == len(set(numbers)) and all(len(n) == 7 and n.isdigit() for n in numbers)
    for nom, nom_recherche in Person.objects.values_list("nom", "nom_recherche")[:300]:
        assert nom_recherche == normalize_name(nom) and nom_recherche.isascii()
    assert ProtectionMeasure.objects.exists() and Housing.objects.filter(bailleur_organism__isnull=False).exists()


def test_dossier_factory_parts_are_optional(db):
    bare = DossierFactory()
    assert bare.persons.get().role == "RESPONSABLE" and not bare.payments.exists()
    tutelaire = OrganismFactory()
    dossier = DossierFactory(
        responsable__nom="Dupré",
        children=2,
        payments=3,
        prestations={"AF": "148.52"},
        rsa__date_fin=months_ago(23),
        tutelle=tutelaire,
        tutelle__date_fin=months_ago(2),
    )
    assert dossier.persons.get(role="RESPONSABLE").nom_recherche == "DUPRE"
    assert dossier.persons.filter(role="ENFANT", nom="Dupré").count() == 2 and dossier.nb_enfants_pf == 2
    assert dossier.payments.count() == 3 and PaymentLine.objects.filter(payment__dossier=dossier).count() == 3
    assert dossier.rsa_periods.get().date_fin == months_ago(23)
    assert dossier.protection_measures.get().organism == tutelaire


def test_complete_dossier_fills_every_rubric(db):
    dossier = complete_dossier()
    for related in (
        "payments", "rights", "resources", "rsa_periods", "housings", "debts", "letters", "health_coverages",
        "complementary_data",
    ):  # fmt: skip
        assert getattr(dossier, related).exists(), related
    assert dossier.persons.count() == 4 and dossier.payments.count() == 24


def test_seed_demo_dry_run_writes_no_dossier(db):
    call_command("seed_demo", dossiers=20, dry_run=True, stdout=open("/dev/null", "w"), stderr=open("/dev/null", "w"))
    assert not Dossier.objects.exists() and not Person.objects.exists()

"""Issue 12.10: the demo data a newcomer reads is coherent (no « Ressources nulles 6 400 € », no 16-month-old child
« Scolaire », no 13-year-old conjoint or 30-year-old retiree), and every CDAP demo account has a documented dossier
it may open — the T8 of the CAMIEG and the T14 of the Carsat, at the Caf de l'Aveyron, included."""

import datetime
import re

import pytest
from dateutil.relativedelta import relativedelta
from django.core.management import call_command

from cdap import generator as g
from habilitations.access.rubrics import rubrics_for
from habilitations.demo import DEMO_PASSWORD, ORGANISMS
from habilitations.models import User

TODAY = datetime.date(2026, 12, 7)
SYNTHETIC = 600
SYNTHESE = r"/consulter-dossier/[^/]+/"  # where a search that found a dossier leads


def records():
    yield from g.demo_records(TODAY)
    for index in range(SYNTHETIC):
        yield g.synthetic_record("06", "061", index, today=TODAY)


def age(birth, today=TODAY) -> int:
    return relativedelta(today, birth).years


def incoherences(record) -> list[str]:
    """What a reader of this dossier would stumble on."""
    found = []
    for person in record["persons"]:
        who, years = f"{record['numero']} {person['prenom']}", age(person["date_naissance"])
        if person["role"] in ("RESPONSABLE", "CONJOINT"):
            if years < 18:
                found.append(f"{who}: adult of {years}")
            if person["activite"] == "Retraité" and years < 60:
                found.append(f"{who}: retired at {years}")
            if person.get("date_activite") and person["date_activite"] < person["date_naissance"] + relativedelta(
                years=16
            ):
                found.append(f"{who}: activity since childhood")
            for resource in person.get("resources", []):
                nil, amount = resource["nature"] == "Ressources nulles", float(resource["montant"])
                if nil != (amount == 0):
                    found.append(f"{who}: {resource['nature']} {amount}")
        elif person["activite"] == "Scolaire" and years < 3:
            found.append(f"{who}: « Scolaire » at {years}")
    return found


def test_every_dossier_tells_a_coherent_story():
    assert [problem for record in records() for problem in incoherences(record)] == []


def test_the_documented_family_says_what_it_lives_on():
    family = next(r for r in g.demo_records(TODAY) if r["numero"] == g.DEMO_FAMILY)
    eric = next(p for p in family["persons"] if p["prenom"] == "Éric")
    assert eric["activite"] == "Demandeur d'emploi"
    assert {r["nature"] for r in eric["resources"]} <= {"Allocations chômage"}
    children = {p["prenom"]: p["activite"] for p in family["persons"] if p["role"] == "ENFANT"}
    assert children == {"Léa": "Scolaire", "Hugo": "Scolaire", "Inès": ""}  # Inès is 16 months old


def test_a_nil_resource_with_an_amount_is_refused():
    with pytest.raises(ValueError, match="Ressources nulles|nil resources"):
        g._adult("RESPONSABLE", "M.", "X", "Y", datetime.date(1980, 1, 1), "Sans activité", 640000, 2024)


# Every CDAP demo account opens a documented dossier ------------------------------------------------------------


def cdap_accounts() -> list[tuple[str, str]]:
    """(identifiant, profile) of every demo account in a group that gives a CDAP profile (habilitations.demo)."""
    accounts = []
    for organism in ORGANISMS:
        profiles = {group.code: group.profiles for group in organism.groups}
        for account in organism.accounts:
            held = sorted({p for code in account.groups for p in profiles.get(code, ()) if p.startswith("T")})
            if held:
                accounts.append((account.identifiant, held[0]))
    return accounts


def searches():
    """What a user types for each documented dossier: the responsable's name, the number and, for T4 and T10, the
    numbers the README gives."""
    for record in g.demo_records(datetime.date.today()):
        responsable = next(p for p in record["persons"] if p["role"] == "RESPONSABLE")
        yield {
            "nom": responsable["nom"],
            "numero": record["numero"],
            "numero_instructeur": g.DEMO_INSTRUCTEUR,
            "numero_bailleur": g.DEMO_LANDLORD_NUMBER,
        }


@pytest.fixture
def demo_world(db):
    call_command("seed_demo", dossiers=0, stdout=open("/dev/null", "w"), stderr=open("/dev/null", "w"))


def test_the_demo_has_cdap_accounts_of_every_caf():
    identifiants = {identifiant for identifiant, _ in cdap_accounts()}
    assert {"ACC121RGPT", "ACC121RTRT", "ACC061TASS", "ACC831CPAM"} <= identifiants


@pytest.mark.django_db
def test_every_cdap_demo_account_opens_a_documented_dossier(client, login, demo_world):
    without = []
    for identifiant, profile in cdap_accounts():
        login(User.objects.get(identifiant=identifiant), password=DEMO_PASSWORD)
        opened = None
        for data in searches():
            response = client.post("/consulter-dossier/", {**data, "profile": profile})
            if response.status_code == 302 and re.fullmatch(SYNTHESE, response["Location"]):
                opened = (data["numero"], response["Location"])
                break
        if opened is None:
            without.append(identifiant)
            continue
        synthese = client.get(opened[1])
        assert synthese.status_code == 200 and "synthese" in rubrics_for(profile), identifiant
        assert f"Dossier n° {opened[0]}" in synthese.content.decode(), identifiant
        client.logout()
    assert without == []

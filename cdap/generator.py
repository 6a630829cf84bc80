"""A realistic synthetic generator of dossiers allocataires, for the demo and the benchmarks.

`synthetic_record(caf, index, seed, today)` builds the index-th dossier of a Caf as a nested record (the format of
`cdap.loader`): French names, a family (responsable, a conjoint for couples, 0 to 4 children), an address in the
Caf's department, 24 months of rights and payments (AF, AL/APL, RSA, PA, PAJE, ASF, AAH), resources N-2 and
monthly, RSA histories (some ended 23 and 25 months ago: the T18/T19 two-year boundary), tutelles held by the demo
association tutélaire, housings let by the demo social landlord, RSA files instructed by the demo T4 service,
debts, letters, CMU/CMUC and AEEH. The same (caf, index, seed, today) always gives the same dossier, and numbers
are a permutation of the index, so topping up never collides.

`demo_records(today)` are the documented demo dossiers of the README ("Dossiers de démonstration").
"""

import datetime
import functools
import random

from dateutil.relativedelta import relativedelta

from cdap.prestations import LIBELLES

# The demo organisms the generated dossiers point at (habilitations.demo.ORGANISMS).
DEMO_LANDLORD_SIRET = "78387283700092"  # Côte d'Azur Habitat (T10: LOG061PATR)
DEMO_LANDLORD_NAME = "Côte d'Azur Habitat"
DEMO_LANDLORD_NUMBER = "061HLM0042"
DEMO_TUTELAIRE_SIRET = "77582589800031"  # Association tutélaire Azur Protection (T9: ACC061TUTR)
# The CCAS de Nice (T4: ACC061NSTR): department 006, type C (CCAS), commune 088 (Nice), rang 01, then 00000.
DEMO_INSTRUCTEUR = "006C0880100000"

NOMS = (
    "MARTIN BERNARD THOMAS PETIT ROBERT RICHARD DURAND DUBOIS MOREAU LAURENT SIMON MICHEL LEFÈVRE LEROY ROUX DAVID "
    "BERTRAND MOREL FOURNIER GIRARD BONNET DUPONT LAMBERT FONTAINE ROUSSEAU VINCENT MULLER LEFEBVRE FAURE ANDRÉ "
    "MERCIER BLANC GUÉRIN BOYER GARNIER CHEVALIER FRANÇOIS LEGRAND GAUTHIER GARCIA PERRIN ROBIN CLÉMENT MORIN "
    "NICOLAS HENRY ROUSSEL MATHIEU GAUTIER MASSON MARCHAND DUVAL DENIS DUMONT MARIE LEMAIRE NOËL MEYER DUFOUR "
    "MEUNIER BRUN BLANCHARD GIRAUD JOLY RIVIÈRE LUCAS BRUNET GAILLARD BARBIER ARNAUD MARTINEZ GÉRARD ROCHE RENARD "
    "SCHMITT ROY LEROUX COLIN VIDAL CARON PICARD ROGER FABRE AUBERT LEMOINE RENAUD DUMAS LACROIX OLIVIER PHILIPPE "
    "BOURGEOIS PIERRE BENOÎT REY LECLERC PAYET ROLLAND LECLERCQ GUILLAUME LECOMTE LOPEZ JEAN DUPUY GUILLOT HUBERT "
    "BERGER CARPENTIER SANCHEZ DUPUIS MOULIN LOUIS DESCHAMPS HUET VASSEUR PEREZ BOUCHER FLEURY ROYER KLEIN JACQUET "
    "ADAM PARIS POIRIER MARTY AUBRY GUYOT CARRÉ CHARLES RENAULT CHARPENTIER MÉNARD MAILLARD BARON BERTIN BAILLY "
    "HERVÉ SCHNEIDER FERNANDEZ LE-GALL COLLET LÉGER BOUVIER JULIEN PRÉVOST MILLET PERROT DANIEL LE-ROUX COUSIN "
    "GERMAIN BRETON BESSON LANGLOIS RÉMY PELLETIER LÉVÊQUE PERRIER LEBLANC BARRÉ LEBRUN MARCHAL WEBER MALLET HAMON "
    "BOULANGER JACOB MONNIER MICHAUD RODRIGUEZ GUICHARD GILLET ÉTIENNE GRONDIN POULAIN TESSIER CHEVALLIER COLLIN "
    "CHAUVIN DA-SILVA BOUCHET GAY LEMAÎTRE BÉNARD MARÉCHAL HUMBERT REYNAUD ANTOINE HOARAU PERRET BARTHÉLÉMY "
    "CORDIER PICHON LEJEUNE GILBERT LAMY DELAUNAY PASQUIER CARLIER LAPORTE BENSAÏD HADDAD BENALI NGUYEN DIALLO"
).split()
PRENOMS_F = (
    "Marie Nathalie Isabelle Sylvie Catherine Sandrine Véronique Christine Céline Aurélie Julie Émilie Sophie Camille "
    "Laura Manon Chloé Léa Emma Inès Sarah Amina Fatima Yasmine Océane Mélanie Stéphanie Hélène Élodie Agathe Zoé "
    "Jade Louise Alice Lina Rose Anaïs Clémence Justine Lucie Maëlle Noémie Aïcha Nadia Samia Josiane Monique"
).split()
PRENOMS_M = (
    "Jean Pierre Michel Philippe Alain Nicolas Christophe Patrick Stéphane Sébastien Julien Thomas Laurent Olivier "
    "Éric David Frédéric Pascal Hugo Lucas Louis Nathan Gabriel Arthur Jules Raphaël Théo Enzo Mathis Noah Yanis "
    "Karim Mehdi Rachid Mohamed Bilal Kévin Jérémy Romain Maxime Antoine Baptiste Clément Jérôme François Gérard"
).split()
VOIES = (
    "rue de France|avenue Jean Médecin|boulevard Gambetta|rue Pastorelli|avenue de la Californie|rue Gioffredo|"
    "boulevard de Cessole|avenue Borriglione|rue Arson|boulevard Virgile Barel|avenue des Arènes de Cimiez|"
    "rue de la République|avenue du Ray|chemin de Saint-Antoine|boulevard du Mont Boron|rue Bonaparte|"
    "avenue Saint-Lambert|rue d'Italie|boulevard de la Madeleine|avenue Henri Matisse|rue des Lilas|"
    "allée des Pins|impasse des Oliviers|chemin des Vignes|place Garibaldi|rue Victor Hugo|avenue Jean Jaurès"
).split("|")
# (code postal, commune, code commune INSEE) per department.
COMMUNES = {
    "06": (
        ("06000", "Nice", "06088"),
        ("06100", "Nice", "06088"),
        ("06200", "Nice", "06088"),
        ("06300", "Nice", "06088"),
        ("06400", "Cannes", "06029"),
        ("06600", "Antibes", "06004"),
        ("06800", "Cagnes-sur-Mer", "06027"),
        ("06130", "Grasse", "06069"),
        ("06500", "Menton", "06083"),
        ("06700", "Saint-Laurent-du-Var", "06123"),
        ("06110", "Le Cannet", "06030"),
        ("06150", "Cannes", "06029"),
    ),
    "83": (
        ("83000", "Toulon", "83137"),
        ("83100", "Toulon", "83137"),
        ("83400", "Hyères", "83069"),
        ("83500", "La Seyne-sur-Mer", "83126"),
        ("83600", "Fréjus", "83061"),
        ("83700", "Saint-Raphaël", "83118"),
        ("83300", "Draguignan", "83050"),
    ),
}
ACTIVITES = (
    "Salarié",
    "Salarié",
    "Salarié",
    "Demandeur d'emploi",
    "Sans activité",
    "Retraité",
    "Travailleur indépendant",
)
PRESTATIONS_LIBELLES = LIBELLES
# The nature of an adult's annual resources from their activity; any other activity declares "Ressources nulles",
# whose amount is nil by definition.
ACTIVITY_NATURES = {
    "Salarié": "Salaires",
    "Travailleur indépendant": "Salaires",
    "Retraité": "Pension vieillesse imposable",
    "Demandeur d'emploi": "Allocations chômage",
}
NIL_RESOURCES = "Ressources nulles"
SCHOOL_AGE = 3  # instruction is compulsory from 3 in France: a younger child has no activity, never "Scolaire"
RETIREMENT_AGE = 60  # a younger adult drawn "Retraité" is "Sans activité"
ADULT_AGE = 18
WORKING_AGE = 16  # an activity never started before this age
# The nature of the monthly resources the housing aid counts, from the annual one (webinar 004:578).
MONTHLY_NATURES = {
    "Salaires": "Salaires et traitements",
    "Pension vieillesse imposable": "Pensions, retraites, rentes",
    "Allocations chômage": "Allocations chômage",
}
LETTERS = (
    ("Déclaration trimestrielle de ressources", "Votre dossier a été traité"),
    ("Attestation de loyer", "Votre dossier a été traité"),
    ("Changement de situation", "En cours de traitement"),
    ("Demande de pièces justificatives", "Pièces reçues"),
    ("Message : question sur mes droits", "Réponse envoyée"),
)


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def numero_for(index: int) -> str:
    """The index-th synthetic numéro allocataire: 7 digits from 1000000, a permutation of the index (no collision
    for the first 9 000 000). Documented demo dossiers use numbers starting with 0, out of this range."""
    return str(1_000_000 + (index * 7919 + 524_287) % 9_000_000)


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _instructeur(rng: random.Random, departement: str) -> str:
    if departement == "06" and rng.random() < 0.4:
        return DEMO_INSTRUCTEUR
    kind = rng.choice("CDMA")  # CCAS, Département, MSA, association
    return f"{departement.zfill(3)}{kind}{rng.randint(1, 200):03d}{rng.randint(1, 20):02d}00000"


def _age(birth: datetime.date, today: datetime.date) -> int:
    return relativedelta(today, birth).years


def child_activity(birth: datetime.date, today: datetime.date) -> str:
    """ "Scolaire" from school age on, nothing before (no 16-month-old "Scolaire")."""
    return "Scolaire" if _age(birth, today) >= SCHOOL_AGE else ""


def _person(rng, role, nom, sexe, birth, today, activite=None):
    prenom = rng.choice(PRENOMS_F if sexe == "F" else PRENOMS_M)
    nationalite = rng.choices(("Française", "UE", "Étrangère"), (85, 7, 8))[0]
    adult = role in ("RESPONSABLE", "CONJOINT")
    person = {
        "role": role,
        "civilite": ("Mme" if sexe == "F" else "M.") if adult else "",
        "nom": nom,
        "prenom": prenom,
        "date_naissance": birth,
        "nationalite": nationalite,
        "fin_titre_sejour": today + datetime.timedelta(days=rng.randint(60, 3000))
        if nationalite == "Étrangère"
        else None,
        "activite": activite or (rng.choice(ACTIVITES) if adult else child_activity(birth, today)),
        "date_activite": today - datetime.timedelta(days=rng.randint(100, 4000)) if adult else None,
        "a_charge": not adult,
    }
    # Coherence after the draws (the draws themselves stay the same, so a dossier keeps its other fields): no retired
    # 30-year-old, no activity begun as a child.
    if adult and person["activite"] == "Retraité" and _age(birth, today) < RETIREMENT_AGE:
        person["activite"] = "Sans activité"
    if person["date_activite"]:
        person["date_activite"] = max(person["date_activite"], birth + relativedelta(years=WORKING_AGE))
    return person


@functools.lru_cache(maxsize=4)
def last_months(today: datetime.date) -> tuple[tuple[datetime.date, datetime.date], ...]:
    """The 24 months before `today`'s, oldest first, each with its payment date (the 5th of the next month)."""
    months = [month_start(today) - relativedelta(months=n) for n in range(24, 0, -1)]
    return tuple((month, month + relativedelta(months=1, day=5)) for month in months)


# Benefits paid for one adult, named for them on the Droits rubric ("Allocation aux adultes handicapés Madame").
PERSONAL = {"AAH": "RESPONSABLE", "MVA": "RESPONSABLE"}
# Below this monthly amount a right is not paid ("Montant inférieur au seuil de versement").
SEUIL_VERSEMENT_CENTS = 1500


def _monthly(nature: str, annual_cents: int, today: datetime.date, months: int = 3) -> list[dict]:
    """The last `months` months of resources the housing aid counts, a twelfth of the annual amount each."""
    nature = MONTHLY_NATURES.get(nature, nature)
    return [
        {"mois": month, "nature": nature, "montant": _money(annual_cents // 12)}
        for month, _ in last_months(today)[-months:]
    ]


def rights_and_payments(amounts: dict[str, int], today: datetime.date) -> tuple[list, list]:
    """Monthly rights per prestation, and the payments: one "Mensuel émis" to the allocataire, APL to the landlord.
    A right under the payment threshold is marked so and left out of the payments."""
    rights, payments = [], []
    for month, emission in last_months(today):
        family = [(p, c) for p, c in amounts.items() if p != "APL" and c >= SEUIL_VERSEMENT_CENTS]
        for prestation, cents in amounts.items():
            rights.append(
                {
                    "mois": month,
                    "prestation": prestation,
                    "beneficiaire": PERSONAL.get(prestation, ""),
                    "montant": _money(cents),
                    "sous_seuil": cents < SEUIL_VERSEMENT_CENTS,
                }
            )
        if family:
            total = sum(c for _, c in family)
            payments.append(
                {
                    "periode": month,
                    "date_emission": emission,
                    "type_traitement": "Mensuel émis",
                    "montant_total": _money(total),
                    "retenue": "0.00",
                    "montant_paye": _money(total),
                    "destinataire": "Allocataire",
                    "lines": [{"prestation": PRESTATIONS_LIBELLES[p], "montant": _money(c)} for p, c in family],
                }
            )
        if "APL" in amounts:
            apl = _money(amounts["APL"])
            payments.append(
                {
                    "periode": month,
                    "date_emission": emission,
                    "type_traitement": "APL émis",
                    "montant_total": apl,
                    "retenue": "0.00",
                    "montant_paye": apl,
                    "destinataire": "Bailleur",
                    "lines": [{"prestation": PRESTATIONS_LIBELLES["APL"], "montant": apl}],
                }
            )
    return rights, payments


def synthetic_record(departement: str, caf: str, index: int, *, seed: int = 0, today: datetime.date) -> dict:
    """The index-th synthetic dossier of a Caf (see the module docstring)."""
    rng = random.Random(seed * 100_003 + index * 7 + int(caf))
    # The fields added since the first version draw from their own generator, so the earlier fields of a dossier
    # stay what they were (a demo database topped up later keeps coherent families).
    more = random.Random(f"{seed}-{caf}-{index}-details")
    nom = rng.choice(NOMS)
    situation = rng.choices(
        ("Mariage", "Vie maritale", "Pacs", "Célibataire", "Divorcé", "Séparé", "Veuf"), (28, 18, 8, 26, 10, 7, 3)
    )[0]
    couple = situation in ("Mariage", "Vie maritale", "Pacs")
    sexe = rng.choice("FM")
    age = rng.randint(19, 78)
    birth = today - datetime.timedelta(days=age * 365 + rng.randint(0, 364))
    persons = [_person(rng, "RESPONSABLE", nom, sexe, birth, today, "Retraité" if age > 64 else None)]
    if couple:
        conjoint_nom = nom if situation == "Mariage" and rng.random() < 0.7 else rng.choice(NOMS)
        conjoint_birth = birth + datetime.timedelta(days=rng.randint(-2000, 2000))
        conjoint_birth = min(conjoint_birth, today - relativedelta(years=ADULT_AGE))  # a conjoint is an adult
        persons.append(_person(rng, "CONJOINT", conjoint_nom, "M" if sexe == "F" else "F", conjoint_birth, today))
    children_count = 0 if age > 60 else rng.choices((0, 1, 2, 3, 4), (30, 25, 28, 12, 5))[0]
    child_ages = sorted((rng.randint(0, min(20, age - 18)) for _ in range(children_count)), reverse=True)
    for child_age in child_ages:
        child_birth = today - datetime.timedelta(days=child_age * 365 + rng.randint(0, 364))
        persons.append(_person(rng, "ENFANT", nom, rng.choice("FM"), child_birth, today))
    single_parent = not couple and children_count > 0
    young = [a for a in child_ages if a < 20]

    # Benefits: {prestation: monthly amount in cents}
    amounts: dict[str, int] = {}
    if len(young) >= 2:
        amounts["AF"] = {2: 14852, 3: 33881}.get(len(young), 52910)
    if any(a < 3 for a in child_ages):
        amounts["PAJE"] = 18481
    if single_parent and rng.random() < 0.5:
        amounts["ASF"] = 19585 * len(young) if young else 0
    rsa_now = rng.random() < 0.14 and age < 65
    rsa_past = not rsa_now and rng.random() < 0.10
    if rsa_now:
        amounts["RSA"] = int(60775 * (1 + 0.5 * (len(persons) - 1))) - rng.randint(0, 20000)
    if not rsa_now and rng.random() < 0.05:
        amounts["AAH"] = 101605
        if more.random() < 0.5:
            amounts["MVA"] = 10477
    if not rsa_now and persons[0]["activite"] == "Salarié" and rng.random() < 0.35:
        amounts["PA"] = rng.randint(4000, 32000)
        if more.random() < 0.1:
            amounts["PA"] = more.randint(500, 1499)  # a right below the payment threshold: not paid
    occupation = rng.choices(
        ("Locataire", "Logement conventionné", "Propriétaire accédant", "Foyer", "Hébergé à titre gratuit"),
        (38, 30, 18, 6, 8),
    )[0]
    if occupation in ("Locataire", "Foyer") and rng.random() < 0.6:
        amounts["AL"] = rng.randint(9000, 42000)
    if occupation == "Logement conventionné" and rng.random() < 0.8:
        amounts["APL"] = rng.randint(12000, 45000)
    amounts = {k: v for k, v in amounts.items() if v > 0}

    rights, payments = rights_and_payments(amounts, today)

    street = f"{rng.randint(1, 180)} {rng.choice(VOIES)}"
    code_postal, commune, code_commune = rng.choice(COMMUNES.get(departement, COMMUNES["06"]))
    n2 = today.year - 2
    for person in persons[:2]:
        nature = ACTIVITY_NATURES.get(person["activite"], NIL_RESOURCES)
        if nature == "Salaires":
            cents = rng.randint(800000, 3500000)
        elif nature == "Pension vieillesse imposable":
            cents = rng.randint(700000, 2400000)
        elif nature == "Allocations chômage":
            cents = rng.randint(300000, 1400000)
        else:
            cents = 0
        person["resources"] = [{"annee": n2, "nature": nature, "montant": _money(cents)}]
        if "AL" in amounts or "APL" in amounts:  # the monthly resources the housing aid counts
            person["resources"] += _monthly(nature, cents, today)
    income = sum(int(r["montant"].replace(".", "")) for p in persons[:2] for r in p["resources"] if r.get("annee"))
    parts = (2 if couple else 1) + 0.5 * min(len(young), 2) + max(len(young) - 2, 0)
    qf = int(income / 100 / 12 / parts) + sum(amounts.values()) // 100 // max(int(parts), 1)
    if more.random() < 0.04:
        qf = None  # not known to the Caf (a new affiliation, resources not yet declared): "Donnée indisponible"

    rsa_periods = []
    if rsa_now or rsa_past:
        start = today - relativedelta(months=rng.randint(3, 60))
        end = None
        if rsa_past:
            # One in four past RSA files sits on the T18/T19 boundary: ended 23 or 25 months ago.
            ago = rng.choice((23, 25)) if rng.random() < 0.5 else rng.randint(1, 48)
            end = today - relativedelta(months=ago)
            start = end - relativedelta(months=rng.randint(3, 36))
        rsa_periods.append(
            {
                "date_debut": start,
                "date_fin": end,
                "orientation": rng.choice(("Sociale", "Professionnelle", "Socio-professionnelle")),
                "numero_instructeur": _instructeur(rng, departement),
            }
        )

    housing = {
        "type_occupation": occupation,
        "date_debut_occupation": today - datetime.timedelta(days=rng.randint(200, 5000)),
        "actuel": True,
    }
    if occupation in ("Locataire", "Logement conventionné", "Foyer"):
        housing["date_debut_bail"] = housing["date_debut_occupation"]
        housing["date_debut_droit"] = month_start(housing["date_debut_occupation"]) + relativedelta(months=1)
        housing["loyer"] = _money(rng.randint(35000, 110000))
        housing["date_loyer"] = datetime.date(today.year, 1, 1)
        housing["quittance_presente"] = rng.random() < 0.7
        housing["surpeuplement"] = len(persons) > 4 and rng.random() < 0.3
        if departement == "06" and (occupation == "Logement conventionné" or rng.random() < 0.1):
            housing.update(
                numero_bailleur=DEMO_LANDLORD_NUMBER,
                nom_bailleur=DEMO_LANDLORD_NAME,
                bailleur_siret=DEMO_LANDLORD_SIRET,
            )
        else:
            housing.update(
                numero_bailleur=f"{departement.zfill(3)}P{rng.randint(0, 999999):06d}",
                nom_bailleur=f"{rng.choice(PRENOMS_M + PRENOMS_F)} {rng.choice(NOMS)}",
            )

    record = {
        "caf": caf,
        "numero": numero_for(index),
        "situation": "Affiliation" if rng.random() < 0.97 else "Radié",
        "adresse": street,
        "code_postal": code_postal,
        "commune": commune,
        "code_commune": code_commune,
        "situation_familiale": situation,
        "date_situation_familiale": today - datetime.timedelta(days=rng.randint(180, 9000)),
        "nb_enfants_pf": len(young),
        "nb_personnes_al": len(persons) - 1,
        "quotient_familial": qf,
        "surendettement": rng.random() < 0.03,
        "persons": persons,
        "payments": payments,
        "rights": rights,
        "rsa_periods": rsa_periods,
        "housings": [housing],
        "letters": [
            {"date_reception": today - datetime.timedelta(days=rng.randint(5, 700)), "objet": objet, "etat": etat}
            for objet, etat in rng.sample(LETTERS, rng.randint(1, 3))
        ],
    }
    if rng.random() < 0.10:
        cents = rng.randint(5000, 300000)
        record["debts"] = [
            {
                "nature": rng.choice(("Indu d'aide au logement", "Indu de RSA", "Indu de prime d'activité")),
                "montant": _money(cents),
                "reste_du": _money(rng.randint(0, cents)),
                "plan": "Retenue de 50,00 € par mois sur les prestations",
            }
        ]
    if rsa_now:
        record["health_coverages"] = [
            {"kind": "RSA", "date_debut": rsa_periods[0]["date_debut"], "libelle": "Bénéficiaire du RSA"},
            {"kind": "CMUC", "date_debut": rsa_periods[0]["date_debut"], "libelle": "Complémentaire santé solidaire"},
        ]
    elif rng.random() < 0.05:
        record["health_coverages"] = [
            {"kind": "CMU", "date_debut": today - relativedelta(months=rng.randint(1, 30)), "libelle": "PUMa"},
            {"kind": "CMUC_RESSOURCES", "libelle": "Ressources des 12 derniers mois", "montant": _money(income)},
        ]
    if children_count and rng.random() < 0.04:
        record["complementary_data"] = [{"nature": "AEEH", "detail": "Allocation d'éducation de l'enfant handicapé"}]
        child = more.choice([p for p in persons if p["role"] == "ENFANT"])
        child.update(aeeh=True, liens_affectifs=True)
    if departement == "06" and rng.random() < 0.05:
        start = today - relativedelta(months=rng.randint(6, 120))
        end = None if rng.random() < 0.6 else start + relativedelta(months=rng.randint(3, 5))
        record["protection_measures"] = [
            {
                "organism_siret": DEMO_TUTELAIRE_SIRET,
                "mesure": rng.choice(("Tutelle", "Curatelle renforcée", "Mesure d'accompagnement judiciaire")),
                "date_debut": start,
                "date_fin": end if end is None or end < today else None,
            }
        ]
    return record


# The documented demo dossiers (README "Dossiers de démonstration") -------------------------------------------------

DEMO_FAMILY = "0610001"  # (a) T1: every rubric filled
DEMO_RSA_T4 = "0610002"  # (b) RSA instructed by the CCAS de Nice (DEMO_INSTRUCTEUR)
DEMO_TUTELLE_CURRENT = "0610003"  # (c) current tutelle of the association tutélaire
DEMO_TUTELLE_PAST = "0610004"  # (c) past tutelle
DEMO_TUTELLE_NEVER = "0610005"  # (c) never under a measure
DEMO_TENANT = "0610006"  # (d) tenant of Côte d'Azur Habitat (DEMO_LANDLORD_NUMBER)
DEMO_RSA_ENDED_23 = "0610007"  # (e) RSA ended 23 months ago: T18/T19 may consult
DEMO_RSA_ENDED_25 = "0610008"  # (e) RSA ended 25 months ago: T18/T19 may not
DEMO_OTHER_CAF = "0610009"  # (f) Caf du Var (831), same name as (a): a 061-only convention must not find it
DEMO_AVEYRON_HEALTH = "0610010"  # (g) Caf de l'Aveyron (121): CMU/CMUC, for the T8 of the CAMIEG (ACC121RGPT)
DEMO_AVEYRON_WIDOW = "0610011"  # (h) Caf de l'Aveyron (121): a widow and her child, for the T14 of the Carsat
# The address of a documented dossier, in its Caf's department.
DEMO_ADDRESSES = {
    "061": ("12 rue Pastorelli", "06000", "Nice", "06088"),
    "831": ("8 avenue de la République", "83000", "Toulon", "83137"),
    "121": ("3 boulevard Gambetta", "12000", "Rodez", "12202"),
}


def _adult(role, civilite, nom, prenom, birth, activite, resources_cents, year):
    nature = ACTIVITY_NATURES.get(activite, NIL_RESOURCES)
    if nature == NIL_RESOURCES and resources_cents:
        raise ValueError(f"{nom} {prenom}: « {activite} » declares nil resources, not {resources_cents} cents")
    return {
        "role": role,
        "civilite": civilite,
        "nom": nom,
        "prenom": prenom,
        "date_naissance": birth,
        "nationalite": "Française",
        "activite": activite,
        "date_activite": datetime.date(2019, 9, 1),
        "a_charge": False,
        "resources": [{"annee": year, "nature": nature, "montant": _money(resources_cents)}],
    }


def _child(today, nom, prenom, birth, **extra):
    activite = child_activity(birth, today)
    return {"role": "ENFANT", "nom": nom, "prenom": prenom, "date_naissance": birth, "activite": activite, **extra}


def _demo(today, caf, numero, adults, children=(), amounts=None, **extra) -> dict:
    rights, payments = rights_and_payments(amounts or {}, today)
    adresse, code_postal, commune, code_commune = DEMO_ADDRESSES[caf]
    record = {
        "caf": caf,
        "numero": numero,
        "situation": "Affiliation",
        "adresse": adresse,
        "code_postal": code_postal,
        "commune": commune,
        "code_commune": code_commune,
        "situation_familiale": "Mariage" if len(adults) == 2 else "Célibataire",
        "date_situation_familiale": datetime.date(2012, 6, 16),
        "nb_enfants_pf": len(children),
        "nb_personnes_al": len(adults) + len(children) - 1,
        "quotient_familial": 612,
        "persons": [*adults, *children],
        "payments": payments,
        "rights": rights,
        "letters": [
            {"date_reception": today - relativedelta(months=1), "objet": LETTERS[0][0], "etat": LETTERS[0][1]}
        ],
        "housings": [
            {
                "type_occupation": "Locataire",
                "date_debut_occupation": datetime.date(2018, 3, 1),
                "date_debut_bail": datetime.date(2018, 3, 1),
                "date_debut_droit": datetime.date(2018, 4, 1),
                "loyer": "640.00",
                "date_loyer": datetime.date(today.year, 1, 1),
                "quittance_presente": True,
                "numero_bailleur": "006P000321",
                "nom_bailleur": "Gérard ANTOINE",
                "actuel": True,
            }
        ],
    }
    record.update(extra)
    return record


def _rsa(start, end=None, instructeur="006D0880300000"):
    return [{"date_debut": start, "date_fin": end, "orientation": "Sociale", "numero_instructeur": instructeur}]


def demo_records(today: datetime.date) -> list[dict]:
    """The documented demo dossiers. Dates are relative to `today` (the 23/25 months boundary), so seed_demo upserts
    them: unchanged on the same day, refreshed when the day has moved."""
    n2 = today.year - 2
    ago = lambda months: today - relativedelta(months=months)  # noqa: E731
    family_adults = [
        _adult("RESPONSABLE", "Mme", "DUPRÉ-LEFÈVRE", "Sophie", datetime.date(1986, 4, 12), "Salarié", 1620000, n2),
        _adult(
            "CONJOINT", "M.", "DUPRÉ-LEFÈVRE", "Éric", datetime.date(1983, 11, 3), "Demandeur d'emploi", 640000, n2
        ),
    ]
    family_adults[1].update(nationalite="Étrangère", fin_titre_sejour=today + relativedelta(years=3, months=2))
    for adult, cents in zip(family_adults, (1620000, 640000), strict=True):  # the family receives the AL
        adult["resources"] += _monthly(adult["resources"][0]["nature"], cents, today)
    family_children = [
        _child(today, "DUPRÉ-LEFÈVRE", "Léa", datetime.date(2012, 2, 7)),
        _child(today, "DUPRÉ-LEFÈVRE", "Hugo", datetime.date(2016, 9, 21), aeeh=True, liens_affectifs=True),
        _child(today, "DUPRÉ-LEFÈVRE", "Inès", today - relativedelta(years=1, months=4)),
    ]
    single = lambda nom, prenom, civ, year, act="Sans activité", cents=None: [  # noqa: E731
        _adult(
            "RESPONSABLE",
            civ,
            nom,
            prenom,
            datetime.date(year, 5, 14),
            act,
            (1150000 if act == "Retraité" else 0) if cents is None else cents,
            n2,
        )
    ]
    rsa_amount = {"RSA": 60775, "AL": 28400}
    return [
        _demo(
            today,
            "061",
            DEMO_FAMILY,
            family_adults,
            family_children,
            {"AF": 33881, "PAJE": 18481, "RSA": 21350, "AL": 31240},
            quotient_familial=487,
            rsa_periods=_rsa(ago(14)),
            debts=[
                {
                    "nature": "Indu d'aide au logement",
                    "montant": "420.00",
                    "reste_du": "210.00",
                    "plan": "Retenue de 35,00 € par mois sur les prestations",
                }
            ],
            letters=[
                {
                    "date_reception": ago(1),
                    "objet": "Déclaration trimestrielle de ressources",
                    "etat": "Votre dossier a été traité",
                },
                {"date_reception": ago(3), "objet": "Attestation de loyer", "etat": "Votre dossier a été traité"},
            ],
            health_coverages=[
                {"kind": "RSA", "date_debut": ago(14), "libelle": "Bénéficiaire du RSA"},
                {"kind": "CMUC", "date_debut": ago(14), "libelle": "Complémentaire santé solidaire"},
                {"kind": "CMU", "date_debut": ago(30), "libelle": "PUMa"},
                {"kind": "CMUC_RESSOURCES", "libelle": "Ressources des 12 derniers mois", "montant": "22600.00"},
            ],
            complementary_data=[{"nature": "AEEH", "detail": "Allocation d'éducation de l'enfant handicapé — Hugo"}],
        ),
        _demo(
            today,
            "061",
            DEMO_RSA_T4,
            single("BENALI", "Karim", "M.", 1979),
            amounts=rsa_amount,
            rsa_periods=_rsa(ago(9), instructeur=DEMO_INSTRUCTEUR),
            health_coverages=[{"kind": "RSA", "date_debut": ago(9), "libelle": "Bénéficiaire du RSA"}],
        ),
        _demo(
            today,
            "061",
            DEMO_TUTELLE_CURRENT,
            single("FAURE", "Josiane", "Mme", 1948, "Retraité"),
            amounts={"AL": 19800},
            protection_measures=[
                {"organism_siret": DEMO_TUTELAIRE_SIRET, "mesure": "Tutelle", "date_debut": datetime.date(2021, 3, 1)}
            ],
        ),
        _demo(
            today,
            "061",
            DEMO_TUTELLE_PAST,
            single("MARCHAND", "Gérard", "M.", 1961),
            amounts={"AAH": 101605, "AL": 22300},
            quotient_familial=None,  # unknown to the Caf: "Donnée indisponible", on the attestation too
            protection_measures=[
                {
                    "organism_siret": DEMO_TUTELAIRE_SIRET,
                    "mesure": "Curatelle renforcée",
                    "date_debut": datetime.date(2017, 1, 10),
                    "date_fin": datetime.date(2022, 6, 30),
                }
            ],
        ),
        _demo(
            today,
            "061",
            DEMO_TUTELLE_NEVER,
            single("ROCHE", "Monique", "Mme", 1952, "Retraité"),
            amounts={"AL": 17500},
        ),
        _demo(
            today,
            "061",
            DEMO_TENANT,
            single("PAYET", "Nadia", "Mme", 1990, "Salarié", 1390000),
            [_child(today, "PAYET", "Noah", datetime.date(2019, 7, 2))],
            {"APL": 31250, "PA": 16540},
            situation_familiale="Célibataire",
            housings=[
                {
                    "type_occupation": "Logement conventionné",
                    "date_debut_occupation": datetime.date(2020, 10, 1),
                    "date_debut_bail": datetime.date(2020, 10, 1),
                    "date_debut_droit": datetime.date(2020, 11, 1),
                    "loyer": "545.30",
                    "date_loyer": datetime.date(today.year, 1, 1),
                    "quittance_presente": True,
                    "numero_bailleur": DEMO_LANDLORD_NUMBER,
                    "nom_bailleur": DEMO_LANDLORD_NAME,
                    "bailleur_siret": DEMO_LANDLORD_SIRET,
                    "actuel": True,
                }
            ],
        ),
        _demo(
            today,
            "061",
            DEMO_RSA_ENDED_23,
            single("LEMOINE", "Pascal", "M.", 1975, "Salarié", 1720000),
            amounts={"PA": 21000},
            rsa_periods=_rsa(ago(40), ago(23)),
        ),
        _demo(
            today,
            "061",
            DEMO_RSA_ENDED_25,
            single("LEBRUN", "Sandrine", "Mme", 1981, "Salarié", 1560000),
            amounts={"PA": 18700},
            rsa_periods=_rsa(ago(44), ago(25)),
        ),
        _demo(
            today,
            "831",
            DEMO_OTHER_CAF,
            [
                _adult(
                    "RESPONSABLE", "Mme", "DUPRÉ-LEFÈVRE", "Sophie", datetime.date(1986, 4, 12), "Salarié", 1620000, n2
                )
            ],
            amounts={"AL": 24100},
        ),
        _demo(
            today,
            "121",
            DEMO_AVEYRON_HEALTH,
            single("ALBOUY", "Thierry", "M.", 1984, "Demandeur d'emploi", 910000),
            amounts={"AL": 21600},
            health_coverages=[
                {"kind": "CMU", "date_debut": ago(20), "libelle": "PUMa"},
                {"kind": "CMUC", "date_debut": ago(8), "libelle": "Complémentaire santé solidaire"},
                {"kind": "CMUC_RESSOURCES", "libelle": "Ressources des 12 derniers mois", "montant": "9100.00"},
            ],
        ),
        _demo(
            today,
            "121",
            DEMO_AVEYRON_WIDOW,
            single("VIGUIER", "Hélène", "Mme", 1976, "Salarié", 1480000),
            [_child(today, "VIGUIER", "Clara", datetime.date(2013, 10, 4))],
            {"ASF": 19585, "AL": 16900},
            situation_familiale="Veuvage",
            date_situation_familiale=ago(30),
        ),
    ]


# Loading --------------------------------------------------------------------------------------------------------

SYNTHETIC_BATCH = 2000


def synthetic_dossiers_add(
    count: int, *, caf_code: str = "061", seed: int = 0, today=None, progress=None, stats: dict | None = None
) -> int:
    """Make sure the Caf has the first `count` synthetic dossiers (idempotent: existing numbers are skipped, so a
    larger count tops up). Returns how many dossiers were added. Rows are written by cdap.loader (COPY); `stats`,
    when given, gets "rows": how many rows of every table were written (the throughput of seed_demo and the bench).
    """
    from django.db import transaction  # noqa: PLC0415 - keeps the pure generator importable without Django set up
    from django.utils import timezone  # noqa: PLC0415

    from cdap.loader import DossierLoader  # noqa: PLC0415
    from cdap.models import Dossier  # noqa: PLC0415
    from habilitations.models import Caf  # noqa: PLC0415

    today = today or timezone.localdate()
    caf = Caf.objects.get(code=caf_code)
    loader = DossierLoader()
    added = 0
    for start in range(0, count, SYNTHETIC_BATCH):
        indexes = range(start, min(start + SYNTHETIC_BATCH, count))
        wanted = {numero_for(i): i for i in indexes}
        present = set(Dossier.objects.filter(caf=caf, numero__in=list(wanted)).values_list("numero", flat=True))
        with transaction.atomic():
            for numero, index in wanted.items():
                if numero not in present:
                    loader.add(synthetic_record(caf.departement, caf.code, index, seed=seed, today=today))
                    added += 1
            rows = loader.flush()
        if stats is not None:
            stats["rows"] = stats.get("rows", 0) + rows
        if progress:
            progress.advance(len(indexes))
    return added


def demo_dossiers_upsert(today=None) -> tuple[int, int, int]:
    """Create (or refresh) the documented demo dossiers: (created, updated, unchanged)."""
    from django.utils import timezone  # noqa: PLC0415

    from cdap.loader import DossierLoader  # noqa: PLC0415

    return DossierLoader().upsert(demo_records(today or timezone.localdate()))
